package signin

import (
	"context"
	"errors"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Pending is a sign-in in progress. Token is opaque, short-lived and single-use: every step that
// succeeds spends it and the next step gets a new one.
type Pending struct {
	Token     string
	Next      Step
	ExpiresAt time.Time
	// Kind is the kind of principal signing in; Account and UserName name it.
	Kind     Kind
	Account  string
	UserName string // "" for the root user
	// Devices are the principal's MFA devices, for StepMFA.
	Devices []Device
	// RegistrationOptional and MFADeadline describe StepMFARegistration for a root user: optional
	// until MFADeadline, the end of the 35-day window.
	RegistrationOptional bool
	MFADeadline          time.Time
	// Principal is set when Next is StepDone.
	Principal *Principal
	// Device is set when Next is StepDone: the device cookie the browser keeps for this identity
	// (device.go).
	Device *DeviceCookie
	// Approval is the approval session a root sign-in at StepApproval waits for.
	Approval *Approval
}

// pendingRecord is a Pending as stored, under the hash of its token.
type pendingRecord struct {
	Account     string                `json:"account"`
	UserName    string                `json:"user,omitempty"`
	Step        Step                  `json:"step"`
	Optional    bool                  `json:"optional,omitempty"`
	Deadline    time.Time             `json:"deadline,omitzero"`
	ExpiresAt   time.Time             `json:"expires"`
	MFAFailures int                   `json:"mfa_failures,omitempty"`
	WebAuthn    *webauthn.SessionData `json:"webauthn,omitempty"`
	MFAUsed     bool                  `json:"mfa_used,omitempty"`
	MFASerial   string                `json:"mfa_serial,omitempty"`
	// ResetRequired: an IAM user's password change comes after MFA.
	ResetRequired bool `json:"reset_required,omitempty"`
	// Attempt is a root sign-in's approval parameter and Approval the session it waits for
	// (StepApproval); Evidence goes into the ConsoleLogin record (approval.go).
	Attempt  string         `json:"attempt,omitempty"`
	Approval string         `json:"approval,omitempty"`
	Evidence map[string]any `json:"evidence,omitempty"`
	// The device cookie to issue when the sign-in completes.
	deviceBinding
}

var errPendingGone = awserr.New(awserr.ExpiredToken, "Your sign-in session has expired or was already used. Please sign in again.")

// newPending stores a pending sign-in and returns it with a fresh token.
func (s *Service) newPending(ctx context.Context, rec pendingRecord, devices []Device) (*Pending, error) {
	token := randomToken()
	if rec.Step != StepApproval || rec.ExpiresAt.IsZero() {
		rec.ExpiresAt = s.Now().Add(pendingLifetime)
	}
	if err := s.update(ctx, func(t txn) error { return pendings.Put(t, "", tokenKey(token), &rec) }); err != nil {
		return nil, err
	}
	return &Pending{
		Token: token, Next: rec.Step, ExpiresAt: rec.ExpiresAt, Kind: kindOf(rec.UserName), Account: rec.Account, UserName: rec.UserName,
		Devices: devices, RegistrationOptional: rec.Optional, MFADeadline: rec.Deadline,
	}, nil
}

// readPending reads a pending sign-in. Returns ExpiredToken when it is unknown, used or expired.
func (s *Service) readPending(ctx context.Context, token string) (*pendingRecord, error) {
	var rec pendingRecord
	var ok bool
	err := s.view(ctx, func(t txn) (err error) {
		ok, err = pendings.Load(t, "", tokenKey(token), &rec)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok || !s.Now().Before(rec.ExpiresAt) {
		return nil, errPendingGone
	}
	return &rec, nil
}

// loadPending reads a pending sign-in at step want. Returns ExpiredToken when it is unknown, used,
// expired or at another step.
func (s *Service) loadPending(ctx context.Context, token string, want Step) (*pendingRecord, error) {
	rec, err := s.readPending(ctx, token)
	if err != nil {
		return nil, err
	}
	if rec.Step != want {
		return nil, errPendingGone
	}
	return rec, nil
}

// consume deletes a pending sign-in; it fails when another call spent the token first, which makes
// each token good for one successful step even under concurrent replays.
func (s *Service) consume(ctx context.Context, token string) error {
	return s.update(ctx, func(t txn) error {
		if _, err := t.Get(kindPending, "", tokenKey(token)); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errPendingGone
			}
			return err
		}
		return t.Delete(kindPending, "", tokenKey(token))
	})
}

// PendingSubject returns the account and user ("" = root) of a pending sign-in at the MFA
// registration step, for the console to call the registration methods during sign-in. Returns
// ExpiredToken.
func (s *Service) PendingSubject(ctx context.Context, token string) (account, user string, err error) {
	rec, err := s.loadPending(ctx, token, StepMFARegistration)
	if err != nil {
		return "", "", err
	}
	return rec.Account, rec.UserName, nil
}

// PendingAt returns a pending sign-in as its step's page needs it — the same token, the next step,
// the devices of an MFA step, the window of a registration step — so the console can show a step
// again (after a wrong code, or after a script-driven step) without keeping its own copy of the
// state. It does not spend the token. Returns ExpiredToken.
func (s *Service) PendingAt(ctx context.Context, token string) (*Pending, error) {
	rec, err := s.readPending(ctx, token)
	if err != nil {
		return nil, err
	}
	p := &Pending{Token: token, Next: rec.Step, ExpiresAt: rec.ExpiresAt, Kind: kindOf(rec.UserName), Account: rec.Account, UserName: rec.UserName,
		RegistrationOptional: rec.Optional && s.Now().Before(rec.Deadline), MFADeadline: rec.Deadline}
	switch rec.Step {
	case StepMFA:
		if p.Devices, err = s.root.Devices(ctx, rec.Account, rec.UserName); err != nil {
			return nil, err
		}
	case StepApproval:
		if s.approvals == nil {
			return nil, errNoApprovals
		}
		if p.Approval, err = s.approvals.RootSignInApproval(ctx, rec.Account, rec.Approval); err != nil {
			return nil, err
		}
	}
	return p, nil
}
