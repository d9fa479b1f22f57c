// Package awsfacts reads compliance.Facts over the AWS API, read-only, from any endpoint that
// speaks it: Rootward, moto, or AWS itself. It is what `rootward audit` evaluates the checks on,
// so the same checks that Rootward's Config, Security Hub and Trusted Advisor run on its own state
// can be run against an account anywhere.
//
// Every read that fails is recorded in Facts.Missing under the fact group it feeds, with the
// reason, so a check that needs it answers ERROR instead of deciding on data it never saw. Only the
// caller's identity (sts:GetCallerIdentity) is required: without it there is no account to audit.
package awsfacts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/account"
	acctypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/mpa"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/compliance"
)

const (
	groupRoot           = compliance.GroupRoot
	groupUsers          = compliance.GroupUsers
	groupGroups         = compliance.GroupGroups
	groupPolicies       = compliance.GroupPolicies
	groupPasswordPolicy = compliance.GroupPasswordPolicy
	groupContacts       = compliance.GroupContacts
	groupOrganization   = compliance.GroupOrganization
)

// Collector reads Facts through clients built from one aws.Config (credentials, region, endpoint).
type Collector struct {
	cfg aws.Config
	iam *iam.Client
	sts *sts.Client
	acc *account.Client
	org *organizations.Client
	mpa *mpa.Client

	// mgmtTeams are the approval teams of the caller's (management) account that protect the root
	// sign-in, read once for every member (memberApproval); mgmtErr is why they could not be.
	mgmtTeams []string
	mgmtErr   error
	mgmtRead  bool

	// Now is the time the facts are read at (time.Now when nil).
	Now func() time.Time
	// ReportTries bounds how often GetCredentialReport is asked while IAM generates the report
	// (default 10); ReportWait waits between two tries (default: 2 s, or until ctx ends).
	ReportTries int
	ReportWait  func(ctx context.Context) error
}

// New returns a Collector over cfg. Set cfg.BaseEndpoint to audit another endpoint than AWS.
func New(cfg aws.Config) *Collector {
	return &Collector{cfg: cfg, iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg),
		acc: account.NewFromConfig(cfg), org: organizations.NewFromConfig(cfg), mpa: mpa.NewFromConfig(cfg)}
}

// Identity is who the collector's credentials are.
type Identity struct {
	Account string
	ARN     string
	Root    bool // the account's root user (arn:aws:iam::ACCOUNT:root)
}

// Identity answers sts:GetCallerIdentity. An error here means the audit cannot run.
func (c *Collector) Identity(ctx context.Context) (Identity, error) {
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, err
	}
	id := Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}
	id.Root = id.ARN == rootARN(id.ARN, id.Account)
	return id, nil
}

// rootARN is the root user's ARN in the partition of arn (any ARN of the same partition).
func rootARN(arn, account string) string {
	partition := "aws"
	if parts := strings.SplitN(arn, ":", 3); len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		partition = parts[1]
	}
	return "arn:" + partition + ":iam::" + account + ":root"
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Account reads the facts of the caller's own account, everything the checks look at.
func (c *Collector) Account(ctx context.Context, id Identity) *compliance.Facts {
	f := &compliance.Facts{Account: id.Account, Now: c.now(), Missing: map[string]string{}}
	c.rootSummary(ctx, f, id)
	rep, err := c.credentialReport(ctx)
	if err != nil {
		f.Missing[GroupRootUse] = why("iam:GetCredentialReport", err)
	}
	c.root(f, rep)
	c.users(ctx, f, rep)
	c.groups(ctx, f)
	c.policies(ctx, f)
	c.passwordPolicy(ctx, f)
	c.contacts(ctx, f, "")
	c.organization(ctx, f)
	c.approval(ctx, f)
	return f
}

