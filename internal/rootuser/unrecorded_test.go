package rootuser

import (
	"errors"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/brokenlog"
)

// withBrokenLog makes the env's recorder write to a brokenlog.Log over the env's store, which it
// stores in *l.
func withBrokenLog(l **brokenlog.Log) func(*envOpt) {
	return func(o *envOpt) {
		o.eventLog = func(st store.Store) store.EventLog {
			*l = brokenlog.New(st)
			return *l
		}
	}
}

// mails counts the messages of purpose to an address or phone number.
func (e *env) mails(to, purpose string) int {
	e.t.Helper()
	msgs, err := e.notify.Outbox(e.ctx, notify.Query{To: to, Purpose: purpose})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(msgs)
}

func (e *env) wantMails(to, purpose string, want int) {
	e.t.Helper()
	if got := e.mails(to, purpose); got != want {
		e.t.Fatalf("got %d %s messages to %s, want %d", got, purpose, to, want)
	}
}

// beginRecovery starts a lost-MFA recovery and returns it with the token of its email link.
func (e *env) beginRecovery() (*MFARecovery, string) {
	e.t.Helper()
	rec, err := e.svc.BeginMFARecoveryFor(e.ctx, e.account, e.client)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec, e.outboxToken(rootEmail, PurposeMFARecoveryEmail)
}

// recoveryAtPhoneStep starts a recovery, proves the email and sends the phone code, and returns
// the recovery's token and the code.
func (e *env) recoveryAtPhoneStep() (token, code string) {
	e.t.Helper()
	rec, emailTok := e.beginRecovery()
	if _, err := e.svc.VerifyMFARecoveryEmail(e.ctx, emailTok, e.client); err != nil {
		e.t.Fatal(err)
	}
	testutil.WantCode(e.t, e.svc.SendMFARecoveryCode(e.ctx, rec.Token, notify.SMS, e.client), "")
	return rec.Token, phoneCode(e.t, e.lastMessage(phone, PurposeMFARecoveryPhone).Body)
}

