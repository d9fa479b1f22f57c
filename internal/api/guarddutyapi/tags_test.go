package guarddutyapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func (e *env) detectorARN(id string) string {
	return "arn:aws:guardduty:us-east-1:" + e.Account.ID + ":detector/" + id
}

// userClient is a GuardDuty client of a new user of the test account with the inline policy.
func (e *env) userClient(t *testing.T, name, policy string) *guardduty.Client {
	t.Helper()
	ctx := servertest.Ctx(t)
	if _, err := e.Svc.CreateUser(ctx, e.Account.ID, iam.CreateUserInput{UserName: name}); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.PutInlinePolicy(ctx, e.Account.ID, "user", name, "inline", policy); err != nil {
		t.Fatal(err)
	}
	k, err := e.Svc.CreateAccessKey(ctx, e.Account.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	return guardduty.NewFromConfig(e.Config(k.AccessKeyID, k.Secret, ""))
}

// TagResource, UntagResource and ListTagsForResource on a detector, and their errors.
func TestDetectorTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	det := e.createDetector(t)
	res := e.detectorARN(det)

	if _, err := e.admin.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: &res, Tags: map[string]string{"team": "sec", "env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.UntagResource(ctx, &guardduty.UntagResourceInput{ResourceArn: &res, TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	got, err := e.admin.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: &res})
	if err != nil || len(got.Tags) != 1 || got.Tags["team"] != "sec" {
		t.Fatalf("ListTagsForResource = %v, %v; want team=sec", got, err)
	}
	d, err := e.admin.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: &det})
	if err != nil || len(d.Tags) != 1 || d.Tags["team"] != "sec" {
		t.Fatalf("GetDetector tags = %v, %v; want team=sec", d, err)
	}

	other := "arn:aws:guardduty:us-east-1:111122223333:detector/" + det
	unknown := e.detectorARN("0123456789abcdef0123456789abcdef")
	cases := []struct {
		name string
		call func() error
	}{
		{"tag an unknown detector", func() error {
			_, err := e.admin.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: &unknown, Tags: map[string]string{"a": "b"}})
			return err
		}},
		{"tag another account's detector", func() error {
			_, err := e.admin.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: &other, Tags: map[string]string{"a": "b"}})
			return err
		}},
		{"tag key with aws: prefix", func() error {
			_, err := e.admin.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: &res, Tags: map[string]string{"aws:x": "b"}})
			return err
		}},
		{"list an unknown detector's tags", func() error {
			_, err := e.admin.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: &unknown})
			return err
		}},
		{"untag without keys", func() error {
			_, err := e.admin.UntagResource(ctx, &guardduty.UntagResourceInput{ResourceArn: &res, TagKeys: []string{}})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			testutil.WantCode(t, err, "BadRequestException")
			testutil.WantStatus(t, err, 400)
		})
	}
	got, err = e.admin.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: &res})
	if err != nil || len(got.Tags) != 1 {
		t.Fatalf("after the refused calls, tags = %v, %v; want team=sec only", got, err)
	}
}

// The tag condition keys of the Service Authorization Reference reach the policy: aws:ResourceTag/*
// on the actions on a detector, aws:RequestTag/* and aws:TagKeys on CreateDetector and
// TagResource, aws:TagKeys on UntagResource.
func TestTagConditionKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	created, err := e.admin.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), Tags: map[string]string{"protected": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	det := aws.ToString(created.DetectorId)
	res := e.detectorARN(det)
	op := e.userClient(t, "operator", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"guardduty:*","Resource":"*"},
		{"Effect":"Deny","Action":["guardduty:DeleteDetector","guardduty:UpdateDetector"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/protected":"true"}}},
		{"Effect":"Deny","Action":["guardduty:CreateDetector","guardduty:TagResource"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/owner":"mallory"}}},
		{"Effect":"Deny","Action":["guardduty:CreateDetector","guardduty:TagResource","guardduty:UntagResource"],"Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"protected"}}}]}`)
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"delete a protected detector", func() error {
			_, err := op.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: &det})
			return err
		}, "AccessDeniedException"},
		{"disable a protected detector", func() error {
			_, err := op.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: &det, Enable: aws.Bool(false)})
			return err
		}, "AccessDeniedException"},
		{"remove the protected tag", func() error {
			_, err := op.UntagResource(ctx, &guardduty.UntagResourceInput{ResourceArn: &res, TagKeys: []string{"protected"}})
			return err
		}, "AccessDeniedException"},
		{"overwrite the protected tag", func() error {
			_, err := op.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: &res, Tags: map[string]string{"protected": "false"}})
			return err
		}, "AccessDeniedException"},
		{"tag with a denied value", func() error {
			_, err := op.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: &res, Tags: map[string]string{"owner": "mallory"}})
			return err
		}, "AccessDeniedException"},
		{"create with a denied tag value", func() error {
			_, err := op.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), Tags: map[string]string{"owner": "mallory"}})
			return err
		}, "AccessDeniedException"},
		{"create with a denied tag key", func() error {
			_, err := op.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), Tags: map[string]string{"protected": "x"}})
			return err
		}, "AccessDeniedException"},
		{"tag with an allowed key", func() error {
			_, err := op.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: &res, Tags: map[string]string{"owner": "alice"}})
			return err
		}, ""},
		{"read a protected detector", func() error {
			_, err := op.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: &det})
			return err
		}, ""},
		{"create a second detector (allowed, refused by GuardDuty)", func() error {
			_, err := op.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), Tags: map[string]string{"owner": "alice"}})
			return err
		}, "BadRequestException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.code == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			testutil.WantCode(t, err, tc.code)
		})
	}
	got, err := e.admin.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: &res})
	if err != nil || got.Tags["protected"] != "true" || got.Tags["owner"] != "alice" {
		t.Fatalf("tags after the calls = %v, %v; want protected=true, owner=alice", got, err)
	}
	d, err := e.admin.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: &det})
	if err != nil || d.Status != "ENABLED" {
		t.Fatalf("detector after the refused calls = %v, %v; want it kept, ENABLED", d, err)
	}
}
