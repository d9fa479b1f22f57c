package iam

import (
	"context"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
)

// What centralized root access (the organizations package and sts:AssumeRoot) needs from IAM: the
// "allow password recovery" form of CreateLoginProfile, and a one-read inventory of a root user's
// credentials.

// AllowRootPasswordRecovery is CreateLoginProfile called without a password in a privileged root
// session (task IAMCreateRootUserPassword): the root user gets a login profile with no password,
// which lets it recover one through the sign-in page even while its account's root credentials are
// centrally managed (IAM User Guide, "Perform a privileged task on an AWS Organizations member
// account"). Returns EntityAlreadyExists when the root already has a password or a recovery is
// already allowed, and NoSuchEntity for an unknown account.
func (s *Service) AllowRootPasswordRecovery(ctx context.Context, account string) (*LoginProfile, error) {
	var lp LoginProfile
	err := s.update(ctx, account, func(t txn) error {
		var a Account
		ok, err := t.GetJSON(kindAccount, "", account, &a)
		if err != nil {
			return err
		}
		if !ok {
			return awserr.New(awserr.NoSuchEntity, "The account %s cannot be found.", account)
		}
		if a.RootPasswordHash != "" || a.RootRecoveryAllowed != nil {
			return awserr.New(awserr.EntityAlreadyExists, "Login Profile for the root user of account %s already exists.", account)
		}
		now := s.Now()
		a.RootRecoveryAllowed = &now
		lp.CreateDate = now
		return t.PutJSON(kindAccount, "", account, &a)
	})
	if err != nil {
		return nil, err
	}
	return &lp, nil
}

// RootCredentials is everything a root user can sign in or sign requests with.
type RootCredentials struct {
	Account             string
	HasPassword         bool
	PasswordLastChanged *time.Time
	// PasswordLastUsed is when the root password was last accepted at sign-in (nil if never).
	PasswordLastUsed *time.Time
	// RecoveryAllowed is when a privileged root session allowed password recovery (nil if not).
	RecoveryAllowed *time.Time
	MFADevices      []MFADevice
	AccessKeys      []AccessKey // without secrets
	Certificates    []SigningCertificate
}

// Empty reports whether the root user has no credential at all: no password, no recovery allowed,
// no MFA device, no access key and no signing certificate.
func (r *RootCredentials) Empty() bool {
	return !r.HasPassword && r.RecoveryAllowed == nil && len(r.MFADevices) == 0 && len(r.AccessKeys) == 0 &&
		len(r.Certificates) == 0
}

// RootCredentialsOf reads the root user's credentials of account in one snapshot. Returns
// NoSuchEntity for an unknown account.
func (s *Service) RootCredentialsOf(ctx context.Context, account string) (*RootCredentials, error) {
	out := &RootCredentials{Account: account}
	err := s.view(ctx, func(t txn) error {
		var a Account
		ok, err := t.GetJSON(kindAccount, "", account, &a)
		if err != nil {
			return err
		}
		if !ok {
			return awserr.New(awserr.NoSuchEntity, "The account %s cannot be found.", account)
		}
		out.HasPassword = a.RootPasswordHash != ""
		out.PasswordLastChanged = a.RootPasswordChange
		out.PasswordLastUsed = a.RootPasswordLastUsed
		out.RecoveryAllowed = a.RootRecoveryAllowed
		all := ListOpts{MaxItems: maxItemsCeiling}
		mfa, err := scan(t, kindUserMFA, account, mfaOwnerKey(""), all, jsonDecode[MFADevice](nil))
		if err != nil {
			return err
		}
		out.MFADevices = mfa.Items
		keys, err := scan(t, kindUserKey, account, sep, all, func(key string, _ []byte) (AccessKey, bool, error) {
			var k AccessKey
			ok, err := t.GetJSON(kindAccessKey, "", strings.TrimPrefix(key, sep), &k)
			k.SealedSecret = nil
			return k, ok, err
		})
		if err != nil {
			return err
		}
		out.AccessKeys = keys.Items
		certs, err := scan(t, kindUserCert, account, sep, all, jsonDecode[SigningCertificate](nil))
		if err != nil {
			return err
		}
		out.Certificates = certs.Items
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
