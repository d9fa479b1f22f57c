package securityhubapi

import (
	"slices"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/securityhub"
)

// StandardsSubscription is an enabled standard as the API answers it.
type StandardsSubscription struct {
	StandardsSubscriptionArn   string            `json:"StandardsSubscriptionArn"`
	StandardsArn               string            `json:"StandardsArn"`
	StandardsInput             map[string]string `json:"StandardsInput"`
	StandardsStatus            string            `json:"StandardsStatus"`
	StandardsControlsUpdatable string            `json:"StandardsControlsUpdatable,omitempty"`
}

// subscription is sub in c's Region and account, with status (READY, or DELETING as
// BatchDisableStandards answers).
func subscription(c *api.Call, sub securityhub.Subscription, status string) StandardsSubscription {
	input := sub.Input
	if input == nil {
		input = map[string]string{}
	}
	out := StandardsSubscription{StandardsSubscriptionArn: sub.Standard.SubscriptionARN(c.Region, c.Account()),
		StandardsArn: sub.Standard.ARN(c.Region), StandardsInput: input, StandardsStatus: status}
	if status == "READY" {
		out.StandardsControlsUpdatable = "READY_FOR_UPDATES"
	}
	return out
}

// GetEnabledStandards: POST /standards/get.
var GetEnabledStandards = api.Add(&ops, &api.Op[GetEnabledStandardsInput, StandardsSubscriptionsOutput]{
	Name: "GetEnabledStandards", HTTP: "POST /standards/get", Authorize: authorize[GetEnabledStandardsInput](nil), Run: getEnabledStandards})

// GetEnabledStandardsInput pages the enabled standards, or names 1–25 of them.
type GetEnabledStandardsInput struct {
	StandardsSubscriptionArns []string `json:"StandardsSubscriptionArns"`
	NextToken                 string   `json:"NextToken" page:"token"`
	MaxResults                *int     `json:"MaxResults" page:"size"`
}

// Validate checks StandardsSubscriptionArns (1–25 when given) and MaxResults.
func (in *GetEnabledStandardsInput) Validate() error {
	if in.StandardsSubscriptionArns != nil && (len(in.StandardsSubscriptionArns) < 1 || len(in.StandardsSubscriptionArns) > 25) {
		return invalid("StandardsSubscriptionArns must name between 1 and 25 subscriptions.")
	}
	_, err := pageSize(in.MaxResults)
	return err
}

// StandardsSubscriptionsOutput lists subscriptions.
type StandardsSubscriptionsOutput struct {
	StandardsSubscriptions []StandardsSubscription `json:"StandardsSubscriptions"`
	NextToken              string                  `json:"NextToken,omitempty" page:"token"`
}

func getEnabledStandards(c *api.Call, in *GetEnabledStandardsInput) (*StandardsSubscriptionsOutput, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	subs, err := h.EnabledStandards(c.Ctx, c.Account(), c.Region)
	if err != nil {
		return nil, err
	}
	var list []StandardsSubscription
	for _, s := range subs {
		w := subscription(c, s, "READY")
		if in.StandardsSubscriptionArns == nil || slices.Contains(in.StandardsSubscriptionArns, w.StandardsSubscriptionArn) {
			list = append(list, w)
		}
	}
	size, _ := pageSize(in.MaxResults)
	from, to, next, err := offsetPage(len(list), in.NextToken, size)
	if err != nil {
		return nil, err
	}
	return &StandardsSubscriptionsOutput{StandardsSubscriptions: append([]StandardsSubscription{}, list[from:to]...), NextToken: next}, nil
}

// BatchEnableStandards: POST /standards/register.
var BatchEnableStandards = api.Add(&ops, &api.Op[BatchEnableStandardsInput, StandardsSubscriptionsOutput]{
	Name: "BatchEnableStandards", HTTP: "POST /standards/register", Authorize: authorize[BatchEnableStandardsInput](nil), Run: batchEnableStandards})

