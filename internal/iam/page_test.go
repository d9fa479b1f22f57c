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

// policiesInUse sets up TestListPoliciesOnlyAttached's account: n customer managed policies
// P000… (path /a/ for every third, /b/ otherwise), a few of them and a few AWS managed policies
// attached (one to ten users) or the permissions boundary of users and roles, or both. It
// returns a function that pages through ListPolicies without OnlyAttached and keeps the policies
// in use as OnlyAttached and the usage filter define them: the listing OnlyAttached must equal.
func (e *credEnv) policiesInUse(t *testing.T, n int) func(in ListPoliciesInput) []string {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	own := make([]string, n)
	for i := range n {
		path := "/b/"
		if i%3 == 0 {
			path = "/a/"
		}
		p, err := e.svc.CreatePolicy(e.ctx, e.account.ID, CreatePolicyInput{PolicyName: fmt.Sprintf("P%03d", i), Path: path, PolicyDocument: doc})
		if err != nil {
			t.Fatal(err)
		}
		own[i] = p.Arn
	}
	const (
		readOnly    = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		admin       = "arn:aws:iam::aws:policy/AdministratorAccess"
		serviceRole = "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess"
	)
	e.users(t, 10)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for _, r := range []CreateRoleInput{{RoleName: "r1", PermissionsBoundary: own[n-7]}, {RoleName: "r2", PermissionsBoundary: admin}} {
		r.AssumeRolePolicyDocument = trust
		if _, err := e.svc.CreateRole(e.ctx, e.account.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.CreateGroup(e.ctx, e.account.ID, "g1", "/"); err != nil {
		t.Fatal(err)
	}
	attach := func(ptype, name, arn string) {
		t.Helper()
		if err := e.svc.AttachPolicy(e.ctx, e.account.ID, ptype, name, arn); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		attach(principalUserT, fmt.Sprintf("u%02d", i), own[5])
	}
	for i := range 4 {
		attach(principalUserT, fmt.Sprintf("u%02d", i), readOnly)
	}
	attach(principalUserT, "u00", own[7])
	attach(principalUserT, "u02", own[n-2])
	attach(principalGroupT, "g1", own[n/2])
	attach(principalGroupT, "g1", own[9])
	attach(principalRoleT, "r1", own[n/3])
	attach(principalRoleT, "r1", serviceRole)
	for user, arn := range map[string]string{"u01": own[9], "u03": own[n-2], "u04": own[12], "u05": admin} {
		if err := e.svc.PutUserPermissionsBoundary(e.ctx, e.account.ID, user, arn); err != nil {
			t.Fatal(err)
		}
	}
	return func(in ListPoliciesInput) []string {
		t.Helper()
		in.OnlyAttached = false
		var want []string
		for m := ""; ; {
			p, err := e.svc.ListPolicies(e.ctx, e.account.ID, in, ListOpts{MaxItems: 1000, Marker: m})
			if err != nil {
				t.Fatal(err)
			}
			for _, pol := range p.Items {
				switch in.PolicyUsageFilter {
				case UsagePermissionsPolicy:
					if pol.AttachmentCount == 0 {
						continue
					}
				case UsagePermissionsBoundary:
					if pol.PermissionsBoundaryUsageCount == 0 {
						continue
					}
				default:
					if pol.AttachmentCount+pol.PermissionsBoundaryUsageCount == 0 {
						continue
					}
				}
				want = append(want, pol.Arn)
			}
			if m = marker(p.IsTruncated, p.Marker); m == "" {
				return want
			}
		}
	}
}

// TestListPoliciesOnlyAttachedReadsOnePage pages through ListPolicies with OnlyAttached: the pages
// joined are the policies in use, in the order of the listing without it, each once, for every
// scope, path prefix and usage filter; and a page reads the "inuse" index entries of its own
// policies, not the policies before it (150 customer managed policies, 1,452 AWS managed ones, of
// which 18 are in use). Before, a page read the account's policies until it found a page in use.
func TestListPoliciesOnlyAttachedReadsOnePage(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	inUse := e.policiesInUse(t, 150)
	counter := &storetest.Counter{Store: e.svc.st}
	e.svc.st = counter
	for _, tc := range []struct {
		name string
		in   ListPoliciesInput
	}{
		{"All", ListPoliciesInput{}},
		{"Local", ListPoliciesInput{Scope: "Local"}},
		{"AWS", ListPoliciesInput{Scope: "AWS"}},
		{"PathPrefix /a/", ListPoliciesInput{PathPrefix: "/a/"}},
		{"PathPrefix /", ListPoliciesInput{PathPrefix: "/"}},
		{"PathPrefix /service-role/", ListPoliciesInput{PathPrefix: "/service-role/"}},
		{"PathPrefix none", ListPoliciesInput{PathPrefix: "/c/"}},
		{"PermissionsPolicy", ListPoliciesInput{PolicyUsageFilter: UsagePermissionsPolicy}},
		{"PermissionsBoundary", ListPoliciesInput{PolicyUsageFilter: UsagePermissionsBoundary}},
		{"Local PathPrefix /b/ PermissionsBoundary", ListPoliciesInput{Scope: "Local", PathPrefix: "/b/", PolicyUsageFilter: UsagePermissionsBoundary}},
		{"AWS PermissionsPolicy", ListPoliciesInput{Scope: "AWS", PolicyUsageFilter: UsagePermissionsPolicy}},
	} {
		for _, maxItems := range []int{1, 2, 5} {
			t.Run(fmt.Sprintf("%s MaxItems %d", tc.name, maxItems), func(t *testing.T) {
				want := inUse(tc.in)
				in := tc.in
				in.OnlyAttached = true
				// Each of at most three indexes in each of two ranges reads at most a page and one
				// more of values, at most that many entries each.
				maxReads := 6 * (maxItems + 1) * (maxItems + 1)
				got := storetest.Pages(t, counter, maxReads, len(want)+2, func(m string) ([]string, string, error) {
					p, err := e.svc.ListPolicies(e.ctx, e.account.ID, in, ListOpts{MaxItems: maxItems, Marker: m})
					var arns []string
					for _, pol := range p.Items {
						arns = append(arns, pol.Arn)
					}
					return arns, marker(p.IsTruncated, p.Marker), err
				})
				if !slices.Equal(got, want) {
					t.Errorf("pages joined:\n got %s\nwant %s", strings.Join(got, " "), strings.Join(want, " "))
				}
			})
		}
	}
}

// TestListEntitiesForPolicyReadsOnePage: a page of ListPolicyEntities reads its MaxItems+1 index
// entries (of each of the two boundary indexes, for PermissionsBoundary), not the policy's every
// entity; the pages joined are the entities in (type, name) order.
func TestListEntitiesForPolicyReadsOnePage(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	p, err := e.svc.CreatePolicy(e.ctx, e.account.ID, CreatePolicyInput{PolicyName: "shared", PolicyDocument: doc})
	if err != nil {
		t.Fatal(err)
	}
	var attached, bounded []string
	for _, name := range e.users(t, 40) {
		if name[len(name)-1]%2 == 0 {
			if err := e.svc.AttachPolicy(e.ctx, e.account.ID, principalUserT, name, p.Arn); err != nil {
				t.Fatal(err)
			}
			attached = append(attached, "user "+name)
		} else {
			if err := e.svc.PutUserPermissionsBoundary(e.ctx, e.account.ID, name, p.Arn); err != nil {
				t.Fatal(err)
			}
			bounded = append(bounded, "user "+name)
		}
	}
	counter := &storetest.Counter{Store: e.svc.st}
	e.svc.st = counter
	for _, tc := range []struct {
		name, filter, usage string
		want                []string
		maxReads            int
	}{
		{"attached", "", "", attached, 4},
		{"attached users", "User", "", attached, 4},
		{"attached roles", "Role", "", nil, 1},
		{"boundaries", "", UsagePermissionsBoundary, bounded, 8},
		{"boundary users", "User", UsagePermissionsBoundary, bounded, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const maxItems = 3
			got := storetest.Pages(t, counter, tc.maxReads, len(tc.want)+2, func(m string) ([]string, string, error) {
				p, err := e.svc.ListPolicyEntities(e.ctx, e.account.ID, p.Arn, tc.filter, tc.usage, ListOpts{MaxItems: maxItems, Marker: m})
				var names []string
				for _, ent := range p.Items {
					names = append(names, ent.Type+" "+ent.Name)
				}
				return names, marker(p.IsTruncated, p.Marker), err
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("pages joined:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
