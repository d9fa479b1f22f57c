package iam

import (
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
)

const (
	readOnlyARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	adminARN    = "arn:aws:iam::aws:policy/AdministratorAccess"
	allowAll    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	trustEC2    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

// populate builds a small account: users alice (in group devs, inline and attached policies, a
// login profile, an MFA device) and bob, a role with a boundary, a customer policy with two versions.
func (e *credEnv) populate(t *testing.T) *ManagedPolicy {
	t.Helper()
	acct := e.account.ID
	e.user(t, "alice")
	e.user(t, "bob")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.CreateGroup(e.ctx, acct, "devs", "/")
	must(err)
	must(e.svc.AddUserToGroup(e.ctx, acct, "devs", "alice"))
	must(e.svc.PutInlinePolicy(e.ctx, acct, "user", "alice", "read", allowAll))
	must(e.svc.PutInlinePolicy(e.ctx, acct, "group", "devs", "group-read", allowAll))
	must(e.svc.AttachPolicy(e.ctx, acct, "user", "alice", readOnlyARN))
	mp, err := e.svc.CreatePolicy(e.ctx, acct, CreatePolicyInput{PolicyName: "custom", PolicyDocument: allowAll})
	must(err)
	_, err = e.svc.CreatePolicyVersion(e.ctx, acct, mp.Arn, allowAll, true)
	must(err)
	must(e.svc.AttachPolicy(e.ctx, acct, "group", "devs", mp.Arn))
	_, err = e.svc.CreateRole(e.ctx, acct, CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: trustEC2, PermissionsBoundary: adminARN})
	must(err)
	must(e.svc.PutInlinePolicy(e.ctx, acct, "role", "app", "role-read", allowAll))
	_, err = e.svc.CreateLoginProfile(e.ctx, acct, "alice", "Correct7horse", false)
	must(err)
	e.enable(t, "alice", "alice-phone")
	_, err = e.svc.CreateVirtualMFADevice(e.ctx, acct, CreateVirtualMFADeviceInput{VirtualMFADeviceName: "spare"})
	must(err)
	return mp
}

func TestGetAccountSummary(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	e.populate(t)
	check := func(t *testing.T, want map[string]int) {
		t.Helper()
		m, err := e.svc.GetAccountSummary(e.ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s = %d, want %d", k, m[k], v)
			}
		}
	}
	check(t, map[string]int{
		"Users": 2, "Groups": 1, "Roles": 1, "Policies": 1, "PolicyVersionsInUse": 2, "MFADevices": 2, "MFADevicesInUse": 1,
		"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 0, "AccountSigningCertificatesPresent": 0,
		"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "AccessKeysPerUserQuota": 2,
		"SigningCertificatesPerUserQuota": 2, "UserPolicySizeQuota": 2048, "RolePolicySizeQuota": 10240, "PolicySizeQuota": 6144,
		"VersionsPerPolicyQuota": 5, "AttachedPoliciesPerUserQuota": 10, "GroupsPerUserQuota": 10, "GlobalEndpointTokenVersion": 1,
		"InstanceProfiles": 0, "ServerCertificates": 0, "Providers": 0,
	})

	// The root user's credentials.
	if err := e.svc.SetRootPassword(e.ctx, acct, "Root-Password-1"); err != nil {
		t.Fatal(err)
	}
	e.enable(t, "", "root-phone")
	if _, err := e.svc.UploadSigningCertificate(e.ctx, acct, "", testutil.SelfSignedPEM(t, "root")); err != nil {
		t.Fatal(err)
	}
	// A root access key, stored directly (indexed like users' keys, under the empty name).
	if err := e.svc.st.Update(e.ctx, func(tx store.Tx) error {
		return accessKeys.Insert(tx, "", "AKIAROOTKEY", &accessKeyRecord{ID: "AKIAROOTKEY", Account: acct, Status: "Active"})
	}); err != nil {
		t.Fatal(err)
	}
	check(t, map[string]int{
		"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 1, "AccountSigningCertificatesPresent": 1,
		"MFADevices": 3, "MFADevicesInUse": 2,
	})

	_, err := e.svc.GetAccountSummary(e.ctx, "000000000000")
	testutil.WantCode(t, err, awserr.NoSuchEntity)
}

