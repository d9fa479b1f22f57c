package api_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/services"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// A restJson1 service, as GuardDuty will be: two operations with the HTTP bindings of GuardDuty's
// model (GetDetector: GET /detector/{detectorId}; ListDetectors: GET /detector?maxResults&nextToken).
var (
	restOps api.Table
	_       = api.Add(&restOps, &api.Op[getDetectorInput, getDetectorOutput]{
		Name: "GetDetector", HTTP: "GET /detector/{detectorId}",
		Run: func(c *api.Call, in *getDetectorInput) (*getDetectorOutput, error) {
			if in.DetectorID == "missing" {
				return nil, awserr.New("BadRequestException", "The request is rejected because the input detectorId is not owned by the current account.")
			}
			return &getDetectorOutput{ServiceRole: "role of " + in.DetectorID, Status: "ENABLED"}, nil
		}})
	_ = api.Add(&restOps, &api.Op[listDetectorsInput, listDetectorsOutput]{
		Name: "ListDetectors", HTTP: "GET /detector",
		Run: func(c *api.Call, in *listDetectorsInput) (*listDetectorsOutput, error) {
			if in.NextToken == "" {
				return &listDetectorsOutput{DetectorIDs: []string{"max " + strconv.Itoa(*in.MaxResults)}, NextToken: "position-1"}, nil
			}
			return &listDetectorsOutput{DetectorIDs: []string{"after " + in.NextToken}}, nil
		}})
)

type getDetectorInput struct {
	DetectorID string `json:"-" location:"uri" locationName:"detectorId" required:"true"`
}

type getDetectorOutput struct {
	ServiceRole string `json:"serviceRole"`
	Status      string `json:"status"`
}

type listDetectorsInput struct {
	MaxResults *int   `json:"-" location:"querystring" locationName:"maxResults" min:"1" max:"50" page:"size"`
	NextToken  string `json:"-" location:"querystring" locationName:"nextToken" page:"token"`
}

type listDetectorsOutput struct {
	DetectorIDs []string `json:"detectorIds"`
	NextToken   string   `json:"nextToken,omitempty" page:"token"`
}

func restService() *api.Service {
	return &api.Service{Name: "guardduty", Protocol: awsproto.RestJSON1, Ops: restOps,
		Codes: map[awserr.Code]awserr.Code{awserr.AccessDenied: "AccessDeniedException"}}
}

// The real GuardDuty SDK client calls a restJson1 service through the whole pipeline: labels,
// query members and the JSON body decoded, the output encoded, tokens sealed and opened, errors in
// restJson1's shape with the service's codes.
func TestRestJSON1Service(t *testing.T) {
	t.Parallel()
	e := servertest.Build(t, nil, nil, func(cfg *server.Config, _ *iam.Service, _ store.Store) {
		cfg.Services = append(services.All(), restService())
	})
	ctx := servertest.Ctx(t)
	gd := guardduty.NewFromConfig(e.Config(e.AdminKey.AccessKeyID, e.AdminKey.Secret, ""))

	got, err := gd.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("d-1/x")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ServiceRole) != "role of d-1/x" || got.Status != "ENABLED" {
		t.Errorf("GetDetector = %q, %q; want \"role of d-1/x\", ENABLED", aws.ToString(got.ServiceRole), got.Status)
	}
	_, err = gd.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("missing")})
	testutil.WantCode(t, err, "BadRequestException")

	page, err := gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: aws.Int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.DetectorIds) != 1 || page.DetectorIds[0] != "max 7" || page.NextToken == nil || *page.NextToken == "position-1" {
		t.Fatalf("first page = %v, token %v; want [max 7] and a sealed token", page.DetectorIds, aws.ToString(page.NextToken))
	}
	next, err := gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: aws.Int32(3), NextToken: page.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.DetectorIds) != 1 || next.DetectorIds[0] != "after position-1" || next.NextToken != nil {
		t.Errorf("second page = %v, token %v; want [after position-1] and none", next.DetectorIds, aws.ToString(next.NextToken))
	}
	_, err = gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{NextToken: aws.String("made-up")})
	testutil.WantCode(t, err, "InvalidInput")
	_, err = gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: aws.Int32(51)})
	testutil.WantCode(t, err, "ValidationError")

	// A user with no policy is refused, in the service's own code.
	if _, err := e.Svc.CreateUser(context.Background(), e.Account.ID, iam.CreateUserInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(context.Background(), e.Account.ID, "bob")
	if err != nil {
		t.Fatal(err)
	}
	bobGD := guardduty.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, ""))
	_, err = bobGD.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("d-1")})
	testutil.WantCode(t, err, "AccessDeniedException")
}
