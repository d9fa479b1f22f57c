package orgs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

func TestCheckTags(t *testing.T) {
	many := func(n int) []Tag {
		out := make([]Tag, n)
		for i := range out {
			out[i] = Tag{Key: fmt.Sprintf("k%02d", i)}
		}
		return out
	}
	tests := []struct {
		name   string
		tags   []Tag
		code   awserr.Code
		reason string
	}{
		{"none", nil, "", ""},
		{"empty value", []Tag{{Key: "env"}}, "", ""},
		{"longest key and value", []Tag{{Key: strings.Repeat("k", 128), Value: strings.Repeat("v", 256)}}, "", ""},
		{"lengths count characters", []Tag{{Key: strings.Repeat("é", 128), Value: strings.Repeat("é", 256)}}, "", ""},
		{"aws inside a key", []Tag{{Key: "team:aws:x"}}, "", ""},
		{"fifty tags", many(50), "", ""},
		{"empty key", []Tag{{Key: "", Value: "x"}}, awserr.OrgsInvalidInput, ReasonMinLength},
		{"key too long", []Tag{{Key: strings.Repeat("k", 129)}}, awserr.OrgsInvalidInput, ReasonMaxLength},
		{"value too long", []Tag{{Key: "k", Value: strings.Repeat("v", 257)}}, awserr.OrgsInvalidInput, ReasonMaxLength},
		{"aws prefix", []Tag{{Key: "aws:createdBy", Value: "x"}}, awserr.OrgsInvalidInput, ReasonSystemTag},
		{"aws prefix in capitals", []Tag{{Key: "AWS:x"}}, awserr.OrgsInvalidInput, ReasonSystemTag},
		{"aws prefix in mixed case", []Tag{{Key: "aWs:x"}}, awserr.OrgsInvalidInput, ReasonSystemTag},
		{"duplicate key", []Tag{{Key: "env", Value: "a"}, {Key: "env", Value: "b"}}, awserr.OrgsInvalidInput, ReasonDuplicateTagKey},
		{"fifty-one tags", many(51), awserr.OrgsConstraintViolation, ReasonMaxTags},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkTags(tc.tags)
			if tc.code == "" {
				testutil.WantCode(t, err, "")
				return
			}
			wantReason(t, err, tc.code, tc.reason)
		})
	}
}

// tagsOf lists every tag of a resource through ListTagsForResource, following NextToken.
func (e *env) tagsOf(t *testing.T, caller, id string) map[string]string {
	t.Helper()
	out := map[string]string{}
	var lo ListOpts
	for {
		p := must(e.org.ListTagsForResource(e.ctx, caller, id, lo))(t)
		for _, tg := range p.Items {
			if _, dup := out[tg.Key]; dup {
				t.Fatalf("tag %q listed twice", tg.Key)
			}
			out[tg.Key] = tg.Value
		}
		if p.NextToken == "" {
			return out
		}
		lo.NextToken = p.NextToken
	}
}

// stored reports whether the store still holds a tags object for id.
func (e *env) stored(t *testing.T, orgID, id string) bool {
	t.Helper()
	var m map[string]string
	err := e.org.view(e.ctx, func(tx txn) (err error) {
		m, err = tx.tags(orgID, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m != nil
}

func wantTags(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("tags = %v, want %v", got, want)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Fatalf("tags = %v, want %v", got, want)
		}
	}
}

func TestTagEachResource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	dev := e.member(t, "dev")
	ou := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "workloads"))(t)
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	p := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "no-users", Type: TypeSCP, Content: deny}))(t)
	tests := []struct{ name, id string }{
		{"member account", dev},
		{"management account", e.mgmt},
		{"OU", ou.ID},
		{"root", o.RootID},
		{"policy", p.ID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantTags(t, e.tagsOf(t, e.mgmt, tc.id), map[string]string{})
			testutil.WantCode(t, e.org.TagResource(e.ctx, e.mgmt, tc.id, []Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: ""}}), "")
			wantTags(t, e.tagsOf(t, e.mgmt, tc.id), map[string]string{"env": "prod", "team": ""})
			// An existing key takes the new value; the others stay.
			testutil.WantCode(t, e.org.TagResource(e.ctx, e.mgmt, tc.id, []Tag{{Key: "env", Value: "dev"}, {Key: "Env", Value: "case"}}), "")
			wantTags(t, e.tagsOf(t, e.mgmt, tc.id), map[string]string{"env": "dev", "Env": "case", "team": ""})
			// Absent keys are ignored.
			testutil.WantCode(t, e.org.UntagResource(e.ctx, e.mgmt, tc.id, []string{"team", "absent"}), "")
			wantTags(t, e.tagsOf(t, e.mgmt, tc.id), map[string]string{"env": "dev", "Env": "case"})
			testutil.WantCode(t, e.org.UntagResource(e.ctx, e.mgmt, tc.id, []string{"env", "Env"}), "")
			wantTags(t, e.tagsOf(t, e.mgmt, tc.id), map[string]string{})
			if e.stored(t, o.ID, tc.id) {
				t.Fatal("an untagged resource keeps a tags object")
			}
		})
	}
}

func TestTagErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	sec := e.member(t, "security")
	dev := e.member(t, "dev")
	testutil.WantCode(t, e.org.EnableAWSServiceAccess(e.ctx, e.mgmt, IAMService), "")
	testutil.WantCode(t, e.org.RegisterDelegatedAdministrator(e.ctx, e.mgmt, sec, IAMService), "")
	outsider := e.account(t, "outsider")
	// Another organization's resources do not exist for this one.
	other := newEnv(t)
	oo := must(other.org.CreateOrganization(other.ctx, other.mgmt, ""))(t)
	otherOU := must(other.org.CreateOrganizationalUnit(other.ctx, other.mgmt, oo.RootID, "theirs"))(t)

	full := make([]Tag, maxTagsPerResource)
	for i := range full {
		full[i] = Tag{Key: fmt.Sprintf("k%02d", i), Value: "v"}
	}
	must(struct{}{}, e.org.TagResource(e.ctx, e.mgmt, o.RootID, full))(t)

	// same: ListTagsForResource and UntagResource refuse the caller or resource alike.
	tests := []struct {
		name   string
		caller string
		id     string
		tags   []Tag
		code   awserr.Code
		reason string
		same   bool
	}{
		{"delegated administrator may tag", sec, dev, []Tag{{Key: "owner", Value: "sec"}}, "", "", true},
		{"member account", dev, dev, []Tag{{Key: "k"}}, awserr.OrgsAccessDenied, "", true},
		{"outside any organization", outsider, dev, []Tag{{Key: "k"}}, awserr.OrgsNotInUse, "", true},
		{"unknown account", e.mgmt, "999999999999", []Tag{{Key: "k"}}, awserr.OrgsTargetNotFound, "", true},
		{"account of no organization", e.mgmt, outsider, []Tag{{Key: "k"}}, awserr.OrgsTargetNotFound, "", true},
		{"unknown OU", e.mgmt, "ou-zzzz-zzzzzzzz", []Tag{{Key: "k"}}, awserr.OrgsTargetNotFound, "", true},
		{"another organization's OU", e.mgmt, otherOU.ID, []Tag{{Key: "k"}}, awserr.OrgsTargetNotFound, "", true},
		{"another organization's root", e.mgmt, oo.RootID, []Tag{{Key: "k"}}, awserr.OrgsTargetNotFound, "", true},
		{"unknown policy", e.mgmt, "p-zzzzzzzz", []Tag{{Key: "k"}}, awserr.OrgsTargetNotFound, "", true},
		{"not an ID", e.mgmt, "o-abcdefghij", []Tag{{Key: "k"}}, awserr.OrgsInvalidInput, ReasonInvalidPattern, true},
		{"no ID", e.mgmt, "", []Tag{{Key: "k"}}, awserr.OrgsInvalidInput, ReasonInputRequired, true},
		{"AWS managed policy", e.mgmt, FullAWSAccessID, []Tag{{Key: "k"}}, awserr.OrgsInvalidInput, ReasonImmutablePolicy, false},
		{"no tags", e.mgmt, dev, nil, awserr.OrgsInvalidInput, ReasonInputRequired, false},
		{"aws prefix", e.mgmt, dev, []Tag{{Key: "aws:x"}}, awserr.OrgsInvalidInput, ReasonSystemTag, false},
		{"fifty-first tag", e.mgmt, o.RootID, []Tag{{Key: "one-more"}}, awserr.OrgsConstraintViolation, ReasonMaxTags, false},
		{"overwriting at the limit", e.mgmt, o.RootID, []Tag{{Key: "k00", Value: "new"}}, "", "", false},
	}
	check := func(t *testing.T, err error, code awserr.Code, reason string) {
		t.Helper()
		if reason != "" {
			wantReason(t, err, code, reason)
		} else {
			testutil.WantCode(t, err, code)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, e.org.TagResource(e.ctx, tc.caller, tc.id, tc.tags), tc.code, tc.reason)
			if !tc.same {
				return
			}
			_, err := e.org.ListTagsForResource(e.ctx, tc.caller, tc.id, ListOpts{})
			check(t, err, tc.code, tc.reason)
			check(t, e.org.UntagResource(e.ctx, tc.caller, tc.id, []string{"absent"}), tc.code, tc.reason)
		})
	}
	// FullAWSAccess lists no tags and cannot lose any.
	wantReason(t, e.org.UntagResource(e.ctx, e.mgmt, FullAWSAccessID, []string{"k"}), awserr.OrgsInvalidInput, ReasonImmutablePolicy)
	if got := e.tagsOf(t, e.mgmt, o.RootID); len(got) != maxTagsPerResource || got["k00"] != "new" {
		t.Fatalf("root tags after the limit cases = %v", got)
	}
	if got := e.tagsOf(t, e.mgmt, FullAWSAccessID); len(got) != 0 {
		t.Fatalf("FullAWSAccess tags = %v", got)
	}
	if got := e.tagsOf(t, sec, dev); got["owner"] != "sec" {
		t.Fatalf("delegated administrator reads %v", got)
	}
	wantReason(t, e.org.UntagResource(e.ctx, e.mgmt, dev, []string{"AWS:x"}), awserr.OrgsInvalidInput, ReasonSystemTag)
	wantReason(t, e.org.UntagResource(e.ctx, e.mgmt, dev, nil), awserr.OrgsInvalidInput, ReasonInputRequired)
}

func TestListTagsPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	var tags []Tag
	for i := maxTagsPerResource - 1; i >= 0; i-- {
		tags = append(tags, Tag{Key: fmt.Sprintf("key-%02d", i), Value: fmt.Sprint(i)})
	}
	testutil.WantCode(t, e.org.TagResource(e.ctx, e.mgmt, o.RootID, tags), "")
	var sizes []int
	var keys []string
	lo := ListOpts{}
	for {
		p := must(e.org.ListTagsForResource(e.ctx, e.mgmt, o.RootID, lo))(t)
		sizes = append(sizes, len(p.Items))
		for _, tg := range p.Items {
			keys = append(keys, tg.Key)
		}
		if p.NextToken == "" {
			break
		}
		lo.NextToken = p.NextToken
	}
	if fmt.Sprint(sizes) != "[20 20 10]" {
		t.Fatalf("page sizes = %v", sizes)
	}
	for i, k := range keys {
		if want := fmt.Sprintf("key-%02d", i); k != want {
			t.Fatalf("key %d = %q, want %q (sorted by key)", i, k, want)
		}
	}
	_, err := e.org.ListTagsForResource(e.ctx, e.mgmt, o.RootID, ListOpts{NextToken: "!"})
	wantReason(t, err, awserr.OrgsInvalidInput, ReasonInvalidNextToken)
}

func TestCreateWithTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	tags := []Tag{{Key: "env", Value: "prod"}, {Key: "cost-center", Value: "42"}}
	want := map[string]string{"env": "prod", "cost-center": "42"}

	st := must(e.org.CreateAccount(e.ctx, e.mgmt, CreateAccountInput{Email: "dev@example.com", AccountName: "dev", Tags: tags}))(t)
	done := must(e.org.DescribeCreateAccountStatus(e.ctx, e.mgmt, st.ID))(t)
	wantTags(t, e.tagsOf(t, e.mgmt, done.AccountID), want)
	ou := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "workloads", tags...))(t)
	wantTags(t, e.tagsOf(t, e.mgmt, ou.ID), want)
	p := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "no-users", Type: TypeSCP, Content: deny, Tags: tags}))(t)
	wantTags(t, e.tagsOf(t, e.mgmt, p.ID), want)

	bad := []struct {
		name   string
		tags   []Tag
		code   awserr.Code
		reason string
	}{
		{"aws prefix", []Tag{{Key: "ok"}, {Key: "aws:x"}}, awserr.OrgsInvalidInput, ReasonSystemTag},
		{"value too long", []Tag{{Key: "k", Value: strings.Repeat("v", 257)}}, awserr.OrgsInvalidInput, ReasonMaxLength},
		{"empty key", []Tag{{Key: ""}}, awserr.OrgsInvalidInput, ReasonMinLength},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.org.CreateAccount(e.ctx, e.mgmt, CreateAccountInput{Email: "x@example.com", AccountName: "x", Tags: tc.tags})
			wantReason(t, err, tc.code, tc.reason)
			_, err = e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "x", tc.tags...)
			wantReason(t, err, tc.code, tc.reason)
			_, err = e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "x", Type: TypeSCP, Content: deny, Tags: tc.tags})
			wantReason(t, err, tc.code, tc.reason)
			// Nothing was created: no request, account, OU or policy beyond the first ones.
			if reqs := must(e.org.ListCreateAccountStatus(e.ctx, e.mgmt, nil, ListOpts{}))(t); len(reqs.Items) != 1 {
				t.Fatalf("create requests = %+v", reqs.Items)
			}
			if accts := must(e.org.ListAccounts(e.ctx, e.mgmt, ListOpts{}))(t); len(accts.Items) != 2 {
				t.Fatalf("accounts = %+v", accts.Items)
			}
			if ous := must(e.org.ListOrganizationalUnitsForParent(e.ctx, e.mgmt, o.RootID, ListOpts{}))(t); len(ous.Items) != 1 {
				t.Fatalf("OUs = %+v", ous.Items)
			}
			if ps := must(e.org.ListPolicies(e.ctx, e.mgmt, TypeSCP, ListOpts{}))(t); len(ps.Items) != 2 {
				t.Fatalf("policies = %+v", ps.Items)
			}
		})
	}
	// The email of the refused requests stays free: they created no account behind the scenes.
	st = must(e.org.CreateAccount(e.ctx, e.mgmt, CreateAccountInput{Email: "x@example.com", AccountName: "x"}))(t)
	if done := must(e.org.DescribeCreateAccountStatus(e.ctx, e.mgmt, st.ID))(t); done.State != CreateSucceeded {
		t.Fatalf("status after refused requests = %+v", done)
	}
}

