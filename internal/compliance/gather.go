package compliance

import (
	"context"
	"fmt"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/rootuser"
)

// Gatherer reads Facts from Rootward's own state.
type Gatherer struct {
	iam  *iam.Service
	root *rootuser.Service
	orgs *orgs.Service
	now  func() time.Time
	// approval reads what protects the root sign-in (WithApproval); nil: nothing does.
	approval func(ctx context.Context, account string) (*Approval, error)
}

// WithApproval makes g read from fn which approval teams protect an account's root sign-in
// (internal/mpa, which sits above this package); without it no account's root sign-in is
// protected. It returns g.
func (g *Gatherer) WithApproval(fn func(ctx context.Context, account string) (*Approval, error)) *Gatherer {
	g.approval = fn
	return g
}

// NewGatherer returns a Gatherer over the given services; o may be nil (no organizations).
func NewGatherer(i *iam.Service, r *rootuser.Service, o *orgs.Service) *Gatherer {
	return &Gatherer{iam: i, root: r, orgs: o, now: i.Now}
}

// pageSize is how many items each listing reads at a time.
const pageSize = 1000

// Gather reads the facts of one account. Returns NoSuchEntity for an unknown account; a fact group
// that fails to read for another reason is recorded in Facts.Missing.
func (g *Gatherer) Gather(ctx context.Context, account string) (*Facts, error) {
	f := &Facts{Account: account, Now: g.now()}
	d, err := g.root.AccountDetails(ctx, account)
	if err != nil {
		return nil, err
	}
	f.AccountName = d.AccountName
	f.Root.Email = d.Email
	f.Contacts.Phone = d.Phone
	// The contacts are the Account Management API's records (internal/api/accountapi): the
	// primary contact information's phone and the three alternate contacts.
	f.Contacts.Security = contact(d.SecurityContact)
	f.Contacts.Billing = contact(d.Billing)
	f.Contacts.Operations = contact(d.Operations)
	for _, c := range []*Contact{f.Contacts.Security, f.Contacts.Billing, f.Contacts.Operations} {
		if c != nil && c.Email != "" {
			f.OtherAddresses = append(f.OtherAddresses, c.Email)
		}
	}
	if err := g.gatherRoot(ctx, f); err != nil {
		f.Miss(GroupRoot, err.Error())
	}
	if err := g.gatherOrganization(ctx, f); err != nil {
		f.Miss(GroupOrganization, err.Error())
	}
	if err := g.gatherEntities(ctx, f); err != nil {
		f.Miss(GroupUsers, err.Error())
		f.Miss(GroupGroups, err.Error())
		f.Miss(GroupPolicies, err.Error())
	}
	f.RootSignInApproval = &Approval{}
	if g.approval != nil {
		if f.RootSignInApproval, err = g.approval(ctx, account); err != nil {
			f.RootSignInApproval = nil
			f.Miss(GroupApproval, err.Error())
		}
	}
	pp, err := g.iam.GetAccountPasswordPolicy(ctx, account)
	switch {
	case awserr.IsCode(err, awserr.NoSuchEntity):
	case err != nil:
		f.Miss(GroupPasswordPolicy, err.Error())
	default:
		f.PasswordPolicy = &PasswordPolicy{
			MinimumPasswordLength: pp.MinimumPasswordLength, MaxPasswordAge: pp.MaxPasswordAge,
			PasswordReusePrevention: pp.PasswordReusePrevention, RequireSymbols: pp.RequireSymbols,
			RequireNumbers: pp.RequireNumbers, RequireUppercase: pp.RequireUppercaseCharacters,
			RequireLowercase: pp.RequireLowercaseCharacters, AllowUsersToChangePassword: pp.AllowUsersToChangePassword,
			HardExpiry: pp.HardExpiry != nil && *pp.HardExpiry,
		}
	}
	return f, nil
}

func contact(c *rootuser.Contact) *Contact {
	if c == nil {
		return nil
	}
	return &Contact{Name: c.Name, Title: c.Title, Email: c.EmailAddress, Phone: c.PhoneNumber}
}

func (g *Gatherer) gatherRoot(ctx context.Context, f *Facts) error {
	rc, err := g.iam.RootCredentialsOf(ctx, f.Account)
	if err != nil {
		return err
	}
	r := &f.Root
	r.CredentialsRemoved = rc.Empty()
	r.PasswordEnabled = rc.HasPassword
	r.MFAEnabled = len(rc.MFADevices) > 0
	for _, m := range rc.MFADevices {
		if iam.MFADeviceType(f.Account, m.SerialNumber) == iam.MFAVirtual {
			r.VirtualMFA++
		} else {
			r.HardwareMFA++
		}
	}
	r.AccessKeys = len(rc.AccessKeys)
	r.SigningCerts = len(rc.Certificates)
	if rc.PasswordLastUsed != nil {
		r.LastUsed = *rc.PasswordLastUsed
	}
	for _, k := range rc.AccessKeys {
		if k.LastUsed != nil && k.LastUsed.After(r.LastUsed) {
			r.LastUsed = *k.LastUsed
		}
	}
	return nil
}