// rootSummary reads the root user's MFA and access key flags (iam:GetAccountSummary) and its MFA
// devices: virtual devices assigned to the root (iam:ListVirtualMFADevices), and, when the caller
// is the root user itself, every device (iam:ListMFADevices). Another caller cannot list the root's
// hardware devices; a root with MFA and no virtual device then counts one hardware device, which
// is the least it has (Security Hub's IAM.6 reasons the same way).
func (c *Collector) rootSummary(ctx context.Context, f *compliance.Facts, id Identity) {
	sum, err := c.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		f.Missing[groupRoot] = why("iam:GetAccountSummary", err)
		return
	}
	f.Root.MFAEnabled = sum.SummaryMap["AccountMFAEnabled"] > 0
	f.Root.AccessKeys = int(sum.SummaryMap["AccountAccessKeysPresent"])
	f.Root.PasswordEnabled = true // every account's root has a password unless a report says otherwise

	virtual, err := c.rootVirtualMFA(ctx, rootARN(id.ARN, id.Account))
	if err != nil {
		f.Missing[groupRoot] = why("iam:ListVirtualMFADevices", err)
		return
	}
	f.Root.VirtualMFA = virtual
	if id.Root {
		n, err := c.mfaDevices(ctx, "")
		if err != nil {
			f.Missing[groupRoot] = why("iam:ListMFADevices", err)
			return
		}
		f.Root.HardwareMFA = max(n-virtual, 0)
	} else if f.Root.MFAEnabled && virtual == 0 {
		f.Root.HardwareMFA = 1
	}
	if !id.Root && f.Root.MFAEnabled && virtual < 2 {
		f.Missing[GroupRootMFADevices] = "only the root user may list its hardware MFA devices (iam:ListMFADevices); " +
			"run the audit as the root user, or see the count on the root user's Security credentials page"
	}
}

// rootVirtualMFA counts the assigned virtual MFA devices whose user is the root user.
func (c *Collector) rootVirtualMFA(ctx context.Context, root string) (int, error) {
	n := 0
	p := iam.NewListVirtualMFADevicesPaginator(c.iam, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAssigned})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		for _, d := range page.VirtualMFADevices {
			if d.User != nil && aws.ToString(d.User.Arn) == root {
				n++
			}
		}
	}
	return n, nil
}

// mfaDevices counts the MFA devices of user ("": the caller).
func (c *Collector) mfaDevices(ctx context.Context, user string) (int, error) {
	in := &iam.ListMFADevicesInput{}
	if user != "" {
		in.UserName = aws.String(user)
	}
	n := 0
	p := iam.NewListMFADevicesPaginator(c.iam, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		n += len(page.MFADevices)
	}
	return n, nil
}

// root completes the root user's facts from the credential report's root row: whether it has a
// password, its signing certificates, and when the password or a key was last used.
func (c *Collector) root(f *compliance.Facts, rep *credentialReport) {
	if rep == nil || rep.root == nil {
		if rep != nil {
			f.Missing[GroupRootUse] = "the credential report has no <root_account> row"
		}
		return
	}
	r := rep.root
	// The root row's password_enabled is not_supported; its password_last_used is N/A when the
	// root user has no password (IAM User Guide, "Getting credential reports").
	f.Root.PasswordEnabled = r.passwordLastUsed != cellNA
	f.Root.SigningCerts = r.certs
	f.Root.AccessKeys = max(f.Root.AccessKeys, len(r.keys))
	f.Root.LastUsed = r.lastUsed()
	// As compliance.Gatherer decides it: a root user with no credential at all.
	f.Root.CredentialsRemoved = !f.Root.PasswordEnabled && !f.Root.MFAEnabled && f.Root.AccessKeys == 0 && f.Root.SigningCerts == 0
}