// BatchEnableStandardsInput names 1–25 standards to enable.
type BatchEnableStandardsInput struct {
	StandardsSubscriptionRequests []StandardsSubscriptionRequest `json:"StandardsSubscriptionRequests"`
}

// StandardsSubscriptionRequest is one standard to enable.
type StandardsSubscriptionRequest struct {
	StandardsArn   string            `json:"StandardsArn"`
	StandardsInput map[string]string `json:"StandardsInput"`
}

// Validate checks the requests: 1–25, each with a StandardsArn.
func (in *BatchEnableStandardsInput) Validate() error {
	if in.StandardsSubscriptionRequests == nil {
		return awsproto.MissingParam("StandardsSubscriptionRequests")
	}
	if len(in.StandardsSubscriptionRequests) < 1 || len(in.StandardsSubscriptionRequests) > 25 {
		return invalid("StandardsSubscriptionRequests must hold between 1 and 25 requests.")
	}
	for _, r := range in.StandardsSubscriptionRequests {
		if r.StandardsArn == "" {
			return awsproto.MissingParam("StandardsArn")
		}
	}
	return nil
}

func batchEnableStandards(c *api.Call, in *BatchEnableStandardsInput) (*StandardsSubscriptionsOutput, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	var reqs []securityhub.EnableRequest
	for _, r := range in.StandardsSubscriptionRequests {
		reqs = append(reqs, securityhub.EnableRequest{StandardsArn: r.StandardsArn, Input: r.StandardsInput})
	}
	subs, err := h.EnableStandards(c.Ctx, c.Account(), c.Region, reqs)
	if err != nil {
		return nil, err
	}
	out := &StandardsSubscriptionsOutput{StandardsSubscriptions: []StandardsSubscription{}}
	for _, s := range subs {
		out.StandardsSubscriptions = append(out.StandardsSubscriptions, subscription(c, s, "READY"))
	}
	return out, nil
}

// BatchDisableStandards: POST /standards/deregister.
var BatchDisableStandards = api.Add(&ops, &api.Op[BatchDisableStandardsInput, StandardsSubscriptionsOutput]{
	Name: "BatchDisableStandards", HTTP: "POST /standards/deregister", Authorize: authorize[BatchDisableStandardsInput](nil), Run: batchDisableStandards})

// BatchDisableStandardsInput names 1–25 subscriptions to end.
type BatchDisableStandardsInput struct {
	StandardsSubscriptionArns []string `json:"StandardsSubscriptionArns"`
}

// Validate checks StandardsSubscriptionArns: required, 1–25.
func (in *BatchDisableStandardsInput) Validate() error {
	if in.StandardsSubscriptionArns == nil {
		return awsproto.MissingParam("StandardsSubscriptionArns")
	}
	if len(in.StandardsSubscriptionArns) < 1 || len(in.StandardsSubscriptionArns) > 25 {
		return invalid("StandardsSubscriptionArns must name between 1 and 25 subscriptions.")
	}
	return nil
}

func batchDisableStandards(c *api.Call, in *BatchDisableStandardsInput) (*StandardsSubscriptionsOutput, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	subs, err := h.DisableStandards(c.Ctx, c.Account(), c.Region, in.StandardsSubscriptionArns)
	if err != nil {
		return nil, err
	}
	out := &StandardsSubscriptionsOutput{StandardsSubscriptions: []StandardsSubscription{}}
	for _, s := range subs {
		out.StandardsSubscriptions = append(out.StandardsSubscriptions, subscription(c, s, "DELETING"))
	}
	return out, nil
}

// PageInput is the NextToken and MaxResults query parameters of a GET listing.
type PageInput struct {
	NextToken  string `json:"-" location:"querystring" locationName:"NextToken" page:"token"`
	MaxResults *int   `json:"-" location:"querystring" locationName:"MaxResults" page:"size"`
}

// Validate checks MaxResults.
func (in *PageInput) Validate() error {
	_, err := pageSize(in.MaxResults)
	return err
}

// DescribeStandards: GET /standards?NextToken&MaxResults.
var DescribeStandards = api.Add(&ops, &api.Op[PageInput, DescribeStandardsOutput]{
	Name: "DescribeStandards", HTTP: "GET /standards", Authorize: authorize[PageInput](nil), Run: describeStandards})