// gatherOrganization sets Member and adds the other accounts' root emails to OtherAddresses.
func (g *Gatherer) gatherOrganization(ctx context.Context, f *Facts) error {
	if g.orgs == nil {
		return nil
	}
	o, err := g.orgs.OrganizationOf(ctx, f.Account)
	if err != nil || o == nil {
		return err
	}
	f.Member = o.MasterAccountID != f.Account
	opts := orgs.ListOpts{MaxResults: 20, MaxResultsGiven: true}
	for {
		page, err := g.orgs.ListAccounts(ctx, o.MasterAccountID, opts)
		if err != nil {
			return err
		}
		for _, a := range page.Items {
			if a.ID != f.Account && a.Email != "" {
				f.OtherAddresses = append(f.OtherAddresses, a.Email)
			}
		}
		if page.NextToken == "" {
			return nil
		}
		opts.NextToken = page.NextToken
	}
}

// gatherEntities reads users, groups and customer managed policies with their relationships, and
// each user's password, MFA devices and access keys.
func (g *Gatherer) gatherEntities(ctx context.Context, f *Facts) error {
	members := map[string]int{}
	opts := iam.ListOpts{MaxItems: pageSize}
	for {
		d, err := g.iam.GetAccountAuthorizationDetails(ctx, f.Account, []string{"User", "Group", "LocalManagedPolicy"}, opts)
		if err != nil {
			return err
		}
		for _, u := range d.Users {
			user, err := g.user(ctx, f.Account, u)
			if err != nil {
				return err
			}
			for _, gr := range u.GroupList {
				members[gr]++
			}
			f.Users = append(f.Users, user)
		}
		for _, gr := range d.Groups {
			f.Groups = append(f.Groups, Group{Name: gr.GroupName, ID: gr.GroupID, ARN: gr.Arn})
		}
		for _, p := range d.Policies {
			f.Policies = append(f.Policies, Policy{Name: p.PolicyName, ID: p.PolicyID, ARN: p.Arn,
				Document: p.DefaultDocument(), AttachmentCount: p.AttachmentCount})
		}
		if !d.IsTruncated {
			break
		}
		opts.Marker = d.Marker
	}
	for i := range f.Groups {
		f.Groups[i].Members = members[f.Groups[i].Name]
	}
	return nil
}

func (g *Gatherer) user(ctx context.Context, account string, d iam.UserDetail) (User, error) {
	u := User{Name: d.UserName, ID: d.UserID, ARN: d.Arn, Created: d.CreateDate, Groups: d.GroupList}
	if d.PasswordLastUsed != nil {
		u.PasswordLastUsed = *d.PasswordLastUsed
	}
	for _, p := range d.AttachedManagedPolicies {
		u.AttachedPolicies = append(u.AttachedPolicies, p.PolicyArn)
	}
	for _, p := range d.UserPolicyList {
		u.InlinePolicies = append(u.InlinePolicies, p.PolicyName)
	}
	_, err := g.iam.GetLoginProfile(ctx, account, d.UserName)
	switch {
	case err == nil:
		u.PasswordEnabled = true
	case !awserr.IsCode(err, awserr.NoSuchEntity):
		return u, fmt.Errorf("login profile of %s: %w", d.UserName, err)
	}
	mfa, err := g.iam.ListMFADevices(ctx, account, d.UserName, iam.ListOpts{MaxItems: pageSize})
	if err != nil {
		return u, fmt.Errorf("MFA devices of %s: %w", d.UserName, err)
	}
	u.MFADevices = len(mfa.Items)
	keys, err := g.iam.ListAccessKeys(ctx, account, d.UserName, iam.ListOpts{MaxItems: pageSize})
	if err != nil {
		return u, fmt.Errorf("access keys of %s: %w", d.UserName, err)
	}
	for _, k := range keys.Items {
		ak := AccessKey{ID: k.AccessKeyID, Active: k.Status == "Active", Created: k.CreateDate}
		if k.LastUsed != nil {
			ak.LastUsed = *k.LastUsed
		}
		u.AccessKeys = append(u.AccessKeys, ak)
	}
	return u, nil
}
