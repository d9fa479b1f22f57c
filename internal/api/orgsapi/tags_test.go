package orgsapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// listTags reads every tag of a resource with the SDK's paginator, as Terraform does after a
// create, and returns them in the order served.
func listTags(t *testing.T, c servertest.Caller, id string) []otypes.Tag {
	t.Helper()
	var out []otypes.Tag
	pg := organizations.NewListTagsForResourcePaginator(c.Orgs, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for pg.HasMorePages() {
		p, err := pg.NextPage(servertest.Ctx(t))
		if err != nil {
			t.Fatalf("ListTagsForResource(%s): %v", id, err)
		}
		out = append(out, p.Tags...)
	}
	return out
}

// tagString renders tags as "k=v,k=v" in the order given.
func tagString(tags []otypes.Tag) string {
	parts := make([]string, len(tags))
	for i, tg := range tags {
		parts[i] = aws.ToString(tg.Key) + "=" + aws.ToString(tg.Value)
	}
	return strings.Join(parts, ",")
}

func sdkTags(kv ...string) []otypes.Tag {
	out := make([]otypes.Tag, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, otypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

const denyCreateUser = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`

func TestOrganizationsTags(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	rootID := e.NewOrg(m)

	// Tags given at create time are there when the tool reads them back.
	created, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("dev"), Email: aws.String("dev@example.com"), Tags: sdkTags("env", "dev", "owner", "platform"),
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := m.Orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.AccountId == nil {
		t.Fatalf("status = %+v, %v", st, err)
	}
	dev := *st.CreateAccountStatus.AccountId
	ou, err := m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(rootID), Name: aws.String("workloads"), Tags: sdkTags("tier", "1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	ouID := *ou.OrganizationalUnit.Id
	pol, err := m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("no-users"), Description: aws.String("d"), Type: otypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(denyCreateUser), Tags: sdkTags("purpose", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	policyID := *pol.Policy.PolicySummary.Id
	for id, want := range map[string]string{dev: "env=dev,owner=platform", ouID: "tier=1", policyID: "purpose=", rootID: ""} {
		if got := tagString(listTags(t, m, id)); got != want {
			t.Fatalf("create-time tags of %s = %q, want %q", id, got, want)
		}
	}

	resources := []struct{ name, id string }{
		{"account", dev}, {"management account", e.Account.ID}, {"OU", ouID}, {"root", rootID}, {"policy", policyID},
	}
	for _, r := range resources {
		t.Run(r.name, func(t *testing.T) {
			if _, err := m.Orgs.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(r.id),
				TagKeys: []string{"env", "owner", "tier", "purpose"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(r.id),
				Tags: sdkTags("zeta", "z", "alpha", "a", "mid", "")}); err != nil {
				t.Fatal(err)
			}
			if got := tagString(listTags(t, m, r.id)); got != "alpha=a,mid=,zeta=z" {
				t.Fatalf("tags = %q (sorted by key)", got)
			}
			if _, err := m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(r.id),
				Tags: sdkTags("alpha", "A2")}); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Orgs.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(r.id),
				TagKeys: []string{"zeta", "never-set"}}); err != nil {
				t.Fatal(err)
			}
			if got := tagString(listTags(t, m, r.id)); got != "alpha=A2,mid=" {
				t.Fatalf("after overwrite and untag = %q", got)
			}
		})
	}

	// Fifty tags are served over pages; a fifty-first is refused.
	fifty := make([]otypes.Tag, 50)
	for i := range fifty {
		fifty[i] = otypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}
	}
	if _, err := m.Orgs.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(rootID), TagKeys: []string{"alpha", "mid"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(rootID), Tags: fifty}); err != nil {
		t.Fatal(err)
	}
	first, err := m.Orgs.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(rootID)})
	if err != nil || first.NextToken == nil || len(first.Tags) == 50 {
		t.Fatalf("first page = %d tags, NextToken %v, %v", len(first.Tags), first.NextToken, err)
	}
	if got := listTags(t, m, rootID); len(got) != 50 || *got[0].Key != "k00" || *got[49].Key != "k49" {
		t.Fatalf("all pages = %d tags: %s", len(got), tagString(got))
	}

	member := e.UserIn(dev, "admin", "")
	outsider := e.Standalone("outsider")
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name   string
		c      servertest.Caller
		id     string
		tags   []otypes.Tag
		code   string
		reason string
	}{
		{"fifty-first tag", m, rootID, sdkTags("one-more", "v"), "ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED"},
		{"aws prefix", m, dev, sdkTags("aws:cloudformation:stack-name", "s"), "InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER"},
		{"empty key", m, dev, sdkTags("", "v"), "InvalidInputException", "MIN_LENGTH_EXCEEDED"},
		{"key of 129", m, dev, sdkTags(long(129), "v"), "InvalidInputException", "MAX_LENGTH_EXCEEDED"},
		{"value of 257", m, dev, sdkTags("k", long(257)), "InvalidInputException", "MAX_LENGTH_EXCEEDED"},
		{"unknown account", m, "999999999999", sdkTags("k", "v"), "TargetNotFoundException", ""},
		{"unknown OU", m, "ou-zzzz-zzzzzzzz", sdkTags("k", "v"), "TargetNotFoundException", ""},
		{"unknown policy", m, "p-zzzzzzzz", sdkTags("k", "v"), "TargetNotFoundException", ""},
		{"outsider account", m, outsider.Account, sdkTags("k", "v"), "TargetNotFoundException", ""},
		{"member account caller", member, dev, sdkTags("k", "v"), "AccessDeniedException", ""},
		{"caller outside any organization", outsider, rootID, sdkTags("k", "v"), "AWSOrganizationsNotInUseException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(tc.id), Tags: tc.tags})
			if tc.reason != "" {
				servertest.WantReason(t, err, tc.code, tc.reason)
			} else {
				testutil.WantCode(t, err, tc.code)
			}
		})
	}
	_, err = member.Orgs.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(dev)})
	testutil.WantCode(t, err, "AccessDeniedException")
	_, err = member.Orgs.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(dev), TagKeys: []string{"env"}})
	testutil.WantCode(t, err, "AccessDeniedException")
	_, err = m.Orgs.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String("999999999999")})
	testutil.WantCode(t, err, "TargetNotFoundException")
	if got := tagString(listTags(t, m, dev)); got != "alpha=A2,mid=" {
		t.Fatalf("refused requests changed the account's tags: %s", got)
	}
}

func TestOrganizationsCreateWithInvalidTags(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	rootID := e.NewOrg(m)
	// noValidation drops the SDK's client-side checks, so a tag without Value reaches the server.
	noValidation := func(o *organizations.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			_, err := s.Initialize.Remove("OperationInputValidation")
			return err
		})
	}
	tests := []struct {
		name   string
		tags   []otypes.Tag
		reason string
	}{
		{"aws prefix", sdkTags("ok", "1", "AWS:x", "2"), "INVALID_SYSTEM_TAGS_PARAMETER"},
		{"duplicate key", sdkTags("env", "a", "env", "b"), "DUPLICATE_TAG_KEY"},
		{"value too long", sdkTags("k", strings.Repeat("v", 257)), "MAX_LENGTH_EXCEEDED"},
		{"null value", []otypes.Tag{{Key: aws.String("k")}}, "INPUT_REQUIRED"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("x%d", i)
			_, err := m.Orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name),
				Email: aws.String(name + "@example.com"), Tags: tc.tags}, noValidation)
			servertest.WantReason(t, err, "InvalidInputException", tc.reason)
			_, err = m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID),
				Name: aws.String(name), Tags: tc.tags}, noValidation)
			servertest.WantReason(t, err, "InvalidInputException", tc.reason)
			_, err = m.Orgs.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String("d"),
				Type: otypes.PolicyTypeServiceControlPolicy, Content: aws.String(denyCreateUser), Tags: tc.tags}, noValidation)
			servertest.WantReason(t, err, "InvalidInputException", tc.reason)
			_, err = m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(rootID), Tags: tc.tags}, noValidation)
			servertest.WantReason(t, err, "InvalidInputException", tc.reason)
		})
	}
	// Nothing was created by the refused requests.
	reqs, err := m.Orgs.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})
	if err != nil || len(reqs.CreateAccountStatuses) != 0 {
		t.Fatalf("create requests = %+v, %v", reqs, err)
	}
	accts, err := m.Orgs.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 1 {
		t.Fatalf("accounts = %+v, %v", accts, err)
	}
	ous, err := m.Orgs.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(rootID)})
	if err != nil || len(ous.OrganizationalUnits) != 0 {
		t.Fatalf("OUs = %+v, %v", ous, err)
	}
	pols, err := m.Orgs.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: otypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(pols.Policies) != 1 {
		t.Fatalf("policies = %+v, %v", pols, err)
	}
	if got := listTags(t, m, rootID); len(got) != 0 {
		t.Fatalf("root tags = %s", tagString(got))
	}
}

func TestOrganizationsTagsAfterDelete(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	m := e.Admin()
	rootID := e.NewOrg(m)
	dev := e.CreateMember(m, "dev")
	if _, err := m.Orgs.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(dev), Tags: sdkTags("env", "dev")}); err != nil {
		t.Fatal(err)
	}
	ou, err := m.Orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rootID),
		Name: aws.String("gone"), Tags: sdkTags("env", "x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Orgs.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: ou.OrganizationalUnit.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Orgs.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(dev)}); err != nil {
		t.Fatal(err)
	}
	// Once gone, neither is a target any longer (the store-level removal is tested in internal/orgs).
	for _, id := range []string{*ou.OrganizationalUnit.Id, dev} {
		_, err := m.Orgs.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
		testutil.WantCode(t, err, "TargetNotFoundException")
	}
}
