package awsfacts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/mpa"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rootward/rootward/internal/compliance"
)

// AuditTaskPolicy is the root-task policy a member's root user is audited under: its session may
// only read the root user's credentials (IAM User Guide, "Perform a privileged task on an AWS
// Organizations member account",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html).
const AuditTaskPolicy = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"

// taskScope is why a member's IAM entities, password policy and credential report are not read:
// the audit task's session may read nothing else.
const taskScope = "not read: the IAMAuditRootUserCredentials root session may read only the root user's credentials"

// OutOfTaskScope reports whether a Facts.Missing reason is the audit session's scope rather than
// a failure: a member's IAM entities, which the IAMAuditRootUserCredentials session may not read.
func OutOfTaskScope(reason string) bool { return reason == taskScope }

// Account is one account of the organization.
type Account struct {
	ID, Name, Email string
	State           string // ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED (Status on older endpoints)
}

// Accounts lists the organization's accounts (organizations:ListAccounts, which only the
// management account and a delegated administrator may call).
func (c *Collector) Accounts(ctx context.Context) ([]Account, error) {
	accounts, err := c.listAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(accounts))
	for _, a := range accounts {
		state := string(a.State)
		if state == "" {
			state = string(a.Status)
		}
		out = append(out, Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email), State: state})
	}
	return out, nil
}

func (c *Collector) listAccounts(ctx context.Context) ([]orgtypes.Account, error) {
	var out []orgtypes.Account
	p := organizations.NewListAccountsPaginator(c.org, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Accounts...)
	}
	return out, nil
}

// Member reads the root user's facts of a member account through a privileged root session:
// sts:AssumeRoot with the IAMAuditRootUserCredentials task policy, which allows
// GetAccountSummary, ListMFADevices, ListAccessKeys, ListSigningCertificates, GetLoginProfile,
// GetUser and GetAccessKeyLastUsed on the root user only (internal/orgs/taskpolicies.go). The
// member's contacts are read as the management account (account:GetAlternateContact with
// AccountId). others are the root emails of the organization's other accounts.
//
// A member whose AssumeRoot is refused has every fact group missing with the refusal as the
// reason, so every check answers ERROR for it.
func (c *Collector) Member(ctx context.Context, m Account, others []string) *compliance.Facts {
	f := &compliance.Facts{Account: m.ID, AccountName: m.Name, Member: true, Now: c.now(), Missing: map[string]string{}}
	f.Root.Email = m.Email
	out, err := c.sts.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(m.ID),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(AuditTaskPolicy)}, DurationSeconds: aws.Int32(900)})
	if err != nil {
		reason := why("sts:AssumeRoot", err)
		for _, g := range []string{groupRoot, GroupRootUse, groupUsers, groupGroups, groupPolicies, groupPasswordPolicy, groupContacts, compliance.GroupApproval} {
			f.Missing[g] = reason
		}
		return f
	}
	cfg := c.cfg.Copy()
	cr := out.Credentials
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
	session := iam.NewFromConfig(cfg)
	if err := memberRoot(ctx, session, f); err != nil {
		f.Missing[groupRoot] = err.Error()
	}
	for _, g := range []string{groupUsers, groupGroups, groupPolicies, groupPasswordPolicy} {
		f.Missing[g] = taskScope
	}
	c.contacts(ctx, f, m.ID)
	c.memberApproval(ctx, f, mpa.NewFromConfig(cfg))
	f.OtherAddresses = append(contactEmails(f.Contacts), others...)
	return f
}

// memberRoot reads the root user's credentials in a privileged root session. Credentials are
// removed when the root has no password, no access key, no signing certificate and no MFA device.
func memberRoot(ctx context.Context, s *iam.Client, f *compliance.Facts) error {
	sum, err := s.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return errors.New(why("iam:GetAccountSummary", err))
	}
	f.Root.MFAEnabled = sum.SummaryMap["AccountMFAEnabled"] > 0

	mfa := iam.NewListMFADevicesPaginator(s, &iam.ListMFADevicesInput{})
	for mfa.HasMorePages() {
		page, err := mfa.NextPage(ctx)
		if err != nil {
			return errors.New(why("iam:ListMFADevices", err))
		}
		for _, d := range page.MFADevices {
			// A virtual device's serial number is its ARN, arn:aws:iam::ACCOUNT:mfa/NAME; a
			// hardware TOTP token has the token's serial, a FIDO key an ARN of type u2f.
			if strings.Contains(aws.ToString(d.SerialNumber), ":mfa/") {
				f.Root.VirtualMFA++
			} else {
				f.Root.HardwareMFA++
			}
		}
	}
	f.Root.MFAEnabled = f.Root.MFAEnabled || f.Root.VirtualMFA+f.Root.HardwareMFA > 0

	var keyIDs []string
	keys := iam.NewListAccessKeysPaginator(s, &iam.ListAccessKeysInput{})
	for keys.HasMorePages() {
		page, err := keys.NextPage(ctx)
		if err != nil {
			return errors.New(why("iam:ListAccessKeys", err))
		}
		for _, k := range page.AccessKeyMetadata {
			keyIDs = append(keyIDs, aws.ToString(k.AccessKeyId))
		}
	}
	f.Root.AccessKeys = len(keyIDs)

	certs, err := s.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{})
	if err != nil {
		return errors.New(why("iam:ListSigningCertificates", err))
	}
	f.Root.SigningCerts = len(certs.Certificates)

	_, err = s.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	switch {
	case code(err) == "NoSuchEntity":
	case err != nil:
		return errors.New(why("iam:GetLoginProfile", err))
	default:
		f.Root.PasswordEnabled = true
	}
	f.Root.CredentialsRemoved = !f.Root.PasswordEnabled && f.Root.AccessKeys == 0 && f.Root.SigningCerts == 0 && !f.Root.MFAEnabled

	// When root was last used: GetUser's PasswordLastUsed and each key's last use.
	var last time.Time
	u, err := s.GetUser(ctx, &iam.GetUserInput{})
	if err != nil {
		f.Missing[GroupRootUse] = why("iam:GetUser", err)
		return nil
	}
	last = aws.ToTime(u.User.PasswordLastUsed)
	for _, id := range keyIDs {
		lu, err := s.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
		if err != nil {
			f.Missing[GroupRootUse] = why("iam:GetAccessKeyLastUsed", err)
			return nil
		}
		if lu.AccessKeyLastUsed != nil && aws.ToTime(lu.AccessKeyLastUsed.LastUsedDate).After(last) {
			last = aws.ToTime(lu.AccessKeyLastUsed.LastUsedDate)
		}
	}
	f.Root.LastUsed = last
	return nil
}