// DescribeStandardsOutput lists the standards.
type DescribeStandardsOutput struct {
	Standards []StandardOut `json:"Standards"`
	NextToken string        `json:"NextToken,omitempty" page:"token"`
}

// StandardOut is a standard.
type StandardOut struct {
	StandardsArn       string             `json:"StandardsArn"`
	Name               string             `json:"Name"`
	Description        string             `json:"Description"`
	EnabledByDefault   bool               `json:"EnabledByDefault"`
	StandardsManagedBy StandardsManagedBy `json:"StandardsManagedBy"`
}

// StandardsManagedBy names who defines a standard.
type StandardsManagedBy struct {
	Company string `json:"Company"`
	Product string `json:"Product"`
}

func describeStandards(c *api.Call, in *PageInput) (*DescribeStandardsOutput, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	if err := h.RequireHub(c.Ctx, c.Account(), c.Region); err != nil {
		return nil, err
	}
	all := securityhub.Standards()
	size, _ := pageSize(in.MaxResults)
	from, to, next, err := offsetPage(len(all), in.NextToken, size)
	if err != nil {
		return nil, err
	}
	out := &DescribeStandardsOutput{Standards: []StandardOut{}, NextToken: next}
	for _, st := range all[from:to] {
		out.Standards = append(out.Standards, StandardOut{StandardsArn: st.ARN(c.Region), Name: st.Name, Description: st.Description,
			EnabledByDefault: st.Default, StandardsManagedBy: StandardsManagedBy{Company: st.Company, Product: st.Product}})
	}
	return out, nil
}

// DescribeStandardsControls: GET /standards/controls/{StandardsSubscriptionArn+}.
var DescribeStandardsControls = api.Add(&ops, &api.Op[DescribeStandardsControlsInput, DescribeStandardsControlsOutput]{
	Name: "DescribeStandardsControls", HTTP: "GET /standards/controls/{StandardsSubscriptionArn+}",
	Authorize: authorize[DescribeStandardsControlsInput](nil), Run: describeStandardsControls})

// DescribeStandardsControlsInput names a subscription of the caller's.
type DescribeStandardsControlsInput struct {
	StandardsSubscriptionArn string `json:"-" location:"uri" locationName:"StandardsSubscriptionArn" required:"true"`
	NextToken                string `json:"-" location:"querystring" locationName:"NextToken" page:"token"`
	MaxResults               *int   `json:"-" location:"querystring" locationName:"MaxResults" page:"size"`
}

// Validate checks MaxResults.
func (in *DescribeStandardsControlsInput) Validate() error {
	_, err := pageSize(in.MaxResults)
	return err
}

// DescribeStandardsControlsOutput lists a standard's controls.
type DescribeStandardsControlsOutput struct {
	Controls  []StandardsControl `json:"Controls"`
	NextToken string             `json:"NextToken,omitempty" page:"token"`
}

// StandardsControl is a control of a subscribed standard. Every control of an enabled standard is
// enabled (Rootward serves no UpdateStandardsControl).
type StandardsControl struct {
	StandardsControlArn    string   `json:"StandardsControlArn"`
	ControlStatus          string   `json:"ControlStatus"`
	ControlStatusUpdatedAt string   `json:"ControlStatusUpdatedAt"`
	ControlID              string   `json:"ControlId"`
	Title                  string   `json:"Title"`
	Description            string   `json:"Description"`
	RemediationURL         string   `json:"RemediationUrl"`
	SeverityRating         string   `json:"SeverityRating"`
	RelatedRequirements    []string `json:"RelatedRequirements"`
}

