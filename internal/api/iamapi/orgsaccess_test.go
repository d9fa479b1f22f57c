package iamapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestOrganizationsAccessReport: the management account's report on its root, an OU, an account
// and one SCP lists the services the SCPs allow and when a principal below the entity last used
// each, computed from the trail (IAM API Reference, GenerateOrganizationsAccessReport,
// GetOrganizationsAccessReport); the refusals of a member, of a path outside the organization and
// of SCPs not enabled; a report whose entity is gone FAILS with ErrorDetails.
func TestOrganizationsAccessReport(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	root := e.NewOrg(m)
	org, err := m.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	rootPath := *org.Organization.Id + "/" + root
	generate := func(c servertest.Caller, path, policyID string) (string, error) {
		t.Helper()
		in := &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(path)}
		if policyID != "" {
			in.OrganizationsPolicyId = aws.String(policyID)
		}
		out, err := c.IAM.GenerateOrganizationsAccessReport(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.JobId), nil
	}
	_, err = generate(m, rootPath, "")
	testutil.WantCode(t, err, "InvalidInput") // SCPs not enabled yet
	if _, err := m.Orgs.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: otypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	ou, err := m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("empty")})
	if err != nil {
		t.Fatal(err)
	}
	member := e.CreateMember(m, "dev1")
	if _, err := m.Orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: aws.String(root), DestinationParentId: ou.OrganizationalUnit.Id}); err != nil {
		t.Fatal(err)
	}
	ouPath := rootPath + "/" + *ou.OrganizationalUnit.Id
	memberPath := ouPath + "/" + member
	dev := e.UserIn(member, "dev", "")
	if _, err := dev.IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	iamOnly, err := m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("iam-only"), Description: aws.String("d"),
		Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}

	report := func(job string, sortKey iamtypes.SortKeyType) *awsiam.GetOrganizationsAccessReportOutput {
		t.Helper()
		out, err := m.IAM.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: aws.String(job), SortKey: sortKey})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	used := func(out *awsiam.GetOrganizationsAccessReportOutput) map[string]iamtypes.AccessDetail {
		got := map[string]iamtypes.AccessDetail{}
		for _, d := range out.AccessDetails {
			if d.LastAuthenticatedTime != nil {
				got[aws.ToString(d.ServiceNamespace)] = d
			}
		}
		return got
	}
	for _, tc := range []struct {
		name, path, policy string
		wantUsed           []string
		wantServices       int    // 0: more than the used ones
		wantPath           string // of the last use of sts ("": not checked)
		wantEntities       int32  // accounts that used sts
	}{
		// The management account's admin (this test's caller) uses IAM and Organizations.
		{"root", rootPath, "", []string{"iam", "organizations", "sts"}, 0, memberPath, 1},
		{"ou", ouPath, "", []string{"iam", "sts"}, 0, memberPath, 1},
		{"account", memberPath, "", []string{"iam", "sts"}, 0, memberPath, 1},
		{"empty ou", rootPath + "/" + *empty.OrganizationalUnit.Id, "", nil, 0, "", 0},
		{"one scp", ouPath, *iamOnly.Policy.PolicySummary.Id, []string{"iam"}, 1, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job, err := generate(m, tc.path, tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			out := report(job, "")
			if out.JobStatus != iamtypes.JobStatusTypeCompleted || out.JobCompletionDate == nil || out.ErrorDetails != nil {
				t.Fatalf("job: got %+v, want COMPLETED", out)
			}
			got := used(out)
			if len(got) != len(tc.wantUsed) {
				t.Fatalf("used services: got %v, want %v", got, tc.wantUsed)
			}
			for _, ns := range tc.wantUsed {
				if _, ok := got[ns]; !ok {
					t.Errorf("used services: got %v, want %s among them", got, ns)
				}
			}
			if d := got["sts"]; tc.wantPath != "" && (aws.ToString(d.EntityPath) != tc.wantPath || aws.ToInt32(d.TotalAuthenticatedEntities) != tc.wantEntities || aws.ToString(d.Region) != "us-east-1") {
				t.Errorf("sts: got path %q, entities %d, region %q; want %q, %d, us-east-1", aws.ToString(d.EntityPath),
					aws.ToInt32(d.TotalAuthenticatedEntities), aws.ToString(d.Region), tc.wantPath, tc.wantEntities)
			}
			n := len(out.AccessDetails)
			if (tc.wantServices != 0 && n != tc.wantServices) || (tc.wantServices == 0 && n <= len(tc.wantUsed)) {
				t.Errorf("services: got %d, want %d (0: more than %d)", n, tc.wantServices, len(tc.wantUsed))
			}
			if aws.ToInt32(out.NumberOfServicesAccessible) != int32(n) || aws.ToInt32(out.NumberOfServicesNotAccessed) != int32(n-len(tc.wantUsed)) {
				t.Errorf("counts: got %d accessible, %d not accessed; want %d, %d", aws.ToInt32(out.NumberOfServicesAccessible),
					aws.ToInt32(out.NumberOfServicesNotAccessed), n, n-len(tc.wantUsed))
			}
		})
	}

	t.Run("sorted and paged", func(t *testing.T) {
		job, err := generate(m, rootPath, "")
		if err != nil {
			t.Fatal(err)
		}
		byTime := report(job, iamtypes.SortKeyTypeLastAuthenticatedTimeDescending)
		d := byTime.AccessDetails
		for i := 1; i < len(d); i++ {
			a, b := d[i-1].LastAuthenticatedTime, d[i].LastAuthenticatedTime
			if a == nil && b != nil || a != nil && b != nil && a.Before(*b) {
				t.Fatalf("time descending: %s (%v) before %s (%v)", *d[i-1].ServiceNamespace, a, *d[i].ServiceNamespace, b)
			}
		}
		if len(d) < 4 || d[0].LastAuthenticatedTime == nil || d[3].LastAuthenticatedTime != nil {
			t.Errorf("time descending: got %d services, want the three used ones first", len(d))
		}
		byName := report(job, iamtypes.SortKeyTypeServiceNamespaceDescending).AccessDetails
		for i := 1; i < len(byName); i++ {
			if *byName[i-1].ServiceNamespace < *byName[i].ServiceNamespace {
				t.Fatalf("namespace descending: %s before %s", *byName[i-1].ServiceNamespace, *byName[i].ServiceNamespace)
			}
		}
		page, err := m.IAM.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: aws.String(job), MaxItems: aws.Int32(2)})
		if err != nil || !page.IsTruncated || len(page.AccessDetails) != 2 {
			t.Fatalf("page of 2: got %+v, %v", page, err)
		}
		next, err := m.IAM.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: aws.String(job), Marker: page.Marker})
		if err != nil || len(next.AccessDetails) != len(byName)-2 {
			t.Fatalf("next page: got %d items, %v; want %d", len(next.AccessDetails), err, len(byName)-2)
		}
	})

	t.Run("entity gone", func(t *testing.T) {
		job, err := generate(m, rootPath+"/"+*empty.OrganizationalUnit.Id, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Orgs.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: empty.OrganizationalUnit.Id}); err != nil {
			t.Fatal(err)
		}
		out := report(job, "")
		if out.JobStatus != iamtypes.JobStatusTypeFailed || out.ErrorDetails == nil || aws.ToString(out.ErrorDetails.Code) != "InvalidInput" {
			t.Fatalf("got %+v, want FAILED with ErrorDetails InvalidInput", out)
		}
	})

	for _, tc := range []struct {
		name, path, policy, code string
		caller                   servertest.Caller
	}{
		{"member account", memberPath, "", "AccessDenied", dev},
		{"another organization", "o-aaaaaaaaaa/" + root, "", "InvalidInput", m},
		{"account under the wrong ou", rootPath + "/" + member, "", "InvalidInput", m},
		{"malformed path", "not-a-path-of-any-organization", "", "ValidationError", m},
		{"not an scp", rootPath, "p-FullAWSAcces0", "InvalidInput", m},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := generate(tc.caller, tc.path, tc.policy)
			testutil.WantCode(t, err, tc.code)
		})
	}
	_, err = m.IAM.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: aws.String("00000000-0000-0000-0000-000000000000")})
	testutil.WantCode(t, err, "NoSuchEntity")
	_, err = m.IAM.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: aws.String("x"), SortKey: "SIDEWAYS"})
	testutil.WantCode(t, err, "ValidationError")
}
