package iam

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/store/storetest"
)

// users creates n users, u00 u01 …, and returns their names.
func (e *credEnv) users(t *testing.T, n int) []string {
	t.Helper()
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("u%02d", i))
		e.user(t, names[i])
	}
	return names
}

// marker is the Marker of a page, "" on the last.
func marker(truncated bool, m string) string {
	if !truncated {
		return ""
	}
	return m
}

// TestListPoliciesReadsOnePage pages through ListPolicies: the pages joined are the AWS managed
// policies in their order then the account's own by name, each once; and a page of MaxItems reads
// at most MaxItems+1 of the account's policies, not all of them, also with a PathPrefix.
func TestListPoliciesReadsOnePage(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	const n = 30
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	var own, ownA []string
	for i := range n {
		path := "/b/"
		if i%3 == 0 {
			path = "/a/"
		}
		p, err := e.svc.CreatePolicy(e.ctx, e.account.ID, CreatePolicyInput{PolicyName: fmt.Sprintf("P%02d", i), Path: path, PolicyDocument: doc})
		if err != nil {
			t.Fatal(err)
		}
		own = append(own, p.Arn)
		if path == "/a/" {
			ownA = append(ownA, p.Arn)
		}
	}
	aws := awsManaged().arns
	tests := []struct {
		name     string
		in       ListPoliciesInput
		maxItems int
		want     []string
		maxReads int // of the account's policies, per page
	}{
		{"Local", ListPoliciesInput{Scope: "Local"}, 5, own, 6},
		{"All", ListPoliciesInput{}, 100, append(slices.Clone(aws), own...), 101},
		{"AWS", ListPoliciesInput{Scope: "AWS"}, 100, aws, 0},
		// The path index holds the policies under the prefix: a page reads MaxItems+1 of them,
		// however many policies lie elsewhere.
		{"PathPrefix", ListPoliciesInput{Scope: "Local", PathPrefix: "/a/"}, 5, ownA, 6},
		{"PathPrefix All", ListPoliciesInput{PathPrefix: "/a/"}, 5, ownA, 6},
		{"PathPrefix /", ListPoliciesInput{Scope: "Local", PathPrefix: "/"}, 5, own, 6},
		{"PathPrefix none", ListPoliciesInput{Scope: "Local", PathPrefix: "/c/"}, 5, nil, 1},
	}
	counter := &storetest.Counter{Store: e.svc.st}
	e.svc.st = counter
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := storetest.Pages(t, counter, tc.maxReads, len(tc.want)+1, func(m string) ([]string, string, error) {
				p, err := e.svc.ListPolicies(e.ctx, e.account.ID, tc.in, ListOpts{MaxItems: tc.maxItems, Marker: m})
				var arns []string
				for _, pol := range p.Items {
					arns = append(arns, pol.Arn)
				}
				return arns, marker(p.IsTruncated, p.Marker), err
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages joined:\n got %s\nwant %s", strings.Join(got, " "), strings.Join(tc.want, " "))
			}
		})
	}
}

// TestGetAccountAuthorizationDetailsReadsOnePage pages through GetAccountAuthorizationDetails
// across its sections: the pages joined hold every user, then every policy, each once; and a page
// of MaxItems reads at most MaxItems+1 entities.
func TestGetAccountAuthorizationDetailsReadsOnePage(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	var want []string
	for _, name := range e.users(t, 30) {
		want = append(want, "user "+name)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	for i := range 3 {
		name := fmt.Sprintf("p%d", i)
		if _, err := e.svc.CreatePolicy(e.ctx, e.account.ID, CreatePolicyInput{PolicyName: name, PolicyDocument: doc}); err != nil {
			t.Fatal(err)
		}
		want = append(want, "policy "+name)
	}
	counter := &storetest.Counter{Store: e.svc.st}
	e.svc.st = counter
	const maxItems = 4
	got := storetest.Pages(t, counter, maxItems+1, len(want)+1, func(m string) ([]string, string, error) {
		d, err := e.svc.GetAccountAuthorizationDetails(e.ctx, e.account.ID, []string{"User", "LocalManagedPolicy"}, ListOpts{MaxItems: maxItems, Marker: m})
		if err != nil {
			return nil, "", err
		}
		var names []string
		for _, u := range d.Users {
			names = append(names, "user "+u.UserName)
		}
		for _, p := range d.Policies {
			names = append(names, "policy "+p.PolicyName)
		}
		return names, marker(d.IsTruncated, d.Marker), nil
	})
	if !slices.Equal(got, want) {
		t.Errorf("pages joined:\n got %s\nwant %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
}

// TestListUsersReadsOnePage: a page of ListUsers reads MaxItems+1 users, not a batch of hundreds.
func TestListUsersReadsOnePage(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	want := e.users(t, 30)
	counter := &storetest.Counter{Store: e.svc.st}
	e.svc.st = counter
	const maxItems = 5
	got := storetest.Pages(t, counter, maxItems+1, len(want)+1, func(m string) ([]string, string, error) {
		p, err := e.svc.ListUsers(e.ctx, e.account.ID, "", ListOpts{MaxItems: maxItems, Marker: m})
		var names []string
		for _, u := range p.Items {
			names = append(names, u.UserName)
		}
		return names, marker(p.IsTruncated, p.Marker), err
	})
	if !slices.Equal(got, want) {
		t.Errorf("pages joined: got %q, want %q", got, want)
	}
}

// TestListUsersPathPrefixReadsRecordsAtOnce: a ListUsers page with a PathPrefix reads its
// MaxItems+1 path index entries and then their users in one query (store.Kind.Resolved), not one
// query per user; the pages joined are the users under the prefix, by path then name, each once.
// Before, each entry's user was a Get of its own: 6 queries for a page of 5.
func TestListUsersPathPrefixReadsRecordsAtOnce(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	var want []string
	for i := range 30 {
		name := fmt.Sprintf("u%02d", i)
		path := "/b/"
		if i%3 == 0 {
			path = "/a/"
			want = append(want, name)
		}
		if _, err := e.svc.CreateUser(e.ctx, e.account.ID, CreateUserInput{UserName: name, Path: path}); err != nil {
			t.Fatal(err)
		}
	}
	counter := &storetest.Counter{Store: e.svc.st}
	e.svc.st = counter
	const maxItems = 3
	got := storetest.Pages(t, counter, maxItems+1, len(want)+1, func(m string) ([]string, string, error) {
		counter.KeyReads = 0
		p, err := e.svc.ListUsers(e.ctx, e.account.ID, "/a/", ListOpts{MaxItems: maxItems, Marker: m})
		if counter.KeyReads > 1 {
			t.Errorf("page after %q read users in %d queries by key, want 1", m, counter.KeyReads)
		}
		var names []string
		for _, u := range p.Items {
			names = append(names, u.UserName)
		}
		return names, marker(p.IsTruncated, p.Marker), err
	})
	if !slices.Equal(got, want) {
		t.Errorf("pages joined: got %q, want %q", got, want)
	}
}