func TestTagsGoWithTheirResource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	tag := []Tag{{Key: "env", Value: "prod"}}
	ou := must(e.org.CreateOrganizationalUnit(e.ctx, e.mgmt, o.RootID, "workloads", tag...))(t)
	p := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "no-users", Type: TypeSCP, Content: deny, Tags: tag}))(t)
	removed, left, closed := e.member(t, "removed"), e.member(t, "left"), e.member(t, "closed")
	for _, id := range []string{removed, left, closed} {
		testutil.WantCode(t, e.org.TagResource(e.ctx, e.mgmt, id, tag), "")
	}
	tests := []struct {
		name string
		id   string
		act  func() error
		kept bool
	}{
		{"deleted OU", ou.ID, func() error { return e.org.DeleteOrganizationalUnit(e.ctx, e.mgmt, ou.ID) }, false},
		{"deleted policy", p.ID, func() error { return e.org.DeletePolicy(e.ctx, e.mgmt, p.ID) }, false},
		{"removed account", removed, func() error { return e.org.RemoveAccountFromOrganization(e.ctx, e.mgmt, removed) }, false},
		{"account that left", left, func() error { return e.org.LeaveOrganization(e.ctx, left) }, false},
		// A closed account stays in the organization, SUSPENDED, and keeps its tags.
		{"closed account", closed, func() error { return e.org.CloseAccount(e.ctx, e.mgmt, closed) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !e.stored(t, o.ID, tc.id) {
				t.Fatal("tags not stored before the change")
			}
			testutil.WantCode(t, tc.act(), "")
			if got := e.stored(t, o.ID, tc.id); got != tc.kept {
				t.Fatalf("tags stored = %v, want %v", got, tc.kept)
			}
		})
	}
}

// Deleting the organization drops every tag it held (the root's, the management account's, the
// remaining policies'), as it drops every other object of the organization.
func TestDeleteOrganizationDropsTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := must(e.org.CreateOrganization(e.ctx, e.mgmt, ""))(t)
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	tag := []Tag{{Key: "env", Value: "prod"}}
	p := must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "no-users", Type: TypeSCP, Content: deny, Tags: tag}))(t)
	testutil.WantCode(t, e.org.TagResource(e.ctx, e.mgmt, o.RootID, tag), "")
	testutil.WantCode(t, e.org.TagResource(e.ctx, e.mgmt, e.mgmt, tag), "")
	testutil.WantCode(t, e.org.DeletePolicy(e.ctx, e.mgmt, p.ID), "")
	p = must(e.org.CreatePolicy(e.ctx, e.mgmt, CreatePolicyInput{Name: "kept", Type: TypeSCP, Content: deny, Tags: tag}))(t)
	for _, id := range []string{o.RootID, e.mgmt, p.ID} {
		if !e.stored(t, o.ID, id) {
			t.Fatalf("%s: tags not stored", id)
		}
	}
	testutil.WantCode(t, e.org.DeletePolicy(e.ctx, e.mgmt, p.ID), "")
	testutil.WantCode(t, e.org.TagResource(e.ctx, e.mgmt, o.RootID, tag), "")
	testutil.WantCode(t, e.org.DeleteOrganization(e.ctx, e.mgmt), "")
	err := e.org.view(e.ctx, func(tx txn) error {
		keys, err := tx.Keys(kindTags, o.ID, "")
		if err == nil && len(keys) > 0 {
			t.Errorf("tags left after DeleteOrganization: %q", keys)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
