package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// base is an account that passes every account-level check.
func base() *Facts {
	return &Facts{
		Account: "111122223333", Now: now,
		Root: Root{Email: "aws-root@corp.example", PasswordEnabled: true, MFAEnabled: true, HardwareMFA: 2},
		PasswordPolicy: &PasswordPolicy{MinimumPasswordLength: 14, MaxPasswordAge: 90, PasswordReusePrevention: 24,
			RequireSymbols: true, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true},
		Contacts: Contacts{Name: "Ops Desk", Phone: "+1 206 555 0100",
			Security: &Contact{Name: "Sec Team", Email: "security@corp.example", Phone: "+1 206 555 0199"}},
		RootSignInApproval: &Approval{Teams: []string{"arn:aws:mpa:us-east-1:111122223333:approval-team/a1b2c3d4-0000-4000-8000-000000000000"}},
	}
}

func statusOf(t *testing.T, f *Facts, id string, params map[string]string) []Status {
	t.Helper()
	rs, err := Evaluate(f, id, params)
	if err != nil {
		t.Fatalf("Evaluate(%s): %v", id, err)
	}
	var out []Status
	for _, r := range rs {
		if r.Check != id || r.Account != f.Account {
			t.Errorf("%s: result names check %q account %q", id, r.Check, r.Account)
		}
		if r.Evidence == "" {
			t.Errorf("%s: result for %s without evidence", id, r.ResourceName)
		}
		if (r.Status == Failed || r.Status == Error) && r.Remediation == "" {
			t.Errorf("%s: %s result without remediation", id, r.Status)
		}
		out = append(out, r.Status)
	}
	return out
}

