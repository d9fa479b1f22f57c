package iamapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestAccountSummaryAndAuthorizationDetails(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	const readDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	const trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}))
	must(e.IAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}))
	must(e.IAM.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	must(e.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readDoc)}))
	must(e.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustDoc)}))
	pol, err := e.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("custom"), PolicyDocument: aws.String(readDoc)})
	if err != nil {
		t.Fatal(err)
	}
	must(e.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Policy.Arn}))
	must(e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare")}))

	sum, err := e.IAM.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]int32{
		"Users": 2, "Groups": 1, "Roles": 1, "Policies": 1, "MFADevices": 1, "MFADevicesInUse": 0, "PolicyVersionsInUse": 2,
		"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "AccessKeysPerUserQuota": 2,
		"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 0, "AccountSigningCertificatesPresent": 0,
	} {
		if got, ok := sum.SummaryMap[k]; !ok || got != want {
			t.Errorf("SummaryMap[%s] = %d (present %t), want %d", k, got, ok, want)
		}
	}

	// The whole account, one entity per page.
	var users, groups, roles, policies []string
	p := awsiam.NewGetAccountAuthorizationDetailsPaginator(e.IAM, &awsiam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range page.UserDetailList {
			users = append(users, *u.UserName)
			if *u.UserName != "alice" {
				continue
			}
			doc, _ := url.QueryUnescape(*u.UserPolicyList[0].PolicyDocument)
			if strings.Join(u.GroupList, ",") != "devs" || *u.UserPolicyList[0].PolicyName != "read" || doc != readDoc || *u.UserId == "" {
				t.Fatalf("alice = %+v", u)
			}
		}
		for _, g := range page.GroupDetailList {
			groups = append(groups, *g.GroupName)
			if len(g.AttachedManagedPolicies) != 1 || *g.AttachedManagedPolicies[0].PolicyArn != *pol.Policy.Arn {
				t.Fatalf("group = %+v", g)
			}
		}
		for _, r := range page.RoleDetailList {
			roles = append(roles, *r.RoleName)
			doc, _ := url.QueryUnescape(*r.AssumeRolePolicyDocument)
			if doc != trustDoc || len(r.InstanceProfileList) != 0 {
				t.Fatalf("role = %+v", r)
			}
		}
		for _, mp := range page.Policies {
			policies = append(policies, *mp.PolicyName)
			if *mp.PolicyName == "custom" {
				doc, _ := url.QueryUnescape(*mp.PolicyVersionList[0].Document)
				if len(mp.PolicyVersionList) != 1 || doc != readDoc || !mp.PolicyVersionList[0].IsDefaultVersion || *mp.AttachmentCount != 1 {
					t.Fatalf("policy = %+v", mp)
				}
			}
		}
	}
	got := strings.Join([]string{strings.Join(users, ","), strings.Join(groups, ","), strings.Join(roles, ","), strings.Join(policies, ",")}, " | ")
	if want := "admin,alice | devs | app | custom,AdministratorAccess"; got != want || pages != 6 {
		t.Fatalf("details = %s in %d pages, want %s in 6", got, pages, want)
	}

	only, err := e.IAM.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}})
	if err != nil || len(only.RoleDetailList) != 1 || len(only.UserDetailList)+len(only.GroupDetailList)+len(only.Policies) != 0 || only.IsTruncated {
		t.Fatalf("Filter Role = %+v, %v", only, err)
	}
	_, err = e.IAM.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Users"}})
	testutil.WantCode(t, err, "ValidationError")
}
