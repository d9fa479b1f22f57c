package migratest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/throttle"
	"github.com/rootward/rootward/internal/trail"
)

// read is one group of entities read back through the domain services' public read functions.
// The name is the golden file's (testdata/golden/NAME.json).
type read struct {
	name string
	fn   func(ctx context.Context, s *services, h *handles) (any, error)
}

// all collects the results of several reads under their names, failing on the first error.
type all map[string]any

func (a all) add(name string, v any, err error) error {
	if err != nil {
		return fmtErr(name, err)
	}
	a[name] = v
	return nil
}

// page lists everything a listing has, in one page of the largest size each API allows.
var (
	iamAll  = iam.ListOpts{MaxItems: 1000}
	orgsAll = orgs.ListOpts{MaxResults: 20, MaxResultsGiven: true}
)

// reads are the entity groups the test compares, each by the service that owns them.
var reads = []read{
	{"accounts", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		as, err := s.iam.Accounts(ctx)
		if err := out.add("Accounts", as, err); err != nil {
			return nil, err
		}
		n, err := s.iam.AccountCount(ctx)
		if err := out.add("AccountCount", n, err); err != nil {
			return nil, err
		}
		for _, id := range []string{h.Management, h.Member, h.Invited, h.Standalone} {
			a, err := s.iam.GetAccount(ctx, id)
			if err := out.add("GetAccount "+id, a, err); err != nil {
				return nil, err
			}
		}
		a, err := s.iam.AccountByAlias(ctx, "fixture-mgmt")
		if err := out.add("AccountByAlias", a.ID, err); err != nil {
			return nil, err
		}
		a, err = s.iam.AccountByRootEmail(ctx, "ROOT@mgmt.example.com")
		if err := out.add("AccountByRootEmail", a.ID, err); err != nil {
			return nil, err
		}
		u, err := s.iam.UnclaimedAccount(ctx)
		if err := out.add("UnclaimedAccount", u, err); err != nil {
			return nil, err
		}
		pp, err := s.iam.GetAccountPasswordPolicy(ctx, h.Management)
		if err := out.add("GetAccountPasswordPolicy", pp, err); err != nil {
			return nil, err
		}
		sum, err := s.iam.GetAccountSummary(ctx, h.Management)
		return out, out.add("GetAccountSummary", sum, err)
	}},
	{"root-user", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		for _, id := range []string{h.Management, h.Member, h.Invited, h.Standalone} {
			rc, err := s.iam.RootCredentialsOf(ctx, id)
			if err := out.add("RootCredentialsOf "+id, rc, err); err != nil {
				return nil, err
			}
			flags, err := s.root.RootCredentials(ctx, id)
			if err := out.add("RootCredentials "+id, flags, err); err != nil {
				return nil, err
			}
			d, err := s.root.AccountDetails(ctx, id)
			if err := out.add("AccountDetails "+id, d, err); err != nil {
				return nil, err
			}
			devs, err := s.root.Devices(ctx, id, "")
			if err := out.add("Devices "+id, devs, err); err != nil {
				return nil, err
			}
		}
		w, err := s.iam.WebAuthnDevices(ctx, h.Management, "")
		if err := out.add("WebAuthnDevices", w, err); err != nil {
			return nil, err
		}
		optional, deadline, err := s.root.MFARegistrationWindow(ctx, h.Invited)
		if err := out.add("MFARegistrationWindow "+h.Invited, []any{optional, deadline}, err); err != nil {
			return nil, err
		}
		epoch, err := s.root.SessionEpoch(ctx, h.Management, "")
		return out, out.add("SessionEpoch", epoch, err)
	}},
	{"root-user-flows", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		r, err := s.root.CheckPasswordReset(ctx, h.PasswordResetToken)
		if err := out.add("CheckPasswordReset", r, err); err != nil {
			return nil, err
		}
		ec, err := s.root.CheckRootEmailChange(ctx, h.EmailChangeToken)
		if err := out.add("CheckRootEmailChange", ec, err); err != nil {
			return nil, err
		}
		rec, err := s.root.MFARecoveryStatus(ctx, h.MFARecoveryToken)
		if err := out.add("MFARecoveryStatus", rec, err); err != nil {
			return nil, err
		}
		p, err := s.root.PendingMFARecovery(ctx, h.Management)
		if err := out.add("PendingMFARecovery", p, err); err != nil {
			return nil, err
		}
		msgs, err := s.notify.Outbox(ctx, notify.Query{})
		return out, out.add("Outbox", msgs, err)
	}},
	{"users", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		list, err := s.iam.ListUsers(ctx, h.Management, "", iamAll)
		if err := out.add("ListUsers", list, err); err != nil {
			return nil, err
		}
		list, err = s.iam.ListUsers(ctx, h.Management, "/engineering/", iamAll)
		if err := out.add("ListUsers /engineering/", list, err); err != nil {
			return nil, err
		}
		for _, name := range []string{"alice", "bob"} {
			if err := readUser(ctx, s, h.Management, name, out); err != nil {
				return nil, err
			}
		}
		return out, nil
	}},
	{"access-keys", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		for _, id := range h.AccessKeys {
			k, u, err := s.iam.AccessKey(ctx, id)
			if err := out.add("AccessKey "+id, []any{k, u}, err); err != nil {
				return nil, err
			}
			k, err = s.iam.GetAccessKeyLastUsed(ctx, h.Management, id)
			if err := out.add("GetAccessKeyLastUsed "+id, k, err); err != nil {
				return nil, err
			}
			a, err := s.iam.KeyAccount(ctx, id)
			if err := out.add("KeyAccount "+id, a, err); err != nil {
				return nil, err
			}
		}
		root, err := s.iam.ListAccessKeys(ctx, h.Management, "", iamAll)
		if err := out.add("ListAccessKeys root", root, err); err != nil {
			return nil, err
		}
		certs, err := s.iam.ListSigningCertificates(ctx, h.Management, "", iamAll)
		return out, out.add("ListSigningCertificates root", certs, err)
	}},
	{"mfa-devices", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		for _, status := range []string{"Any", "Assigned", "Unassigned"} {
			v, err := s.iam.ListVirtualMFADevices(ctx, h.Management, status, iamAll)
			if err := out.add("ListVirtualMFADevices "+status, v, err); err != nil {
				return nil, err
			}
		}
		root, err := s.iam.ListMFADevices(ctx, h.Management, "", iamAll)
		return out, out.add("ListMFADevices root", root, err)
	}},
	{"groups", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		list, err := s.iam.ListGroups(ctx, h.Management, "", iamAll)
		if err := out.add("ListGroups", list, err); err != nil {
			return nil, err
		}
		g, members, err := s.iam.GetGroup(ctx, h.Management, "developers", iamAll)
		if err := out.add("GetGroup", []any{g, members}, err); err != nil {
			return nil, err
		}
		return out, readPrincipalPolicies(ctx, s, h.Management, "group", "developers", out)
	}},
	{"roles", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		for _, account := range []string{h.Management, h.Member} {
			// The member's is the role Organizations creates in a new account.
			list, err := s.iam.ListRoles(ctx, account, "", iamAll)
			if err := out.add("ListRoles "+account, list, err); err != nil {
				return nil, err
			}
			for _, r := range list.Items {
				got, err := s.iam.GetRole(ctx, account, r.RoleName)
				if err := out.add("GetRole "+account+" "+r.RoleName, got, err); err != nil {
					return nil, err
				}
			}
		}
		return out, readPrincipalPolicies(ctx, s, h.Management, "role", "deployer", out)
	}},
	{"policies", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		list, err := s.iam.ListPolicies(ctx, h.Management, iam.ListPoliciesInput{Scope: "Local"}, iamAll)
		if err := out.add("ListPolicies Local", list, err); err != nil {
			return nil, err
		}
		list, err = s.iam.ListPolicies(ctx, h.Management, iam.ListPoliciesInput{OnlyAttached: true}, iamAll)
		if err := out.add("ListPolicies OnlyAttached", list, err); err != nil {
			return nil, err
		}
		for _, a := range h.Policies {
			p, err := s.iam.GetPolicy(ctx, h.Management, a)
			if err := out.add("GetPolicy "+a, p, err); err != nil {
				return nil, err
			}
			vs, err := s.iam.ListPolicyVersions(ctx, h.Management, a, iamAll)
			if err := out.add("ListPolicyVersions "+a, vs, err); err != nil {
				return nil, err
			}
			for _, v := range vs.Items {
				pv, err := s.iam.GetPolicyVersion(ctx, h.Management, a, v.VersionID)
				if err := out.add("GetPolicyVersion "+a+" "+v.VersionID, pv, err); err != nil {
					return nil, err
				}
			}
			ents, err := s.iam.ListEntitiesForPolicy(ctx, h.Management, a, "")
			if err := out.add("ListEntitiesForPolicy "+a, ents, err); err != nil {
				return nil, err
			}
		}
		return out, nil
	}},
	{"authorization-details", func(ctx context.Context, s *services, h *handles) (any, error) {
		return s.iam.GetAccountAuthorizationDetails(ctx, h.Management, nil, iamAll)
	}},
	{"credential-report", func(ctx context.Context, s *services, h *handles) (any, error) {
		return s.iam.GetCredentialReport(ctx, h.Management)
	}},
	{"sessions", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		for _, sess := range h.Sessions {
			got, err := s.iam.Session(ctx, sess.ID, sess.Token, h.Now)
			if err := out.add("Session "+sess.ID, got, err); err != nil {
				return nil, err
			}
		}
		return out, nil
	}},
	{"organization", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		o, err := s.orgs.DescribeOrganization(ctx, h.Management)
		if err := out.add("DescribeOrganization", o, err); err != nil {
			return nil, err
		}
		for _, id := range []string{h.Management, h.Member, h.Invited, h.Standalone} {
			o, err := s.orgs.OrganizationOf(ctx, id)
			if err := out.add("OrganizationOf "+id, o, err); err != nil {
				return nil, err
			}
		}
		roots, err := s.orgs.ListRoots(ctx, h.Management)
		if err := out.add("ListRoots", roots, err); err != nil {
			return nil, err
		}
		svc, err := s.orgs.ListAWSServiceAccessForOrganization(ctx, h.Management)
		if err := out.add("ListAWSServiceAccessForOrganization", svc, err); err != nil {
			return nil, err
		}
		da, err := s.orgs.ListDelegatedAdministrators(ctx, h.Management, "", orgsAll)
		if err := out.add("ListDelegatedAdministrators", da, err); err != nil {
			return nil, err
		}
		ds, err := s.orgs.ListDelegatedServicesForAccount(ctx, h.Management, h.Member)
		if err := out.add("ListDelegatedServicesForAccount", ds, err); err != nil {
			return nil, err
		}
		f, err := s.orgs.ListOrganizationsFeatures(ctx, h.Management)
		if err := out.add("ListOrganizationsFeatures", f, err); err != nil {
			return nil, err
		}
		cs, err := s.orgs.ListCreateAccountStatus(ctx, h.Management, nil, orgsAll)
		if err := out.add("ListCreateAccountStatus", cs, err); err != nil {
			return nil, err
		}
		c, err := s.orgs.DescribeCreateAccountStatus(ctx, h.Management, h.CreateAccountRequest)
		return out, out.add("DescribeCreateAccountStatus", c, err)
	}},
	{"org-accounts", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		list, err := s.orgs.ListAccounts(ctx, h.Management, orgsAll)
		if err := out.add("ListAccounts", list, err); err != nil {
			return nil, err
		}
		for _, id := range []string{h.Management, h.Member, h.Invited} {
			a, err := s.orgs.DescribeAccount(ctx, h.Management, id)
			if err := out.add("DescribeAccount "+id, a, err); err != nil {
				return nil, err
			}
			ps, err := s.orgs.ListParents(ctx, h.Management, id)
			if err := out.add("ListParents "+id, ps, err); err != nil {
				return nil, err
			}
			tags, err := s.orgs.ListTagsForResource(ctx, h.Management, id, orgsAll)
			if err := out.add("ListTagsForResource "+id, tags, err); err != nil {
				return nil, err
			}
			pl, err := s.orgs.PlacementOf(ctx, id)
			if err := out.add("PlacementOf "+id, pl, err); err != nil {
				return nil, err
			}
		}
		inv, err := s.orgs.RootInventory(ctx, h.Management)
		return out, out.add("RootInventory", inv, err)
	}},
	{"org-units", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		for _, parent := range append([]string{h.Root}, h.OUs...) {
			ous, err := s.orgs.ListOrganizationalUnitsForParent(ctx, h.Management, parent, orgsAll)
			if err := out.add("ListOrganizationalUnitsForParent "+parent, ous, err); err != nil {
				return nil, err
			}
			accts, err := s.orgs.ListAccountsForParent(ctx, h.Management, parent, orgsAll)
			if err := out.add("ListAccountsForParent "+parent, accts, err); err != nil {
				return nil, err
			}
			for _, ct := range []string{"ACCOUNT", "ORGANIZATIONAL_UNIT"} {
				ch, err := s.orgs.ListChildren(ctx, h.Management, parent, ct, orgsAll)
				if err := out.add("ListChildren "+parent+" "+ct, ch, err); err != nil {
					return nil, err
				}
			}
			tags, err := s.orgs.ListTagsForResource(ctx, h.Management, parent, orgsAll)
			if err := out.add("ListTagsForResource "+parent, tags, err); err != nil {
				return nil, err
			}
			pols, err := s.orgs.ListPoliciesForTarget(ctx, h.Management, parent, "SERVICE_CONTROL_POLICY", orgsAll)
			if err := out.add("ListPoliciesForTarget "+parent, pols, err); err != nil {
				return nil, err
			}
		}
		for _, ou := range h.OUs {
			d, err := s.orgs.DescribeOrganizationalUnit(ctx, h.Management, ou)
			if err := out.add("DescribeOrganizationalUnit "+ou, d, err); err != nil {
				return nil, err
			}
			ps, err := s.orgs.ListParents(ctx, h.Management, ou)
			if err := out.add("ListParents "+ou, ps, err); err != nil {
				return nil, err
			}
		}
		return out, nil
	}},
	{"org-policies", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		list, err := s.orgs.ListPolicies(ctx, h.Management, "SERVICE_CONTROL_POLICY", orgsAll)
		if err := out.add("ListPolicies", list, err); err != nil {
			return nil, err
		}
		for _, p := range list.Items {
			d, err := s.orgs.DescribePolicy(ctx, h.Management, p.ID)
			if err := out.add("DescribePolicy "+p.ID, d, err); err != nil {
				return nil, err
			}
			ts, err := s.orgs.ListTargetsForPolicy(ctx, h.Management, p.ID, orgsAll)
			if err := out.add("ListTargetsForPolicy "+p.ID, ts, err); err != nil {
				return nil, err
			}
			tags, err := s.orgs.ListTagsForResource(ctx, h.Management, p.ID, orgsAll)
			if err := out.add("ListTagsForResource "+p.ID, tags, err); err != nil {
				return nil, err
			}
		}
		return out, nil
	}},
	{"handshakes", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		list, err := s.orgs.ListHandshakesForOrganization(ctx, h.Management, "", orgsAll)
		if err := out.add("ListHandshakesForOrganization", list, err); err != nil {
			return nil, err
		}
		for _, id := range []string{h.Invited, h.Standalone} {
			l, err := s.orgs.ListHandshakesForAccount(ctx, id, "", orgsAll)
			if err := out.add("ListHandshakesForAccount "+id, l, err); err != nil {
				return nil, err
			}
		}
		for _, id := range h.Handshakes {
			hs, err := s.orgs.DescribeHandshake(ctx, h.Management, id)
			if err := out.add("DescribeHandshake "+id, hs, err); err != nil {
				return nil, err
			}
		}
		return out, nil
	}},
	{"throttle", func(ctx context.Context, s *services, h *handles) (any, error) {
		// The counters the password reset and the lost-MFA recovery left, under the scopes the
		// root-user service counts them in (rootuser's throttle.go).
		c := throttle.New(s.st, throttle.DefaultLimits, s.clock.Now)
		out := all{}
		ip, _ := throttle.DefaultLimits.Address("reset", "203.0.113.7")
		for _, sc := range []throttle.Scope{
			throttle.DefaultLimits.Messages("reset:root@mgmt.example.com"),
			throttle.DefaultLimits.Messages("mfa-recovery:" + h.Management),
			ip,
		} {
			st, err := c.State(ctx, sc)
			if err := out.add("State "+sc.Key, st, err); err != nil {
				return nil, err
			}
		}
		return out, nil
	}},
	{"trail", func(ctx context.Context, s *services, h *handles) (any, error) {
		out := all{}
		// Each account's events, oldest first (by time, then event ID), whatever order and paging
		// the lookup function of the moment returns them in.
		for _, id := range []string{h.Management, h.Member, h.Invited, h.Standalone} {
			p, err := trail.List(ctx, s.st, trail.Query{Account: id})
			if err != nil {
				return nil, fmtErr("trail.List "+id, err)
			}
			if p.Next != "" {
				return nil, fmt.Errorf("trail.List %s: more than one page", id)
			}
			evs := slices.Clone(p.Events)
			slices.SortStableFunc(evs, func(a, b trail.Event) int {
				return cmp.Or(a.EventTime.Compare(b.EventTime), strings.Compare(a.EventID, b.EventID))
			})
			out[id] = evs
		}
		return out, nil
	}},
}