func describeStandardsControls(c *api.Call, in *DescribeStandardsControlsInput) (*DescribeStandardsControlsOutput, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	sub, controls, err := h.StandardControls(c.Ctx, c.Account(), c.Region, in.StandardsSubscriptionArn)
	if err != nil {
		return nil, err
	}
	size, _ := pageSize(in.MaxResults)
	from, to, next, err := offsetPage(len(controls), in.NextToken, size)
	if err != nil {
		return nil, err
	}
	out := &DescribeStandardsControlsOutput{Controls: []StandardsControl{}, NextToken: next}
	for _, ctl := range controls[from:to] {
		out.Controls = append(out.Controls, StandardsControl{
			StandardsControlArn: sub.Standard.ControlARN(c.Region, c.Account(), ctl.ID), ControlStatus: "ENABLED",
			ControlStatusUpdatedAt: iso(sub.Created), ControlID: ctl.ID, Title: ctl.Title, Description: ctl.Check.Description,
			RemediationURL: ctl.RemediationURL(), SeverityRating: ctl.SeverityRating(), RelatedRequirements: []string{}})
	}
	return out, nil
}

// ListSecurityControlDefinitions: GET /securityControls/definitions?StandardsArn&NextToken&MaxResults.
var ListSecurityControlDefinitions = api.Add(&ops, &api.Op[ListSecurityControlDefinitionsInput, ListSecurityControlDefinitionsOutput]{
	Name: "ListSecurityControlDefinitions", HTTP: "GET /securityControls/definitions",
	Authorize: authorize[ListSecurityControlDefinitionsInput](nil), Run: listSecurityControlDefinitions})

// ListSecurityControlDefinitionsInput lists every control, or a standard's.
type ListSecurityControlDefinitionsInput struct {
	StandardsArn string `json:"-" location:"querystring" locationName:"StandardsArn"`
	NextToken    string `json:"-" location:"querystring" locationName:"NextToken" page:"token"`
	MaxResults   *int   `json:"-" location:"querystring" locationName:"MaxResults" page:"size"`
}

// Validate checks MaxResults.
func (in *ListSecurityControlDefinitionsInput) Validate() error {
	_, err := pageSize(in.MaxResults)
	return err
}

// ListSecurityControlDefinitionsOutput lists control definitions.
type ListSecurityControlDefinitionsOutput struct {
	SecurityControlDefinitions []SecurityControlDefinition `json:"SecurityControlDefinitions"`
	NextToken                  string                      `json:"NextToken,omitempty" page:"token"`
}

// SecurityControlDefinition is a security control.
type SecurityControlDefinition struct {
	SecurityControlID         string `json:"SecurityControlId"`
	Title                     string `json:"Title"`
	Description               string `json:"Description"`
	RemediationURL            string `json:"RemediationUrl"`
	SeverityRating            string `json:"SeverityRating"`
	CurrentRegionAvailability string `json:"CurrentRegionAvailability"`
}

func listSecurityControlDefinitions(c *api.Call, in *ListSecurityControlDefinitionsInput) (*ListSecurityControlDefinitionsOutput, error) {
	h, err := hub(c)
	if err != nil {
		return nil, err
	}
	if err := h.RequireHub(c.Ctx, c.Account(), c.Region); err != nil {
		return nil, err
	}
	controls := securityhub.Controls()
	if in.StandardsArn != "" {
		st, ok := securityhub.StandardByARN(c.Region, in.StandardsArn)
		if !ok {
			return nil, invalid("Invalid StandardsArn %s.", in.StandardsArn)
		}
		controls = securityhub.ControlsOf(st)
	}
	size, _ := pageSize(in.MaxResults)
	from, to, next, err := offsetPage(len(controls), in.NextToken, size)
	if err != nil {
		return nil, err
	}
	out := &ListSecurityControlDefinitionsOutput{SecurityControlDefinitions: []SecurityControlDefinition{}, NextToken: next}
	for _, ctl := range controls[from:to] {
		out.SecurityControlDefinitions = append(out.SecurityControlDefinitions, SecurityControlDefinition{
			SecurityControlID: ctl.ID, Title: ctl.Title, Description: ctl.Check.Description, RemediationURL: ctl.RemediationURL(),
			SeverityRating: ctl.SeverityRating(), CurrentRegionAvailability: "AVAILABLE"})
	}
	return out, nil
}
