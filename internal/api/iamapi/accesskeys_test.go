package iamapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestAccessKeys(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 0; i < 2; i++ {
		k, err := e.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(*k.AccessKey.AccessKeyId, "AKIA") || len(*k.AccessKey.AccessKeyId) != 20 ||
			len(*k.AccessKey.SecretAccessKey) != 40 || k.AccessKey.Status != types.StatusTypeActive {
			t.Fatalf("CreateAccessKey = %+v", k.AccessKey)
		}
		ids = append(ids, *k.AccessKey.AccessKeyId)
	}
	_, err := e.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("bob")})
	testutil.WantCode(t, err, "LimitExceeded")

	// The admin's own key records its last use.
	lu, err := e.IAM.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(e.AdminKey.AccessKeyID)})
	if err != nil || *lu.UserName != "admin" || lu.AccessKeyLastUsed.LastUsedDate == nil ||
		*lu.AccessKeyLastUsed.ServiceName != "iam" || *lu.AccessKeyLastUsed.Region != "us-east-1" {
		t.Fatalf("GetAccessKeyLastUsed = %+v, %v", lu, err)
	}
	// A key never used says N/A.
	lu, err = e.IAM.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(ids[0])})
	if err != nil || lu.AccessKeyLastUsed.LastUsedDate != nil || *lu.AccessKeyLastUsed.ServiceName != "N/A" {
		t.Fatalf("GetAccessKeyLastUsed(unused) = %+v, %v", lu, err)
	}

	// An inactive key is refused with InvalidClientTokenId.
	if _, err := e.IAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(e.AdminKey.AccessKeyID), Status: types.StatusTypeInactive}); err == nil {
		t.Fatal("updated another user's key through bob's name")
	}
	if _, err := e.IAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("admin"), AccessKeyId: aws.String(e.AdminKey.AccessKeyID), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	testutil.WantCode(t, err, "InvalidClientTokenId")
}
