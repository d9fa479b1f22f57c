package securityhubapi

import (
	"maps"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/securityhub"
)

// EnableSecurityHub: POST /accounts.
var EnableSecurityHub = api.Add(&ops, &api.Op[EnableSecurityHubInput, Empty]{
	Name: "EnableSecurityHub", HTTP: "POST /accounts",
	Authorize: authorize(func(in *EnableSecurityHubInput) map[string][]string {
		keys := map[string][]string{}
		for k, v := range in.Tags {
			keys["aws:RequestTag/"+k] = []string{v}
		}
		if len(in.Tags) > 0 {
			keys["aws:TagKeys"] = slices.Sorted(maps.Keys(in.Tags))
		}
		return keys
	}),
	Run: enableSecurityHub})

// EnableSecurityHubInput is EnableSecurityHub's request. EnableDefaultStandards is true when not
// given.
type EnableSecurityHubInput struct {
	Tags                    map[string]string `json:"Tags"`
	EnableDefaultStandards  *bool             `json:"EnableDefaultStandards"`
	ControlFindingGenerator string            `json:"ControlFindingGenerator"`
}

// Validate checks Tags (1–50, keys 1–128 and values at most 256 characters, keys not starting
// with "aws:") and ControlFindingGenerator's value.
func (in *EnableSecurityHubInput) Validate() error {
	if in.Tags != nil && (len(in.Tags) < 1 || len(in.Tags) > 50) {
		return invalid("Tags must hold between 1 and 50 tags.")
	}
	for k, v := range in.Tags {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 || len(k) >= 4 && k[:4] == "aws:" {
			return invalid("Invalid tag key %q.", k)
		}
		if utf8.RuneCountInString(v) > 256 {
			return invalid("Invalid value for tag %q.", k)
		}
	}
	if in.ControlFindingGenerator != "" && !slices.Contains(securityhub.ValidGenerators, in.ControlFindingGenerator) {
		return invalid("Invalid ControlFindingGenerator %q: valid values are SECURITY_CONTROL and STANDARD_CONTROL.", in.ControlFindingGenerator)
	}
	return nil
}

func enableSecurityHub(c *api.Call, in *EnableSecurityHubInput) (*Empty, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	defaults := in.EnableDefaultStandards == nil || *in.EnableDefaultStandards
	return &Empty{}, h.Enable(c.Ctx, c.Account(), c.Region, securityhub.EnableInput{
		DefaultStandards: defaults, Generator: in.ControlFindingGenerator, Tags: in.Tags})
}

// DisableSecurityHub: DELETE /accounts.
var DisableSecurityHub = api.Add(&ops, &api.Op[Empty, Empty]{
	Name: "DisableSecurityHub", HTTP: "DELETE /accounts", Authorize: authorize[Empty](nil),
	Run: func(c *api.Call, _ *Empty) (*Empty, error) {
		h, err := hub(c)
		if err != nil {
			return nil, err
		}
		return &Empty{}, h.Disable(c.Ctx, c.Account(), c.Region)
	}})

// DescribeHub: GET /accounts?HubArn.
var DescribeHub = api.Add(&ops, &api.Op[DescribeHubInput, DescribeHubOutput]{
	Name: "DescribeHub", HTTP: "GET /accounts", Authorize: authorize[DescribeHubInput](nil), Run: describeHub})

// DescribeHubInput may name the hub; it can only be the caller's.
type DescribeHubInput struct {
	HubArn string `json:"-" location:"querystring" locationName:"HubArn"`
}

// DescribeHubOutput is the caller's hub.
type DescribeHubOutput struct {
	HubArn                  string `json:"HubArn"`
	SubscribedAt            string `json:"SubscribedAt"`
	AutoEnableControls      bool   `json:"AutoEnableControls"`
	ControlFindingGenerator string `json:"ControlFindingGenerator"`
}

func describeHub(c *api.Call, in *DescribeHubInput) (*DescribeHubOutput, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	if in.HubArn != "" && in.HubArn != HubARN(c) {
		// AWS documents no answer for another hub's ARN; Rootward refuses it as invalid input.
		return nil, invalid("Invalid HubArn %s.", in.HubArn)
	}
	d, err := h.DescribeHub(c.Ctx, c.Account(), c.Region)
	if err != nil {
		return nil, err
	}
	return &DescribeHubOutput{HubArn: HubARN(c), SubscribedAt: d.SubscribedAt.UTC().Format(isoTime),
		AutoEnableControls: d.AutoEnableControls, ControlFindingGenerator: d.Generator}, nil
}

// isoTime is how Security Hub writes times (ISO 8601, UTC, milliseconds).
const isoTime = "2006-01-02T15:04:05.000Z"

func iso(t time.Time) string { return t.UTC().Format(isoTime) }