// readUser reads everything of one IAM user.
func readUser(ctx context.Context, s *services, account, name string, out all) error {
	u, err := s.iam.GetUser(ctx, account, name)
	if err := out.add("GetUser "+name, u, err); err != nil {
		return err
	}
	if name == "alice" {
		lp, err := s.iam.GetLoginProfile(ctx, account, name)
		if err := out.add("GetLoginProfile "+name, lp, err); err != nil {
			return err
		}
	}
	keys, err := s.iam.ListAccessKeys(ctx, account, name, iamAll)
	if err := out.add("ListAccessKeys "+name, keys, err); err != nil {
		return err
	}
	certs, err := s.iam.ListSigningCertificates(ctx, account, name, iamAll)
	if err := out.add("ListSigningCertificates "+name, certs, err); err != nil {
		return err
	}
	mfa, err := s.iam.ListMFADevices(ctx, account, name, iamAll)
	if err := out.add("ListMFADevices "+name, mfa, err); err != nil {
		return err
	}
	w, err := s.iam.WebAuthnDevices(ctx, account, name)
	if err := out.add("WebAuthnDevices "+name, w, err); err != nil {
		return err
	}
	devs, err := s.root.Devices(ctx, account, name)
	if err := out.add("Devices "+name, devs, err); err != nil {
		return err
	}
	epoch, err := s.root.SessionEpoch(ctx, account, name)
	if err := out.add("SessionEpoch "+name, epoch, err); err != nil {
		return err
	}
	groups, err := s.iam.ListGroupsForUser(ctx, account, name, iamAll)
	if err := out.add("ListGroupsForUser "+name, groups, err); err != nil {
		return err
	}
	return readPrincipalPolicies(ctx, s, account, "user", name, out)
}