// users reads every IAM user: the report's password and key columns, and each user's MFA devices,
// policies and groups.
func (c *Collector) users(ctx context.Context, f *compliance.Facts, rep *credentialReport) {
	if rep == nil {
		f.Missing[groupUsers] = f.Missing[GroupRootUse]
		return
	}
	p := iam.NewListUsersPaginator(c.iam, &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			f.Users, f.Missing[groupUsers] = nil, why("iam:ListUsers", err)
			return
		}
		for _, u := range page.Users {
			user, err := c.user(ctx, u, rep)
			if err != nil {
				f.Users, f.Missing[groupUsers] = nil, err.Error()
				return
			}
			f.Users = append(f.Users, user)
		}
	}
}

func (c *Collector) user(ctx context.Context, u iamtypes.User, rep *credentialReport) (compliance.User, error) {
	name := aws.ToString(u.UserName)
	out := compliance.User{Name: name, ID: aws.ToString(u.UserId), ARN: aws.ToString(u.Arn), Created: aws.ToTime(u.CreateDate),
		PasswordLastUsed: aws.ToTime(u.PasswordLastUsed)}
	row := rep.users[name]
	if row != nil {
		out.PasswordEnabled = row.passwordEnabled
		if out.PasswordLastUsed.IsZero() {
			out.PasswordLastUsed = row.passwordUsed
		}
	}
	keys, err := c.accessKeys(ctx, name, row)
	if err != nil {
		return out, err
	}
	out.AccessKeys = keys
	n, err := c.mfaDevices(ctx, name)
	if err != nil {
		return out, errors.New(why("iam:ListMFADevices", err))
	}
	out.MFADevices = n
	attached := iam.NewListAttachedUserPoliciesPaginator(c.iam, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return out, errors.New(why("iam:ListAttachedUserPolicies", err))
		}
		for _, p := range page.AttachedPolicies {
			out.AttachedPolicies = append(out.AttachedPolicies, aws.ToString(p.PolicyArn))
		}
	}
	inline := iam.NewListUserPoliciesPaginator(c.iam, &iam.ListUserPoliciesInput{UserName: aws.String(name)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return out, errors.New(why("iam:ListUserPolicies", err))
		}
		out.InlinePolicies = append(out.InlinePolicies, page.PolicyNames...)
	}
	groups := iam.NewListGroupsForUserPaginator(c.iam, &iam.ListGroupsForUserInput{UserName: aws.String(name)})
	for groups.HasMorePages() {
		page, err := groups.NextPage(ctx)
		if err != nil {
			return out, errors.New(why("iam:ListGroupsForUser", err))
		}
		for _, g := range page.Groups {
			out.Groups = append(out.Groups, aws.ToString(g.GroupName))
		}
	}
	return out, nil
}

// accessKeys lists user's access keys (iam:ListAccessKeys), with when each was last used from
// the credential report's row: its key 1 is the older key, key 2 the newer (IAM User Guide,
// "Generate credential reports").
func (c *Collector) accessKeys(ctx context.Context, user string, row *reportRow) ([]compliance.AccessKey, error) {
	var keys []compliance.AccessKey
	p := iam.NewListAccessKeysPaginator(c.iam, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, errors.New(why("iam:ListAccessKeys", err))
		}
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, compliance.AccessKey{ID: aws.ToString(k.AccessKeyId), Active: k.Status == iamtypes.StatusTypeActive,
				Created: aws.ToTime(k.CreateDate)})
		}
	}
	slices.SortStableFunc(keys, func(a, b compliance.AccessKey) int { return a.Created.Compare(b.Created) })
	if row != nil {
		for i := range keys {
			for _, r := range row.keys {
				if r.Created.Equal(keys[i].Created.Truncate(time.Second)) {
					keys[i].LastUsed = r.LastUsed
				}
			}
		}
	}
	return keys, nil
}

