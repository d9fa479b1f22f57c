package signin

import (
	"testing"
	"time"

	"github.com/rootward/rootward/internal/testutil"
)

func TestPendingAt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	reg := e.signInRoot(StepMFARegistration)
	_, serial := e.enrolTOTP(e.account, "", "root-app")
	e.clock.Advance(time.Minute)
	mfa := e.signInRoot(StepMFA)

	tests := []struct {
		name     string
		token    string
		wantStep Step
		wantDevs int
		wantCode string
	}{
		{"registration step", reg.Token, StepMFARegistration, 0, ""},
		{"MFA step lists the devices", mfa.Token, StepMFA, 1, ""},
		{"unknown token", "not-a-token", "", 0, "ExpiredToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := e.svc.PendingAt(e.ctx, tc.token)
			testutil.WantCode(t, err, tc.wantCode)
			if err != nil {
				return
			}
			if p.Next != tc.wantStep || len(p.Devices) != tc.wantDevs || p.Token != tc.token || p.Account != e.account {
				t.Fatalf("PendingAt = %+v", p)
			}
			if tc.wantDevs == 1 && p.Devices[0].Serial != serial {
				t.Fatalf("device = %+v, want %s", p.Devices[0], serial)
			}
		})
	}
	t.Run("does not spend the token, and expires with it", func(t *testing.T) {
		if _, err := e.svc.PendingAt(e.ctx, mfa.Token); err != nil {
			t.Fatalf("second look: %v", err)
		}
		e.clock.Advance(pendingLifetime)
		_, err := e.svc.PendingAt(e.ctx, mfa.Token)
		testutil.WantCode(t, err, "ExpiredToken")
	})
}