// No step of the root user is answered without its record (issue 11: nothing fails open). With
// the event log refusing every append, each step answers the recorder's error, never success nor
// its own refusal; a step whose effect had committed keeps it and still sends its security alerts,
// and one that had not yet reached anyone goes no further (no link is mailed).
func TestStepsFailWithoutTheirRecord(t *testing.T) {
	t.Parallel()
	const newPw = "Marmalade-Otter-77"
	tests := []struct {
		name string
		// run sets the step up with the trail working, calls down, and runs the step.
		run func(t *testing.T, e *env, down func()) error
		// check looks at what the step left behind, with the trail still down.
		check func(t *testing.T, e *env)
	}{
		{"CreateRootAccessKey", func(t *testing.T, e *env, down func()) error {
			down()
			_, err := e.svc.CreateRootAccessKey(e.ctx, e.principal(), RootAccessKeyRisk, e.client)
			return err
		}, func(t *testing.T, e *env) {
			e.wantMails(rootEmail, PurposeRootCredential, 1)
			e.wantMails(securityMail, PurposeRootCredential, 1)
		}},
		{"DeleteRootAccessKey", func(t *testing.T, e *env, down func()) error {
			k, err := e.svc.CreateRootAccessKey(e.ctx, e.principal(), RootAccessKeyRisk, e.client)
			if err != nil {
				t.Fatal(err)
			}
			down()
			return e.svc.DeleteRootAccessKey(e.ctx, e.principal(), k.AccessKeyID, e.client)
		}, nil},
		{"UploadRootSigningCertificate", func(t *testing.T, e *env, down func()) error {
			down()
			_, err := e.svc.UploadRootSigningCertificate(e.ctx, e.principal(), testutil.SelfSignedPEM(t, "root"), RootSigningCertificateRisk, e.client)
			return err
		}, func(t *testing.T, e *env) { e.wantMails(securityMail, PurposeRootCredential, 1) }},
		{"DeleteRootSigningCertificate", func(t *testing.T, e *env, down func()) error {
			c, err := e.svc.UploadRootSigningCertificate(e.ctx, e.principal(), testutil.SelfSignedPEM(t, "root"), RootSigningCertificateRisk, e.client)
			if err != nil {
				t.Fatal(err)
			}
			down()
			return e.svc.DeleteRootSigningCertificate(e.ctx, e.principal(), c.CertificateID, e.client)
		}, nil},
		{"ChangeRootPassword with a wrong current password", func(t *testing.T, e *env, down func()) error {
			down()
			_, err := e.svc.ChangeRootPassword(e.ctx, e.principal(), "Not-The-Password-1", newPw, e.client)
			return err
		}, func(t *testing.T, e *env) {
			if !e.rootPasswordIs(rootPass) {
				t.Fatal("the password changed")
			}
		}},
		{"ChangeRootPassword", func(t *testing.T, e *env, down func()) error {
			down()
			_, err := e.svc.ChangeRootPassword(e.ctx, e.principal(), rootPass, newPw, e.client)
			return err
		}, func(t *testing.T, e *env) {
			if !e.rootPasswordIs(newPw) {
				t.Fatal("the password did not change")
			}
			e.wantMails(rootEmail, PurposePasswordChanged, 1)
		}},
		{"SetAccountName", func(t *testing.T, e *env, down func()) error {
			down()
			return e.svc.SetAccountName(e.ctx, e.principal(), "Example Staging", e.client)
		}, nil},
		{"SetRootEmail", func(t *testing.T, e *env, down func()) error {
			down()
			return e.svc.SetRootEmail(e.ctx, e.principal(), "new-root@example.com", rootPass, e.client)
		}, func(t *testing.T, e *env) {
			e.wantMails(rootEmail, "root-email-changed", 1)
			e.wantMails("new-root@example.com", "root-email-changed", 1)
		}},
		{"SetRootEmail with a wrong current password", func(t *testing.T, e *env, down func()) error {
			down()
			return e.svc.SetRootEmail(e.ctx, e.principal(), "new-root@example.com", "Not-The-Password-1", e.client)
		}, nil},
		{"SetPhone", func(t *testing.T, e *env, down func()) error {
			down()
			return e.svc.SetPhone(e.ctx, e.principal(), "+15555550111", e.client)
		}, nil},
		{"SetSecurityContact", func(t *testing.T, e *env, down func()) error {
			down()
			return e.svc.SetSecurityContact(e.ctx, e.principal(), nil, e.client)
		}, nil},
		{"RequestRootEmailChange", func(t *testing.T, e *env, down func()) error {
			down()
			return e.svc.RequestRootEmailChange(e.ctx, e.account, "new-root@example.com", e.client)
		}, func(t *testing.T, e *env) {
			// Without the record the link is not sent, so the change can never be confirmed.
			e.wantMails("new-root@example.com", PurposeEmailChange, 0)
		}},
		{"ConfirmRootEmailChange", func(t *testing.T, e *env, down func()) error {
			testutil.WantCode(t, e.svc.RequestRootEmailChange(e.ctx, e.account, "new-root@example.com", e.client), "")
			tok := e.outboxToken("new-root@example.com", PurposeEmailChange)
			down()
			_, err := e.svc.ConfirmRootEmailChange(e.ctx, tok, e.client)
			return err
		}, func(t *testing.T, e *env) {
			e.wantMails(rootEmail, "root-email-changed", 1)
			e.wantMails("new-root@example.com", "root-email-changed", 1)
		}},
		{"EnableTOTPDevice", func(t *testing.T, e *env, down func()) error {
			enr, err := e.svc.CreateTOTPDevice(e.ctx, e.account, "", "second", e.client)
			if err != nil {
				t.Fatal(err)
			}
			down()
			now := e.clock.Now()
			return e.svc.EnableTOTPDevice(e.ctx, e.account, "", enr.Serial, testutil.TOTPCode(t, enr.Seed, now.Add(-30*time.Second)), testutil.TOTPCode(t, enr.Seed, now), e.client)
		}, func(t *testing.T, e *env) {
			if d, err := e.svc.Devices(e.ctx, e.account, ""); err != nil || len(d) != 2 {
				t.Fatalf("got devices %+v, %v; want the new one assigned beside the first", d, err)
			}
		}},
		{"RemoveDevice", func(t *testing.T, e *env, down func()) error {
			_, serial := e.enrolTOTP(e.account, "", "second")
			down()
			return e.svc.RemoveDevice(e.ctx, e.account, "", serial, e.client)
		}, nil},
		{"RemoveDevice of the last root device", func(t *testing.T, e *env, down func()) error {
			d, err := e.svc.Devices(e.ctx, e.account, "")
			if err != nil {
				t.Fatal(err)
			}
			down()
			return e.svc.RemoveDevice(e.ctx, e.account, "", d[0].Serial, e.client)
		}, nil},
		{"CompletePasswordReset", func(t *testing.T, e *env, down func()) error {
			testutil.WantCode(t, e.requestReset(rootEmail, e.client), "")
			tok := e.outboxToken(rootEmail, PurposePasswordReset)
			down()
			return e.svc.CompletePasswordReset(e.ctx, tok, newPw, e.client)
		}, func(t *testing.T, e *env) {
			if !e.rootPasswordIs(newPw) {
				t.Fatal("the password did not change")
			}
			e.wantMails(rootEmail, PurposePasswordChanged, 1)
		}},
		{"BeginMFARecoveryFor", func(t *testing.T, e *env, down func()) error {
			down()
			_, err := e.svc.BeginMFARecoveryFor(e.ctx, e.account, e.client)
			return err
		}, func(t *testing.T, e *env) {
			// The recovery ends before its link goes out.
			e.wantMails(rootEmail, PurposeMFARecoveryEmail, 0)
			if p, err := e.svc.PendingMFARecovery(e.ctx, e.account); err != nil || p != nil {
				t.Fatalf("got pending recovery %+v, %v; want none", p, err)
			}
		}},
		{"VerifyMFARecoveryEmail", func(t *testing.T, e *env, down func()) error {
			_, emailTok := e.beginRecovery()
			down()
			_, err := e.svc.VerifyMFARecoveryEmail(e.ctx, emailTok, e.client)
			return err
		}, nil},
		{"VerifyMFARecoveryPhone with a wrong code", func(t *testing.T, e *env, down func()) error {
			tok, code := e.recoveryAtPhoneStep()
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			down()
			_, err := e.svc.VerifyMFARecoveryPhone(e.ctx, tok, wrong, e.client)
			return err
		}, nil},
		{"VerifyMFARecoveryPhone", func(t *testing.T, e *env, down func()) error {
			tok, code := e.recoveryAtPhoneStep()
			down()
			_, err := e.svc.VerifyMFARecoveryPhone(e.ctx, tok, code, e.client)
			return err
		}, func(t *testing.T, e *env) {
			// The cooling-off started: every contact has its link to cancel.
			for _, to := range []string{rootEmail, securityMail, phone} {
				e.wantMails(to, PurposeMFARecoveryCooling, 1)
			}
		}},
		{"CancelMFARecoveryAsRoot", func(t *testing.T, e *env, down func()) error {
			e.beginRecovery()
			down()
			return e.svc.CancelMFARecoveryAsRoot(e.ctx, e.principal(), e.client)
		}, func(t *testing.T, e *env) {
			for _, to := range []string{rootEmail, securityMail} {
				e.wantMails(to, PurposeMFARecoveryCancel, 1)
			}
		}},
		{"CompleteDueRecovery", func(t *testing.T, e *env, down func()) error {
			tok, code := e.recoveryAtPhoneStep()
			if _, err := e.svc.VerifyMFARecoveryPhone(e.ctx, tok, code, e.client); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(DefaultCoolingOff)
			down()
			return e.svc.CompleteDueRecovery(e.ctx, e.account)
		}, func(t *testing.T, e *env) {
			for _, to := range []string{rootEmail, securityMail} {
				e.wantMails(to, PurposeMFARecoveryDone, 1)
			}
			if d, err := e.svc.Devices(e.ctx, e.account, ""); err != nil || len(d) != 0 {
				t.Fatalf("got devices %+v, %v; want none", d, err)
			}
		}},
		{"ResetRootMFA", func(t *testing.T, e *env, down func()) error {
			down()
			_, err := e.svc.ResetRootMFA(e.ctx, e.account, Operator{User: "ops", Host: "db1"})
			return err
		}, func(t *testing.T, e *env) {
			e.wantMails(rootEmail, PurposeMFAReset, 1)
			e.wantMails(securityMail, PurposeMFAReset, 1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var l *brokenlog.Log
			e, _ := mfaRecoveryEnv(t, withBrokenLog(&l))
			err := tc.run(t, e, l.Break)
			if !errors.Is(err, brokenlog.ErrDown) {
				t.Fatalf("got %v, want the recorder's error", err)
			}
			if _, ok := awserr.As(err); ok {
				t.Fatalf("got AWS error %v, want an internal error", err)
			}
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

// A password-reset request is answered alike whether or not the email is known (its work runs
// after the answer); when the request cannot be recorded, the link is not sent.
func TestPasswordResetWithoutItsRecord(t *testing.T) {
	t.Parallel()
	var l *brokenlog.Log
	e := newEnv(t, withBrokenLog(&l))
	l.Break()
	testutil.WantCode(t, e.requestReset(rootEmail, e.client), "")
	e.wantMails(rootEmail, PurposePasswordReset, 0)
}

// Following the email link again, once the trail works again, records the step that was
// answered with an error.
func TestMFARecoveryEmailStepRetried(t *testing.T) {
	t.Parallel()
	var l *brokenlog.Log
	e, _ := mfaRecoveryEnv(t, withBrokenLog(&l))
	_, emailTok := e.beginRecovery()
	l.Break()
	if _, err := e.svc.VerifyMFARecoveryEmail(e.ctx, emailTok, e.client); !errors.Is(err, brokenlog.ErrDown) {
		t.Fatalf("got %v, want the recorder's error", err)
	}
	l.Mend()
	v, err := e.svc.VerifyMFARecoveryEmail(e.ctx, emailTok, e.client)
	if err != nil || !v.EmailVerified {
		t.Fatalf("got %+v, %v; want the email proved", v, err)
	}
	if evs := e.events("MFARecoveryEmailVerified"); len(evs) != 1 {
		t.Fatalf("got %d MFARecoveryEmailVerified records, want 1", len(evs))
	}
}
