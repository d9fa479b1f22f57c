package iam

import (
	"context"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// GetAccountSummary and GetAccountAuthorizationDetails: account-wide reads.

// Quotas reported by GetAccountSummary, from the IAM User Guide, "IAM and AWS STS quotas" (the
// defaults; AWS raises some on request). Those Rootward enforces come from the constants that
// enforce them.
var summaryQuotas = map[string]int{
	"UsersQuota":                      5000,
	"GroupsQuota":                     300,
	"RolesQuota":                      1000,
	"PoliciesQuota":                   1500,
	"InstanceProfilesQuota":           1000,
	"ServerCertificatesQuota":         20,
	"PolicyVersionsInUseQuota":        10000,
	"GroupsPerUserQuota":              10,
	"AccessKeysPerUserQuota":          accessKeysPerUsr,
	"SigningCertificatesPerUserQuota": certsPerUser,
	"AttachedPoliciesPerUserQuota":    maxAttachedPerEntity,
	"AttachedPoliciesPerGroupQuota":   maxAttachedPerEntity,
	"AttachedPoliciesPerRoleQuota":    maxAttachedPerEntity,
	"VersionsPerPolicyQuota":          maxPolicyVersions,
	"UserPolicySizeQuota":             policy.LimitInlineUser,
	"GroupPolicySizeQuota":            policy.LimitInlineGroup,
	"RolePolicySizeQuota":             policy.LimitInlineRole,
	"PolicySizeQuota":                 policy.LimitManaged,
	"AssumeRolePolicySizeQuota":       policy.LimitTrust,
	// GlobalEndpointTokenVersion is 1 until SetSecurityTokenServicePreferences asks for v2 tokens.
	"GlobalEndpointTokenVersion": 1,
}

// GetAccountSummary returns the SummaryMap of GetAccountSummary: usage counts and quotas. The root
// user's credentials are reported as 0/1 flags: AccountMFAEnabled (an MFA device assigned to the
// root), AccountAccessKeysPresent (root access keys, indexed like users' keys under the empty
// name), AccountPasswordPresent and AccountSigningCertificatesPresent. PolicyVersionsInUse counts
// managed-policy attachments (each one puts a policy version in use).
func (s *Service) GetAccountSummary(ctx context.Context, account string) (map[string]int, error) {
	out := make(map[string]int, len(summaryQuotas)+16)
	for k, v := range summaryQuotas {
		out[k] = v
	}
	flag := func(n int) int {
		if n > 0 {
			return 1
		}
		return 0
	}
	err := s.view(ctx, func(t txn) error {
		a, err := t.account(account)
		if err != nil {
			return err
		}
		out["AccountPasswordPresent"] = flag(len(a.RootPasswordHash))
		for _, c := range []struct {
			name, kind, prefix string
			asFlag             bool
		}{
			{"Users", users.Name, "", false},
			{"Groups", groups.Name, "", false},
			{"Roles", roles.Name, "", false},
			{"Policies", policies.Name, "", false},
			{"PolicyVersionsInUse", attachments.Name, "", false},
			{"MFADevices", virtualMFAs.Name, "", false},
			{"MFADevicesInUse", kindUserMFA, "", false},
			{"AccountMFAEnabled", kindUserMFA, sep, true},
			{"AccountSigningCertificatesPresent", signingCerts.Name, sep, true},
		} {
			n, err := t.Count(c.kind, account, c.prefix)
			if err != nil {
				return err
			}
			if c.asFlag {
				n = flag(n)
			}
			out[c.name] = n
		}
		// The root user's keys are indexed with every key, in no account (countAccessKeys).
		keys, err := t.countAccessKeys(account, "")
		if err != nil {
			return err
		}
		out["AccountAccessKeysPresent"] = flag(keys)
		if out["InstanceProfiles"], err = t.Count(instanceProfiles.Name, account, ""); err != nil {
			return err
		}
		if out["GlobalEndpointTokenVersion"], err = t.globalEndpointTokenVersion(account); err != nil {
			return err
		}
		if out["ServerCertificates"], err = t.Count(serverCerts.Name, account, ""); err != nil {
			return err
		}
		// Identity providers are counted by the federation work, not yet here.
		out["Providers"] = 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// InlinePolicy is a named inline policy with its document (as submitted, not URL-encoded).
type InlinePolicy struct {
	PolicyName     string
	PolicyDocument string
}

// UserDetail is a user with its groups and policies (GetAccountAuthorizationDetails).
type UserDetail struct {
	User
	GroupList               []string
	UserPolicyList          []InlinePolicy
	AttachedManagedPolicies []AttachedPolicy
}

// GroupDetail is a group with its policies.
type GroupDetail struct {
	Group
	GroupPolicyList         []InlinePolicy
	AttachedManagedPolicies []AttachedPolicy
}

// RoleDetail is a role with its policies.
type RoleDetail struct {
	Role
	RolePolicyList          []InlinePolicy
	AttachedManagedPolicies []AttachedPolicy
	// InstanceProfiles are the instance profiles that hold the role, each with the role.
	InstanceProfiles []InstanceProfile
}

// AuthorizationDetails is one page of GetAccountAuthorizationDetails.
type AuthorizationDetails struct {
	Users       []UserDetail
	Groups      []GroupDetail
	Roles       []RoleDetail
	Policies    []ManagedPolicy // with every version in Versions
	IsTruncated bool
	Marker      string
}

// Entity filters of GetAccountAuthorizationDetails, in the order the listing walks them.
var authSections = []string{"User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"}

// GetAccountAuthorizationDetails lists users, groups, roles and managed policies with their
// relationships, filtered by entity type (an empty filter means all five). MaxItems counts entities
// across the lists, and the Marker resumes after the last entity of any kind. AWS managed policies
// are listed only when attached to something in the account (as a permissions policy or a
// boundary), as IAM does. Returns ValidationError for an unknown filter.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, account string, filter []string, o ListOpts) (*AuthorizationDetails, error) {
	want := map[string]bool{}
	for _, f := range filter {
		known := false
		for _, sec := range authSections {
			known = known || f == sec
		}
		if !known {
			return nil, invalid("Filter", f, "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]")
		}
		want[f] = true
	}
	limit, err := o.limit()
	if err != nil {
		return nil, err
	}
	start, after, err := authMarker(o.Marker)
	if err != nil {
		return nil, err
	}
	if start > 0 || after != "" {
		after = strconv.Itoa(start) + sep + after
	}
	out := &AuthorizationDetails{}
	err = s.view(ctx, func(t txn) error {
		p, err := store.ReadPage(t.authEntities(account, want), after, limit, func(it store.Item) (authEntity, bool, error) {
			sec, key := authPosition(it.Key)
			if authSections[sec] != "AWSManagedPolicy" {
				return authEntity{sec: sec, body: it.Body}, true, nil
			}
			// AWS managed policies count only when something in the account uses them.
			pol, err := t.managedPolicy(account, key)
			if err != nil {
				return authEntity{}, false, err
			}
			return authEntity{sec: sec, policy: pol}, pol.AttachmentCount > 0 || pol.PermissionsBoundaryUsageCount > 0, nil
		})
		if err != nil {
			return err
		}
		for _, e := range p.Items {
			if err := t.addAuthEntity(account, e, out); err != nil {
				return err
			}
		}
		if p.Truncated {
			out.IsTruncated, out.Marker = true, encodeMarker(p.Last)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// authEntity is one entity of GetAccountAuthorizationDetails: its section and stored body, or the
// AWS managed policy it is.
type authEntity struct {
	sec    int
	body   []byte
	policy *ManagedPolicy
}

// addAuthEntity adds e's details to out.
func (t txn) addAuthEntity(account string, e authEntity, out *AuthorizationDetails) error {
	switch authSections[e.sec] {
	case "User":
		return t.userDetail(account, e.body, out)
	case "Group":
		return t.groupDetail(account, e.body, out)
	case "Role":
		return t.roleDetail(account, e.body, out)
	case "LocalManagedPolicy":
		p, err := policies.Decode(e.body)
		if err != nil {
			return err
		}
		return t.policyDetail(account, p.Arn, out)
	default:
		out.Policies = append(out.Policies, *e.policy)
		return nil
	}
}

// authKinds are the store kinds of the sections of authSections kept in the store.
var authKinds = map[string]string{"User": users.Name, "Group": groups.Name, "Role": roles.Name, "LocalManagedPolicy": policies.Name}

// authEntities is the Source of GetAccountAuthorizationDetails: the sections of authSections that
// want names (all when it is empty), one after the other, each in key order (the AWS managed
// policies in their catalogue order). A position is "section \x00 key" (the key an ARN for AWS
// managed policies), which is also what the Marker holds.
func (t txn) authEntities(account string, want map[string]bool) store.Source {
	return func(after string, n int) ([]store.Item, error) {
		start, from := 0, ""
		if after != "" {
			start, from = authPosition(after)
		}
		var out []store.Item
		for sec := start; sec < len(authSections) && len(out) < n; sec++ {
			name := authSections[sec]
			if len(want) > 0 && !want[name] {
				continue
			}
			if sec > start {
				from = ""
			}
			src := awsManagedSource("")
			if kind, ok := authKinds[name]; ok {
				src = store.Range(t, kind, account, "")
			}
			items, err := src(from, n-len(out))
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				out = append(out, store.Item{Key: strconv.Itoa(sec) + sep + it.Key, Body: it.Body})
			}
		}
		return out, nil
	}
}

// authPosition splits a position of authEntities; authMarker has checked the section of any
// position a caller gave.
func authPosition(pos string) (sec int, key string) {
	secStr, key, _ := strings.Cut(pos, sep)
	sec, _ = strconv.Atoi(secStr)
	return sec, key
}

// authMarker decodes a GetAccountAuthorizationDetails marker: "section \x00 last key".
func authMarker(m string) (int, string, error) {
	key, err := markerKey(m)
	if err != nil || key == "" {
		return 0, "", err
	}
	secStr, after, ok := strings.Cut(key, sep)
	sec, convErr := strconv.Atoi(secStr)
	if !ok || convErr != nil || sec < 0 || sec >= len(authSections) {
		return 0, "", awserr.New(awserr.InvalidInput, "Invalid Marker.")
	}
	return sec, after, nil
}

// principalPolicies returns a principal's inline policies and attached managed policies.
func (t txn) principalPolicies(account, ptype, key string) ([]InlinePolicy, []AttachedPolicy, error) {
	prefix := ptype + sep + key + sep
	inl, err := inlines.List(t, account, prefix, "", 0)
	if err != nil {
		return nil, nil, err
	}
	var inline []InlinePolicy
	for _, it := range inl {
		inline = append(inline, InlinePolicy{PolicyName: it.Record.Name, PolicyDocument: it.Record.Document})
	}
	att, err := attachments.List(t, account, prefix, "", 0)
	if err != nil {
		return nil, nil, err
	}
	var attached []AttachedPolicy
	for _, it := range att {
		attached = append(attached, AttachedPolicy(*it.Record))
	}
	return inline, attached, nil
}

func (t txn) userDetail(account string, body []byte, out *AuthorizationDetails) error {
	var d UserDetail
	u, err := decodeUser(body)
	if err != nil {
		return err
	}
	d.User = *u
	key := fold(d.UserName)
	if d.UserPolicyList, d.AttachedManagedPolicies, err = t.principalPolicies(account, principalUserT, key); err != nil {
		return err
	}
	groups, err := t.groupsOf(account, d.UserName, d.UserID)
	if err != nil {
		return err
	}
	for _, g := range groups {
		name, err := t.displayName(account, principalGroupT, g)
		if err != nil {
			return err
		}
		d.GroupList = append(d.GroupList, name)
	}
	out.Users = append(out.Users, d)
	return nil
}

func (t txn) groupDetail(account string, body []byte, out *AuthorizationDetails) error {
	var d GroupDetail
	g, err := decodeGroup(body)
	if err != nil {
		return err
	}
	d.Group = *g
	d.GroupPolicyList, d.AttachedManagedPolicies, err = t.principalPolicies(account, principalGroupT, fold(d.GroupName))
	if err != nil {
		return err
	}
	out.Groups = append(out.Groups, d)
	return nil
}

func (t txn) roleDetail(account string, body []byte, out *AuthorizationDetails) error {
	var d RoleDetail
	r, err := decodeRole(body)
	if err != nil {
		return err
	}
	d.Role = *r
	if err := t.effectiveTrust(&d.Role); err != nil {
		return err
	}
	d.RolePolicyList, d.AttachedManagedPolicies, err = t.principalPolicies(account, principalRoleT, fold(d.RoleName))
	if err != nil {
		return err
	}
	if d.InstanceProfiles, err = t.profilesOfRole(account, d.RoleName); err != nil {
		return err
	}
	out.Roles = append(out.Roles, d)
	return nil
}

func (t txn) policyDetail(account, arn string, out *AuthorizationDetails) error {
	p, err := t.managedPolicy(account, arn)
	if err != nil {
		return err
	}
	out.Policies = append(out.Policies, *p)
	return nil
}