func TestAccountChecks(t *testing.T) {
	cases := []struct {
		name   string
		check  string
		change func(f *Facts)
		params map[string]string
		want   Status
	}{
		{"root mfa on", "ROOT_ACCOUNT_MFA_ENABLED", nil, nil, Passed},
		{"root mfa off", "ROOT_ACCOUNT_MFA_ENABLED", func(f *Facts) { f.Root.MFAEnabled, f.Root.HardwareMFA = false, 0 }, nil, Failed},
		{"root removed", "ROOT_ACCOUNT_MFA_ENABLED", func(f *Facts) { f.Member, f.Root = true, Root{CredentialsRemoved: true} }, nil, NotApplicable},
		{"standalone root not claimed", "ROOT_ACCOUNT_MFA_ENABLED", func(f *Facts) { f.Root = Root{CredentialsRemoved: true} }, nil, Failed},
		{"root unreadable", "ROOT_ACCOUNT_MFA_ENABLED", func(f *Facts) { f.Miss(GroupRoot, "AccessDenied") }, nil, Error},
		{"hardware only", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", nil, nil, Passed},
		{"virtual too", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", func(f *Facts) { f.Root.VirtualMFA = 1 }, nil, Failed},
		{"hardware no mfa", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", func(f *Facts) { f.Root.MFAEnabled, f.Root.HardwareMFA = false, 0 }, nil, Failed},
		{"hardware removed", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", func(f *Facts) { f.Member, f.Root = true, Root{CredentialsRemoved: true} }, nil, NotApplicable},
		{"no root key", "IAM_ROOT_ACCESS_KEY_CHECK", nil, nil, Passed},
		{"root key", "IAM_ROOT_ACCESS_KEY_CHECK", func(f *Facts) { f.Root.AccessKeys = 1 }, nil, Failed},
		{"root key removed", "IAM_ROOT_ACCESS_KEY_CHECK", func(f *Facts) { f.Member, f.Root = true, Root{CredentialsRemoved: true} }, nil, NotApplicable},
		{"password policy", "IAM_PASSWORD_POLICY", nil, nil, Passed},
		{"no password policy", "IAM_PASSWORD_POLICY", func(f *Facts) { f.PasswordPolicy = nil }, nil, Failed},
		{"short passwords", "IAM_PASSWORD_POLICY", func(f *Facts) { f.PasswordPolicy.MinimumPasswordLength = 12 }, nil, Failed},
		{"short passwords allowed", "IAM_PASSWORD_POLICY", func(f *Facts) { f.PasswordPolicy.MinimumPasswordLength = 12 },
			map[string]string{"MinimumPasswordLength": "12"}, Passed},
		{"no expiry", "IAM_PASSWORD_POLICY", func(f *Facts) { f.PasswordPolicy.MaxPasswordAge = 0 }, nil, Failed},
		{"no expiry asked", "IAM_PASSWORD_POLICY", func(f *Facts) { f.PasswordPolicy.MaxPasswordAge = 0 },
			map[string]string{"MaxPasswordAge": "0"}, Passed},
		{"no symbols", "IAM_PASSWORD_POLICY", func(f *Facts) { f.PasswordPolicy.RequireSymbols = false }, nil, Failed},
		{"no symbols not asked", "IAM_PASSWORD_POLICY", func(f *Facts) { f.PasswordPolicy.RequireSymbols = false },
			map[string]string{"RequireSymbols": "false"}, Passed},
		{"security contact", "SECURITY_ACCOUNT_INFORMATION_PROVIDED", nil, nil, Passed},
		{"no security contact", "SECURITY_ACCOUNT_INFORMATION_PROVIDED", func(f *Facts) { f.Contacts.Security = nil }, nil, Failed},
		{"contacts unreadable", "SECURITY_ACCOUNT_INFORMATION_PROVIDED", func(f *Facts) { f.Miss(GroupContacts, "not supported") }, nil, Error},
		{"dedicated email", "ROOTWARD_ROOT_EMAIL_DEDICATED", nil, nil, Passed},
		{"free mail", "ROOTWARD_ROOT_EMAIL_DEDICATED", func(f *Facts) { f.Root.Email = "Jane.Doe@GMail.com" }, nil, Failed},
		{"shared root email", "ROOTWARD_ROOT_EMAIL_DEDICATED", func(f *Facts) { f.OtherAddresses = []string{"AWS-Root@corp.example"} }, nil, Failed},
		{"contacts present", "ROOTWARD_ACCOUNT_CONTACTS_PRESENT", nil, nil, Passed},
		{"no phone", "ROOTWARD_ACCOUNT_CONTACTS_PRESENT", func(f *Facts) { f.Contacts.Phone = "" }, nil, Failed},
		{"channels apart", "ROOTWARD_RECOVERY_CHANNELS_SEPARATED", nil, nil, Passed},
		{"one person holds both by phone", "ROOTWARD_RECOVERY_CHANNELS_SEPARATED", func(f *Facts) {
			f.Contacts.Security.Email, f.Contacts.Security.Phone = "aws-root@corp.example", "+1-206-555-0100"
		}, nil, Failed},
		{"one person holds both by name", "ROOTWARD_RECOVERY_CHANNELS_SEPARATED", func(f *Facts) {
			f.Contacts.Security.Email, f.Contacts.Security.Name = "aws-root@corp.example", "ops desk"
		}, nil, Failed},
		{"mailbox only", "ROOTWARD_RECOVERY_CHANNELS_SEPARATED", func(f *Facts) { f.Contacts.Security.Email = "aws-root@corp.example" }, nil, Passed},
		{"two devices", "ROOTWARD_ROOT_MFA_TWO_DEVICES", nil, nil, Passed},
		{"one device", "ROOTWARD_ROOT_MFA_TWO_DEVICES", func(f *Facts) { f.Root.HardwareMFA = 1 }, nil, Failed},
		{"never used", "ROOTWARD_ROOT_UNUSED_90_DAYS", nil, nil, Passed},
		{"used lately", "ROOTWARD_ROOT_UNUSED_90_DAYS", func(f *Facts) { f.Root.LastUsed = now.Add(-89 * 24 * time.Hour) }, nil, Failed},
		{"used long ago", "ROOTWARD_ROOT_UNUSED_90_DAYS", func(f *Facts) { f.Root.LastUsed = now.Add(-91 * 24 * time.Hour) }, nil, Passed},
		{"standalone", "ROOTWARD_ROOT_CREDENTIALS_REMOVED", nil, nil, NotApplicable},
		{"member with root", "ROOTWARD_ROOT_CREDENTIALS_REMOVED", func(f *Facts) { f.Member = true }, nil, Failed},
		{"member removed", "ROOTWARD_ROOT_CREDENTIALS_REMOVED", func(f *Facts) { f.Member, f.Root = true, Root{CredentialsRemoved: true} }, nil, Passed},
		{"root sign-in approved by a team", "ROOTWARD_ROOT_SIGNIN_MULTI_PARTY_APPROVAL", nil, nil, Passed},
		{"no team protects root sign-in", "ROOTWARD_ROOT_SIGNIN_MULTI_PARTY_APPROVAL", func(f *Facts) { f.RootSignInApproval = &Approval{} }, nil, Failed},
		{"teams not read", "ROOTWARD_ROOT_SIGNIN_MULTI_PARTY_APPROVAL", func(f *Facts) { f.RootSignInApproval = nil }, nil, Error},
		{"teams unreadable", "ROOTWARD_ROOT_SIGNIN_MULTI_PARTY_APPROVAL", func(f *Facts) { f.Miss(GroupApproval, "the store failed") }, nil, Error},
		{"member without root sign-in", "ROOTWARD_ROOT_SIGNIN_MULTI_PARTY_APPROVAL", func(f *Facts) {
			f.Member, f.Root, f.RootSignInApproval = true, Root{CredentialsRemoved: true}, &Approval{}
		}, nil, NotApplicable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := base()
			if c.change != nil {
				c.change(f)
			}
			got := statusOf(t, f, c.check, c.params)
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("%s: got %v, want [%s]", c.check, got, c.want)
			}
		})
	}
}

func TestEntityChecks(t *testing.T) {
	f := base()
	old := now.Add(-100 * 24 * time.Hour)
	f.Users = []User{
		{Name: "alice", ID: "AIDAALICE", Created: old, PasswordEnabled: true, PasswordLastUsed: now.Add(-time.Hour), MFADevices: 1,
			AccessKeys: []AccessKey{{ID: "AKIAFRESH", Active: true, Created: now.Add(-10 * 24 * time.Hour), LastUsed: now}}},
		{Name: "bob", ID: "AIDABOB", Created: old, PasswordEnabled: true, AttachedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
			AccessKeys: []AccessKey{{ID: "AKIAOLD", Active: true, Created: old}, {ID: "AKIAOFF", Active: false, Created: old}}},
		{Name: "robot", ID: "AIDAROBOT", Created: now, InlinePolicies: []string{"s3"}},
	}
	f.Groups = []Group{{Name: "admins", ID: "AGPAADMINS", Members: 2}, {Name: "empty", ID: "AGPAEMPTY"}}
	f.Policies = []Policy{
		{Name: "Admin", ID: "ANPAADMIN", Document: `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{Name: "Narrow", ID: "ANPANARROW", Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*"],"Resource":"*"}}`},
		{Name: "DenyAll", ID: "ANPADENY", Document: `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`},
	}
	cases := []struct {
		check  string
		params map[string]string
		want   []Status
	}{
		{"IAM_USER_MFA_ENABLED", nil, []Status{Passed, Failed, Failed}},
		{"MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", nil, []Status{Passed, Failed, NotApplicable}},
		{"ACCESS_KEYS_ROTATED", nil, []Status{Passed, Failed, Passed}},
		{"ACCESS_KEYS_ROTATED", map[string]string{"maxAccessKeyAge": "5"}, []Status{Failed, Failed, Passed}},
		{"IAM_USER_UNUSED_CREDENTIALS_CHECK", nil, []Status{Passed, Failed, Passed}},
		{"IAM_USER_NO_POLICIES_CHECK", nil, []Status{Passed, Failed, Failed}},
		{"IAM_GROUP_HAS_USERS_CHECK", nil, []Status{Passed, Failed}},
		{"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", nil, []Status{Failed, Passed, Passed}},
	}
	for _, c := range cases {
		t.Run(c.check, func(t *testing.T) {
			got := statusOf(t, f, c.check, c.params)
			if strings.Join(strs(got), ",") != strings.Join(strs(c.want), ",") {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	f.Miss(GroupUsers, "AccessDenied")
	if got := statusOf(t, f, "IAM_USER_MFA_ENABLED", nil); len(got) != 1 || got[0] != Error {
		t.Errorf("unreadable users: got %v, want [ERROR]", got)
	}
}

func strs(ss []Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func TestEvaluateRefusesBadInput(t *testing.T) {
	cases := []struct {
		id     string
		params map[string]string
	}{
		{"NO_SUCH_RULE", nil},
		{"ACCESS_KEYS_ROTATED", map[string]string{"maxAccessKeyAge": "ninety"}},
		{"ACCESS_KEYS_ROTATED", map[string]string{"maxAccessKeyAge": "-1"}},
		{"ACCESS_KEYS_ROTATED", map[string]string{"maxKeyAge": "90"}},
		{"IAM_PASSWORD_POLICY", map[string]string{"RequireSymbols": "yes"}},
	}
	for _, c := range cases {
		_, err := Evaluate(base(), c.id, c.params)
		if !awserr.IsCode(err, invalidParameterValue) {
			t.Errorf("Evaluate(%s, %v): got %v, want InvalidParameterValueException", c.id, c.params, err)
		}
	}
}

func TestCatalogue(t *testing.T) {
	ids := map[string]bool{}
	controls := map[string]bool{}
	for _, c := range Checks() {
		if ids[c.ID] {
			t.Errorf("check %s listed twice", c.ID)
		}
		ids[c.ID] = true
		if c.Title == "" || c.Remediation == "" || len(c.ResourceTypes) == 0 || c.eval == nil {
			t.Errorf("check %s lacks a title, remediation, resource type or evaluation", c.ID)
		}
		for _, ctl := range c.SecurityHub {
			if controls[ctl.ID] {
				t.Errorf("control %s listed twice", ctl.ID)
			}
			controls[ctl.ID] = true
			if err := c.ValidateParams(ctl.Params); err != nil {
				t.Errorf("control %s: %v", ctl.ID, err)
			}
		}
	}
	// The required rules and controls.
	for _, id := range []string{"ROOT_ACCOUNT_MFA_ENABLED", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", "IAM_ROOT_ACCESS_KEY_CHECK",
		"IAM_USER_MFA_ENABLED", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", "IAM_PASSWORD_POLICY", "ACCESS_KEYS_ROTATED",
		"IAM_USER_UNUSED_CREDENTIALS_CHECK", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", "IAM_USER_NO_POLICIES_CHECK",
		"IAM_GROUP_HAS_USERS_CHECK", "ROOTWARD_ROOT_EMAIL_DEDICATED", "ROOTWARD_ACCOUNT_CONTACTS_PRESENT",
		"ROOTWARD_RECOVERY_CHANNELS_SEPARATED", "ROOTWARD_ROOT_MFA_TWO_DEVICES", "ROOTWARD_ROOT_UNUSED_90_DAYS"} {
		if c, ok := Lookup(id); !ok || !c.ConfigRule {
			t.Errorf("Config rule %s missing", id)
		}
	}
	for _, id := range []string{"IAM.1", "IAM.2", "IAM.3", "IAM.4", "IAM.5", "IAM.6", "IAM.7", "IAM.8", "IAM.9", "IAM.19",
		"Account.1", "Rootward.1", "Rootward.2", "Rootward.3", "Rootward.4", "Rootward.5"} {
		if !controls[id] {
			t.Errorf("Security Hub control %s missing", id)
		}
	}
	if c, _ := Lookup("ROOT_ACCOUNT_MFA_ENABLED"); c.TrustedAdvisor == nil || c.TrustedAdvisor.ID != "7DAFEmoDos" {
		t.Errorf("MFA on Root Account: got %+v, want Trusted Advisor check 7DAFEmoDos", c.TrustedAdvisor)
	}
}
