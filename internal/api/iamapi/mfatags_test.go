package iamapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TagMFADevice and UntagMFADevice change what ListMFADeviceTags lists; GetMFADevice answers a
// user's enabled device; SetSecurityTokenServicePreferences shows in GetAccountSummary.
func TestMFADeviceTagsAndGetMFADevice(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	c := e.IAM
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("mia")}); err != nil {
		t.Fatal(err)
	}
	serial, _ := e.MFADevice(clk, "mia")
	sn := aws.String(serial)
	if _, err := c.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: sn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagMFADevice(ctx, &awsiam.UntagMFADeviceInput{SerialNumber: sn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: sn})
	if err != nil || len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Key) != "b" {
		t.Fatalf("ListMFADeviceTags = %+v, %v; want b only", lt, err)
	}
	missing := aws.String("arn:aws:iam::" + e.Account.ID + ":mfa/none")
	_, err = c.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: missing, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	testutil.WantCode(t, err, "NoSuchEntity")

	g, err := c.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("mia"), SerialNumber: sn})
	if err != nil || aws.ToString(g.SerialNumber) != serial || aws.ToString(g.UserName) != "mia" || g.EnableDate == nil {
		t.Fatalf("GetMFADevice = %+v, %v; want mia's device with its enable date", g, err)
	}
	_, err = c.GetMFADevice(ctx, &awsiam.GetMFADeviceInput{UserName: aws.String("mia"), SerialNumber: missing})
	testutil.WantCode(t, err, "NoSuchEntity")

	sum := func() int32 {
		s, err := c.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
		if err != nil {
			t.Fatal(err)
		}
		return s.SummaryMap["GlobalEndpointTokenVersion"]
	}
	if v := sum(); v != 1 {
		t.Errorf("GlobalEndpointTokenVersion before = %d, want 1", v)
	}
	if _, err := c.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token}); err != nil {
		t.Fatal(err)
	}
	if v := sum(); v != 2 {
		t.Errorf("GlobalEndpointTokenVersion after v2Token = %d, want 2", v)
	}
	_, err = c.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: "v3Token"})
	testutil.WantCode(t, err, "ValidationError")
}
