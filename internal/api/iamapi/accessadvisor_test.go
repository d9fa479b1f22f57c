package iamapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestAccessAdvisor: the services a user's, a role's and a group's policies allow, with when each
// was last used and by whom, computed from the trail (IAM API Reference,
// GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails,
// GetServiceLastAccessedDetailsWithEntities).
func TestAccessAdvisor(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","sts:GetCallerIdentity","sts:AssumeRole","s3:GetObject"],"Resource":"*"}]}`
	aliceIAM, aliceSTS := e.UserClients("alice", policy)
	_, _ = e.UserClients("bob", policy) // allowed the same, never uses anything
	if _, err := e.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob"} {
		if _, err := e.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.IAM.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := aliceIAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	// A refused call is no use of the service.
	_, err := aliceIAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("mallory")})
	testutil.WantCode(t, err, "AccessDenied")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:user/alice"},"Action":"sts:AssumeRole"}]}`
	role, err := e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	creds, err := aliceSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	_, roleSTS := e.Clients(*creds.Credentials.AccessKeyId, *creds.Credentials.SecretAccessKey, *creds.Credentials.SessionToken)
	if _, err := roleSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}

	report := func(arn string) map[string]iamtypes.ServiceLastAccessed {
		t.Helper()
		job, err := e.IAM.GenerateServiceLastAccessedDetails(ctx, &awsiam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.IAM.GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: job.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if out.JobStatus != iamtypes.JobStatusTypeCompleted || out.JobType != iamtypes.AccessAdvisorUsageGranularityTypeServiceLevel || out.JobCompletionDate == nil {
			t.Fatalf("job %+v", out)
		}
		got := map[string]iamtypes.ServiceLastAccessed{}
		for _, s := range out.ServicesLastAccessed {
			got[aws.ToString(s.ServiceNamespace)] = s
		}
		if len(got) != 3 || got["s3"].LastAuthenticated != nil || aws.ToString(got["s3"].ServiceName) != "Amazon S3" {
			t.Fatalf("services of %s: %+v", arn, out.ServicesLastAccessed)
		}
		return got
	}
	aliceARN := "arn:aws:iam::" + e.Account.ID + ":user/alice"
	alice := report(aliceARN)
	if alice["iam"].LastAuthenticated == nil || aws.ToString(alice["iam"].LastAuthenticatedEntity) != aliceARN ||
		aws.ToInt32(alice["iam"].TotalAuthenticatedEntities) != 1 || aws.ToString(alice["iam"].LastAuthenticatedRegion) != "us-east-1" {
		t.Errorf("alice's iam use: %+v", alice["iam"])
	}
	if alice["sts"].LastAuthenticated == nil { // AssumeRole
		t.Errorf("alice's sts use: %+v", alice["sts"])
	}
	roleReport := report(*role.Role.Arn)
	if roleReport["sts"].LastAuthenticated == nil || aws.ToString(roleReport["sts"].LastAuthenticatedEntity) != *role.Role.Arn || roleReport["iam"].LastAuthenticated != nil {
		t.Errorf("the role's uses: %+v", roleReport)
	}
	group := report("arn:aws:iam::" + e.Account.ID + ":group/devs")
	if aws.ToInt32(group["iam"].TotalAuthenticatedEntities) != 1 {
		t.Errorf("the group's iam use: %+v", group["iam"])
	}
	job, err := e.IAM.GenerateServiceLastAccessedDetails(ctx, &awsiam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + e.Account.ID + ":group/devs")})
	if err != nil {
		t.Fatal(err)
	}
	ents, err := e.IAM.GetServiceLastAccessedDetailsWithEntities(ctx, &awsiam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: job.JobId, ServiceNamespace: aws.String("iam"), MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ents.EntityDetailsList) != 1 || aws.ToString(ents.EntityDetailsList[0].EntityInfo.Name) != "alice" || ents.EntityDetailsList[0].LastAuthenticated == nil ||
		ents.EntityDetailsList[0].EntityInfo.Type != iamtypes.PolicyOwnerEntityTypeUser || !ents.IsTruncated {
		t.Fatalf("entities, first page: %+v", ents)
	}
	more, err := e.IAM.GetServiceLastAccessedDetailsWithEntities(ctx, &awsiam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: job.JobId, ServiceNamespace: aws.String("iam"), Marker: ents.Marker})
	if err != nil || len(more.EntityDetailsList) != 1 || aws.ToString(more.EntityDetailsList[0].EntityInfo.Name) != "bob" || more.EntityDetailsList[0].LastAuthenticated != nil {
		t.Fatalf("entities, second page: %+v, %v", more, err)
	}

	_, err = e.IAM.GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: aws.String("00000000-0000-0000-0000-000000000000")})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = e.IAM.GenerateServiceLastAccessedDetails(ctx, &awsiam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + e.Account.ID + ":user/nobody")})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = e.IAM.GenerateServiceLastAccessedDetails(ctx, &awsiam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:s3:::bucket")})
	testutil.WantCode(t, err, "InvalidInput")
	_, err = aliceIAM.GenerateServiceLastAccessedDetails(ctx, &awsiam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(aliceARN)})
	testutil.WantCode(t, err, "AccessDenied")
	if !strings.Contains(aws.ToString(group["iam"].LastAuthenticatedEntity), ":user/alice") {
		t.Errorf("the group's last iam user: %+v", group["iam"])
	}
}
