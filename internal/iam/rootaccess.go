package iam

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
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
		a, err := t.account(account)
		if err != nil {
			return err
		}
		if a.RootPasswordHash != "" || a.RootRecoveryAllowed != nil {
			return awserr.New(awserr.EntityAlreadyExists, "Login Profile for the root user of account %s already exists.", account)
		}
		now := s.Now()
		a.RootRecoveryAllowed = &now
		lp.CreateDate = now
		return t.putAccount(a)
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
	var out *RootCredentials
	err := s.view(ctx, func(t txn) (err error) {
		out, err = RootCredentialsIn(t.Tx, account)
		return err
	})
	return out, err
}

// RootCredentialsIn is RootCredentialsOf inside a caller's transaction, for callers that read
// many accounts in one snapshot (the organization's root inventory).
func RootCredentialsIn(tx store.Tx, account string) (*RootCredentials, error) {
	t := txn{store.Txn{Tx: tx}}
	out := &RootCredentials{Account: account}
	a, err := t.account(account)
	if err != nil {
		return nil, err
	}
	out.HasPassword = a.RootPasswordHash != ""
	out.PasswordLastChanged = a.RootPasswordChange
	out.PasswordLastUsed = a.RootPasswordLastUsed
	out.RecoveryAllowed = a.RootRecoveryAllowed
	all := ListOpts{MaxItems: maxItemsCeiling}
	mfa, err := t.mfaDevices(account, "", "", all)
	if err != nil {
		return nil, err
	}
	out.MFADevices = mfa.Items
	keys, err := readPage(t.ownedKeys(account, ""), all, func(it store.Item) (AccessKey, bool, error) {
		k, ok, err := t.ownedKey(it)
		if !ok {
			return AccessKey{}, false, err
		}
		k.SealedSecret = nil
		return *k, true, nil
	})
	if err != nil {
		return nil, err
	}
	out.AccessKeys = keys.Items
	if out.Certificates, err = t.signingCertsOf(account, "", ""); err != nil {
		return nil, err
	}
	return out, nil
}