func TestGetAccountAuthorizationDetails(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	mp := e.populate(t)

	all, err := e.svc.GetAccountAuthorizationDetails(e.ctx, acct, nil, ListOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if all.IsTruncated || len(all.Users) != 2 || len(all.Groups) != 1 || len(all.Roles) != 1 {
		t.Fatalf("details = %+v", all)
	}
	alice := all.Users[0]
	if alice.UserName != "alice" || strings.Join(alice.GroupList, ",") != "devs" || len(alice.UserPolicyList) != 1 ||
		alice.UserPolicyList[0].PolicyName != "read" || alice.UserPolicyList[0].PolicyDocument != allowAll ||
		len(alice.AttachedManagedPolicies) != 1 || alice.AttachedManagedPolicies[0].PolicyArn != readOnlyARN {
		t.Fatalf("alice = %+v", alice)
	}
	if g := all.Groups[0]; g.GroupName != "devs" || len(g.GroupPolicyList) != 1 || len(g.AttachedManagedPolicies) != 1 ||
		g.AttachedManagedPolicies[0].PolicyArn != mp.Arn {
		t.Fatalf("group = %+v", g)
	}
	if r := all.Roles[0]; r.RoleName != "app" || r.AssumeRolePolicyDocument != trustEC2 || len(r.RolePolicyList) != 1 ||
		r.PermissionsBoundary == nil || r.PermissionsBoundary.PermissionsBoundaryArn != adminARN {
		t.Fatalf("role = %+v", r)
	}
	// The customer policy with both versions, then the AWS managed policies in use (ReadOnlyAccess
	// attached, AdministratorAccess as a boundary) and no others.
	var arns []string
	for _, p := range all.Policies {
		arns = append(arns, p.Arn)
		if p.Arn == mp.Arn && (len(p.Versions) != 2 || p.DefaultVersionID != "v2" || !p.Versions[1].IsDefaultVersion ||
			p.Versions[0].Document != allowAll || p.AttachmentCount != 1) {
			t.Fatalf("customer policy = %+v", p)
		}
	}
	if got, want := strings.Join(arns, " "), mp.Arn+" "+adminARN+" "+readOnlyARN; got != want {
		t.Fatalf("policies = %s, want %s", got, want)
	}

	entity := func(d *AuthorizationDetails) []string {
		var out []string
		for _, u := range d.Users {
			out = append(out, "user:"+u.UserName)
		}
		for _, g := range d.Groups {
			out = append(out, "group:"+g.GroupName)
		}
		for _, r := range d.Roles {
			out = append(out, "role:"+r.RoleName)
		}
		for _, p := range d.Policies {
			out = append(out, "policy:"+p.PolicyName)
		}
		return out
	}
	everything := strings.Join(entity(all), ",")

	for _, tc := range []struct {
		name   string
		filter []string
		want   string
	}{
		{"users", []string{"User"}, "user:alice,user:bob"},
		{"roles and groups", []string{"Role", "Group"}, "group:devs,role:app"},
		{"local policies", []string{"LocalManagedPolicy"}, "policy:custom"},
		{"AWS policies", []string{"AWSManagedPolicy"}, "policy:AdministratorAccess,policy:ReadOnlyAccess"},
	} {
		t.Run("filter "+tc.name, func(t *testing.T) {
			d, err := e.svc.GetAccountAuthorizationDetails(e.ctx, acct, tc.filter, ListOpts{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(entity(d), ","); got != tc.want {
				t.Fatalf("entities = %s, want %s", got, tc.want)
			}
		})
	}
	_, err = e.svc.GetAccountAuthorizationDetails(e.ctx, acct, []string{"Users"}, ListOpts{})
	testutil.WantCode(t, err, awserr.ValidationError)
	_, err = e.svc.GetAccountAuthorizationDetails(e.ctx, acct, nil, ListOpts{Marker: encodeMarker("9" + sep + "x")})
	testutil.WantCode(t, err, awserr.InvalidInput)

	// Every page size walks the same entities, across the section boundaries.
	for _, size := range []int{1, 2, 3, 4, 7, 8} {
		t.Run("pages of "+itoa(size), func(t *testing.T) {
			var got []string
			o := ListOpts{MaxItems: size}
			for pages := 1; ; pages++ {
				d, err := e.svc.GetAccountAuthorizationDetails(e.ctx, acct, nil, o)
				if err != nil {
					t.Fatal(err)
				}
				if n := len(entity(d)); n > size || d.IsTruncated && n != size {
					t.Fatalf("page %d has %d entities", pages, n)
				}
				got = append(got, entity(d)...)
				if !d.IsTruncated {
					break
				}
				if pages > 20 {
					t.Fatal("pagination does not end")
				}
				o.Marker = d.Marker
			}
			if strings.Join(got, ",") != everything {
				t.Fatalf("paged = %v, want %s", got, everything)
			}
		})
	}
}