// groups reads every group and how many users it has.
func (c *Collector) groups(ctx context.Context, f *compliance.Facts) {
	p := iam.NewListGroupsPaginator(c.iam, &iam.ListGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			f.Groups, f.Missing[groupGroups] = nil, why("iam:ListGroups", err)
			return
		}
		for _, g := range page.Groups {
			members := 0
			gp := iam.NewGetGroupPaginator(c.iam, &iam.GetGroupInput{GroupName: g.GroupName})
			for gp.HasMorePages() {
				out, err := gp.NextPage(ctx)
				if err != nil {
					f.Groups, f.Missing[groupGroups] = nil, why("iam:GetGroup", err)
					return
				}
				members += len(out.Users)
			}
			f.Groups = append(f.Groups, compliance.Group{Name: aws.ToString(g.GroupName), ID: aws.ToString(g.GroupId),
				ARN: aws.ToString(g.Arn), Members: members})
		}
	}
}

// policies reads the attached customer managed policies and their default versions' documents.
func (c *Collector) policies(ctx context.Context, f *compliance.Facts) {
	p := iam.NewListPoliciesPaginator(c.iam, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal, OnlyAttached: true})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			f.Policies, f.Missing[groupPolicies] = nil, why("iam:ListPolicies", err)
			return
		}
		for _, pol := range page.Policies {
			v, err := c.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: pol.Arn, VersionId: pol.DefaultVersionId})
			if err != nil {
				f.Policies, f.Missing[groupPolicies] = nil, why("iam:GetPolicyVersion", err)
				return
			}
			doc := aws.ToString(v.PolicyVersion.Document)
			// IAM returns documents URL-encoded (IAM API Reference, PolicyVersion: "The policy
			// document returned in this structure is URL-encoded compliant with RFC 3986").
			if dec, err := url.QueryUnescape(doc); err == nil {
				doc = dec
			}
			f.Policies = append(f.Policies, compliance.Policy{Name: aws.ToString(pol.PolicyName), ID: aws.ToString(pol.PolicyId),
				ARN: aws.ToString(pol.Arn), Document: doc, AttachmentCount: int(aws.ToInt32(pol.AttachmentCount))})
		}
	}
}

// passwordPolicy reads the account's password policy; NoSuchEntity means none is set.
func (c *Collector) passwordPolicy(ctx context.Context, f *compliance.Facts) {
	out, err := c.iam.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if code(err) == "NoSuchEntity" {
		return
	}
	if err != nil {
		f.Missing[groupPasswordPolicy] = why("iam:GetAccountPasswordPolicy", err)
		return
	}
	p := out.PasswordPolicy
	f.PasswordPolicy = &compliance.PasswordPolicy{
		MinimumPasswordLength: int(aws.ToInt32(p.MinimumPasswordLength)), MaxPasswordAge: int(aws.ToInt32(p.MaxPasswordAge)),
		PasswordReusePrevention: int(aws.ToInt32(p.PasswordReusePrevention)),
		RequireSymbols:          p.RequireSymbols, RequireNumbers: p.RequireNumbers, RequireUppercase: p.RequireUppercaseCharacters,
		RequireLowercase: p.RequireLowercaseCharacters, AllowUsersToChangePassword: p.AllowUsersToChangePassword,
		HardExpiry: aws.ToBool(p.HardExpiry),
	}
}

