package signin

import (
	"errors"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
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

// A right root password that leads to the MFA step is recorded (CheckMfa) before the step is
// handed out: without the record the sign-in answers the recorder's error and goes no further.
func TestMFAStepWithoutItsRecord(t *testing.T) {
	t.Parallel()
	var l *brokenlog.Log
	e := newEnv(t, withBrokenLog(&l))
	e.enrolTOTP(e.account, "", "")
	l.Break()
	p, err := e.svc.BeginRootSignIn(e.ctx, rootEmail, rootPass, e.client)
	if !errors.Is(err, brokenlog.ErrDown) || p != nil {
		t.Fatalf("got %+v, %v; want the recorder's error", p, err)
	}
	if _, ok := awserr.As(err); ok {
		t.Fatalf("got AWS error %v, want an internal error", err)
	}
	l.Mend()
	e.signInRoot(StepMFA)
	if evs := e.events("CheckMfa"); len(evs) != 1 || evs[0].ResponseElements["CheckMfa"] != "Success" || evs[0].AdditionalEventData["MfaType"] != "Virtual MFA" {
		t.Fatalf("got CheckMfa records %+v, want one of the sign-in that went on", evs)
	}
}
