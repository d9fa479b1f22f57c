package signin

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// errLogDown is what the failing event log answers, as a full disk or a lost database would.
var errLogDown = errors.New("event log unavailable")

// failingLog is an event log that refuses every append while failing is set.
type failingLog struct {
	store.EventLog
	failing atomic.Bool
}

func (l *failingLog) AppendEvents(ctx context.Context, events []*store.StoredEvent) error {
	if l.failing.Load() {
		return errLogDown
	}
	return l.EventLog.AppendEvents(ctx, events)
}

func withEventLog(l *failingLog) func(*envOpt) {
	return func(o *envOpt) {
		o.eventLog = func(st store.Store) store.EventLog {
			l.EventLog = st
			return l
		}
	}
}

// A right root password that leads to the MFA step is recorded (CheckMfa) before the step is
// handed out: without the record the sign-in answers the recorder's error and goes no further.
func TestMFAStepWithoutItsRecord(t *testing.T) {
	t.Parallel()
	l := &failingLog{}
	e := newEnv(t, withEventLog(l))
	e.enrolTOTP(e.account, "", "")
	l.failing.Store(true)
	p, err := e.svc.BeginRootSignIn(e.ctx, rootEmail, rootPass, e.client)
	if !errors.Is(err, errLogDown) || p != nil {
		t.Fatalf("got %+v, %v; want the recorder's error", p, err)
	}
	if _, ok := awserr.As(err); ok {
		t.Fatalf("got AWS error %v, want an internal error", err)
	}
	l.failing.Store(false)
	e.signInRoot(StepMFA)
	if evs := e.events("CheckMfa"); len(evs) != 1 || evs[0].ResponseElements["CheckMfa"] != "Success" || evs[0].AdditionalEventData["MfaType"] != "Virtual MFA" {
		t.Fatalf("got CheckMfa records %+v, want one of the sign-in that went on", evs)
	}
}