// contacts reads the contact phone (account:GetContactInformation) and the SECURITY, BILLING and
// OPERATIONS alternate contacts of member ("": the caller's own account). ResourceNotFound means
// the contact is not set; anything else (access denied, an endpoint without the Account
// Management API) leaves the contacts unknown.
func (c *Collector) contacts(ctx context.Context, f *compliance.Facts, member string) {
	var id *string
	if member != "" {
		id = aws.String(member)
	}
	info, err := c.acc.GetContactInformation(ctx, &account.GetContactInformationInput{AccountId: id})
	switch {
	case code(err) == "ResourceNotFoundException":
	case err != nil:
		f.Missing[groupContacts] = why("account:GetContactInformation", err)
		return
	case info.ContactInformation != nil:
		f.Contacts.Name = aws.ToString(info.ContactInformation.FullName)
		f.Contacts.Phone = aws.ToString(info.ContactInformation.PhoneNumber)
	}
	for _, t := range []struct {
		typ acctypes.AlternateContactType
		to  **compliance.Contact
	}{
		{acctypes.AlternateContactTypeSecurity, &f.Contacts.Security},
		{acctypes.AlternateContactTypeBilling, &f.Contacts.Billing},
		{acctypes.AlternateContactTypeOperations, &f.Contacts.Operations},
	} {
		out, err := c.acc.GetAlternateContact(ctx, &account.GetAlternateContactInput{AccountId: id, AlternateContactType: t.typ})
		if code(err) == "ResourceNotFoundException" {
			continue
		}
		if err != nil {
			f.Contacts = compliance.Contacts{}
			f.Missing[groupContacts] = why("account:GetAlternateContact", err)
			return
		}
		if a := out.AlternateContact; a != nil {
			*t.to = &compliance.Contact{Name: aws.ToString(a.Name), Title: aws.ToString(a.Title),
				Email: aws.ToString(a.EmailAddress), Phone: aws.ToString(a.PhoneNumber)}
		}
	}
}

// organization reads whether the account is a member of an organization, the root user's email
// and the addresses it must differ from. Only Organizations tells an account's root email: the
// management account's is DescribeOrganization's MasterAccountEmail, and only the management
// account may list the others (ListAccounts). A member account auditing itself, or an account
// outside any organization, cannot read its own root email, and the check that needs it answers
// ERROR.
func (c *Collector) organization(ctx context.Context, f *compliance.Facts) {
	f.OtherAddresses = contactEmails(f.Contacts)
	out, err := c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	switch {
	case code(err) == "AWSOrganizationsNotInUseException":
		return
	case err != nil:
		f.Missing[groupOrganization] = why("organizations:DescribeOrganization", err)
		return
	case out.Organization == nil:
		f.Missing[groupOrganization] = "organizations:DescribeOrganization answered no organization"
		return
	}
	o := out.Organization
	f.Member = aws.ToString(o.MasterAccountId) != f.Account
	if f.Member {
		if e := aws.ToString(o.MasterAccountEmail); e != "" {
			f.OtherAddresses = append(f.OtherAddresses, e)
		}
		return
	}
	f.Root.Email = aws.ToString(o.MasterAccountEmail)
	accounts, err := c.listAccounts(ctx)
	if err != nil {
		f.Missing[groupOrganization] = why("organizations:ListAccounts", err)
		return
	}
	for _, a := range accounts {
		if aws.ToString(a.Id) == f.Account {
			f.AccountName = aws.ToString(a.Name)
		} else if e := aws.ToString(a.Email); e != "" {
			f.OtherAddresses = append(f.OtherAddresses, e)
		}
	}
}

// contactEmails are the alternate contacts' addresses.
func contactEmails(cs compliance.Contacts) []string {
	var out []string
	for _, c := range []*compliance.Contact{cs.Security, cs.Billing, cs.Operations} {
		if c != nil && c.Email != "" {
			out = append(out, c.Email)
		}
	}
	return out
}

// code is the AWS error code of err, or "".
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// why says which read failed and why, in one line: the AWS error code and message when the
// endpoint answered, the transport's error otherwise.
func why(action string, err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		if msg == "" {
			return fmt.Sprintf("%s failed: %s", action, ae.ErrorCode())
		}
		return fmt.Sprintf("%s failed: %s: %s", action, ae.ErrorCode(), oneLine(msg))
	}
	// An HTTP answer that is no AWS error: typically an endpoint that does not serve the API.
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return fmt.Sprintf("%s failed: HTTP %d without an AWS error (does the endpoint serve this API?)", action, re.HTTPStatusCode())
	}
	return fmt.Sprintf("%s failed: %s", action, oneLine(err.Error()))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