// readPrincipalPolicies reads a user's, group's or role's inline and attached policies, and the
// policies that apply to it.
func readPrincipalPolicies(ctx context.Context, s *services, account, ptype, name string, out all) error {
	inline, err := s.iam.ListInlinePolicies(ctx, account, ptype, name, iamAll)
	if err := out.add("ListInlinePolicies "+name, inline, err); err != nil {
		return err
	}
	for _, p := range inline.Items {
		doc, err := s.iam.GetInlinePolicy(ctx, account, ptype, name, p)
		if err := out.add("GetInlinePolicy "+name+" "+p, doc, err); err != nil {
			return err
		}
	}
	attached, err := s.iam.ListAttachedPolicies(ctx, account, ptype, name, "", iamAll)
	if err := out.add("ListAttachedPolicies "+name, attached, err); err != nil {
		return err
	}
	facts, err := s.iam.EntityFacts(ctx, account, ptype, name)
	if err := out.add("EntityFacts "+name, facts, err); err != nil {
		return err
	}
	id := ""
	switch ptype {
	case "user":
		u, err := s.iam.GetUser(ctx, account, name)
		if err != nil {
			return fmtErr("GetUser "+name, err)
		}
		id = u.UserID
	case "role":
		r, err := s.iam.GetRole(ctx, account, name)
		if err != nil {
			return fmtErr("GetRole "+name, err)
		}
		id = r.RoleID
	default:
		return nil
	}
	pp, err := s.iam.PrincipalPolicies(ctx, account, ptype, name, id)
	return out.add("PrincipalPolicies "+strings.ToLower(name), pp, err)
}
