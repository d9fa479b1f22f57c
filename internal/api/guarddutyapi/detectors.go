package guarddutyapi

import (
	"encoding/json"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/guardduty"
)

// CreateDetector: POST /detector.
var CreateDetector = api.Add(&ops, &api.Op[CreateDetectorInput, CreateDetectorOutput]{
	Name: "CreateDetector", HTTP: "POST /detector", Authorize: authorizeOn(func(_ *api.Call, in *CreateDetectorInput) target {
		return target{resource: "*", requestTags: in.Tags}
	}), Run: createDetector})

// CreateDetectorInput is CreateDetector's request. DataSources and Features are accepted and not
// kept: Rootward analyses CloudTrail management events only.
type CreateDetectorInput struct {
	Enable                     *bool             `json:"enable"`
	ClientToken                string            `json:"clientToken"`
	FindingPublishingFrequency string            `json:"findingPublishingFrequency"`
	Tags                       map[string]string `json:"tags"`
	DataSources                json.RawMessage   `json:"dataSources"`
	Features                   json.RawMessage   `json:"features"`
}

// Validate checks the members the model constrains: enable is required, clientToken at most 64
// characters, tags as guardduty.ValidTags requires.
func (in *CreateDetectorInput) Validate() error {
	if in.Enable == nil {
		return awsproto.MissingParam("enable")
	}
	if len(in.ClientToken) > 64 {
		return badRequest()
	}
	return guardduty.ValidTags(in.Tags)
}

// CreateDetectorOutput answers the new detector's ID.
type CreateDetectorOutput struct {
	DetectorID string `json:"detectorId"`
}

func createDetector(c *api.Call, in *CreateDetectorInput) (*CreateDetectorOutput, error) {
	g, err := gd(c)
	if err != nil {
		return nil, err
	}
	d, err := g.CreateDetector(c.Ctx, c.Account(), c.Region, guardduty.CreateInput{
		Enable: *in.Enable, Frequency: in.FindingPublishingFrequency, Tags: in.Tags, ClientToken: in.ClientToken})
	if err != nil {
		return nil, err
	}
	return &CreateDetectorOutput{DetectorID: d.ID}, nil
}

// GetDetector: GET /detector/{detectorId}.
var GetDetector = api.Add(&ops, &api.Op[DetectorInput, GetDetectorOutput]{
	Name: "GetDetector", HTTP: "GET /detector/{detectorId}", Authorize: onDetector[DetectorInput], Run: getDetector})

// GetDetectorOutput is a detector. Times are GuardDuty's strings (ISO 8601 with milliseconds).
type GetDetectorOutput struct {
	CreatedAt                  string            `json:"createdAt"`
	FindingPublishingFrequency string            `json:"findingPublishingFrequency"`
	ServiceRole                string            `json:"serviceRole"`
	Status                     string            `json:"status"`
	UpdatedAt                  string            `json:"updatedAt"`
	Tags                       map[string]string `json:"tags"`
}

// timeFormat is GuardDuty's time format.
const timeFormat = "2006-01-02T15:04:05.000Z"

func getDetector(c *api.Call, in *DetectorInput) (*GetDetectorOutput, error) {
	g, err := gd(c)
	if err != nil {
		return nil, err
	}
	d, err := g.GetDetector(c.Ctx, c.Account(), c.Region, in.DetectorID)
	if err != nil {
		return nil, err
	}
	tags := d.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return &GetDetectorOutput{
		CreatedAt: d.CreatedAt.UTC().Format(timeFormat), UpdatedAt: d.UpdatedAt.UTC().Format(timeFormat),
		FindingPublishingFrequency: d.Frequency, Status: d.Status(), Tags: tags,
		// GuardDuty's service-linked role (GuardDuty User Guide, "Service-linked role permissions
		// for GuardDuty").
		ServiceRole: arn.IAMEntity(c.Account(), "role", "/aws-service-role/guardduty.amazonaws.com/", "AWSServiceRoleForAmazonGuardDuty"),
	}, nil
}

// ListDetectors: GET /detector?maxResults&nextToken.
var ListDetectors = api.Add(&ops, &api.Op[ListDetectorsInput, ListDetectorsOutput]{
	Name: "ListDetectors", HTTP: "GET /detector", Authorize: authorizeOn[ListDetectorsInput](nil), Run: listDetectors})

// ListDetectorsInput pages the account's detectors (1–50 a page).
type ListDetectorsInput struct {
	MaxResults *int   `json:"-" location:"querystring" locationName:"maxResults" min:"1" max:"50" page:"size"`
	NextToken  string `json:"-" location:"querystring" locationName:"nextToken" page:"token"`
}

// ListDetectorsOutput lists detector IDs; an account has at most one per Region, so there is never
// a next page.
type ListDetectorsOutput struct {
	DetectorIDs []string `json:"detectorIds"`
	NextToken   string   `json:"nextToken,omitempty" page:"token"`
}

func listDetectors(c *api.Call, in *ListDetectorsInput) (*ListDetectorsOutput, error) {
	g, err := gd(c)
	if err != nil {
		return nil, err
	}
	if in.NextToken != "" {
		// No token is ever issued (one page holds every detector); the runner refused any other.
		return &ListDetectorsOutput{DetectorIDs: []string{}}, nil
	}
	ids, err := g.ListDetectors(c.Ctx, c.Account(), c.Region)
	if err != nil {
		return nil, err
	}
	return &ListDetectorsOutput{DetectorIDs: ids}, nil
}

// UpdateDetector: POST /detector/{detectorId}.
var UpdateDetector = api.Add(&ops, &api.Op[UpdateDetectorInput, Empty]{
	Name: "UpdateDetector", HTTP: "POST /detector/{detectorId}", Authorize: onDetector[UpdateDetectorInput], Run: updateDetector})

// UpdateDetectorInput turns a detector on or off and sets its publishing frequency.
type UpdateDetectorInput struct {
	DetectorID                 string          `json:"-" location:"uri" locationName:"detectorId" required:"true"`
	Enable                     *bool           `json:"enable"`
	FindingPublishingFrequency string          `json:"findingPublishingFrequency"`
	DataSources                json.RawMessage `json:"dataSources"`
	Features                   json.RawMessage `json:"features"`
}

func (in *UpdateDetectorInput) detector() string { return in.DetectorID }

func updateDetector(c *api.Call, in *UpdateDetectorInput) (*Empty, error) {
	g, err := gd(c)
	if err != nil {
		return nil, err
	}
	return &Empty{}, g.UpdateDetector(c.Ctx, c.Account(), c.Region, in.DetectorID, in.Enable, in.FindingPublishingFrequency)
}

// DeleteDetector: DELETE /detector/{detectorId}.
var DeleteDetector = api.Add(&ops, &api.Op[DetectorInput, Empty]{
	Name: "DeleteDetector", HTTP: "DELETE /detector/{detectorId}", Authorize: onDetector[DetectorInput], Run: deleteDetector})

func deleteDetector(c *api.Call, in *DetectorInput) (*Empty, error) {
	g, err := gd(c)
	if err != nil {
		return nil, err
	}
	return &Empty{}, g.DeleteDetector(c.Ctx, c.Account(), c.Region, in.DetectorID)
}
