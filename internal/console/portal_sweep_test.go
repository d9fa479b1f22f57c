package console_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/store"
)

// rows counts the stored records of kind.
func (pe *portalEnv) rows(kind string) int {
	pe.t.Helper()
	var n int
	err := pe.st.View(context.Background(), func(tx store.Tx) error {
		objs, err := tx.Scan(kind, nil, 10000)
		n = len(objs)
		return err
	})
	if err != nil {
		pe.t.Fatal(err)
	}
	return n
}

// TestPortalSweep: on the injected clock, the portal's sweep (which serve runs every minute)
// deletes a sign-in left at its MFA step once its ten minutes are over, and a portal session once
// it has ended, and nothing before.
func TestPortalSweep(t *testing.T) {
	pe := newPortalEnv(t)
	ctx := context.Background()
	signedIn := pe.browser()
	pe.firstSignIn(signedIn)
	abandoned := pe.browser()
	abandoned.get("/start")
	if p := abandoned.submit("/start/signin", url.Values{"username": {"alice"}, "password": {"Correct-Horse-Battery-9"}}); p.status != 200 || !strings.Contains(p.body, `action="/start/mfa"`) {
		t.Fatalf("password = %d, want the MFA step:\n%.1500s", p.status, p.body)
	}
	pending, sessions := pe.rows("portal.pending"), pe.rows("portal.session")
	if pending != 1 || sessions != 1 {
		t.Fatalf("before the sweep: %d pending sign-ins and %d sessions, want 1 and 1", pending, sessions)
	}
	steps := []struct {
		name              string
		advance           time.Duration
		removed           int
		pending, sessions int
	}{
		{"at once", 0, 0, 1, 1},
		{"the sign-in's ten minutes over", 10 * time.Minute, 1, 0, 1},
		{"the session over", portal.SessionLifetime, 1, 0, 0},
	}
	for _, s := range steps {
		pe.clock.Advance(s.advance)
		n, err := pe.portal.Sweep(ctx)
		if err != nil || n != s.removed {
			t.Fatalf("%s: sweep = %d, %v; want %d removed", s.name, n, err, s.removed)
		}
		if p, ss := pe.rows("portal.pending"), pe.rows("portal.session"); p != s.pending || ss != s.sessions {
			t.Fatalf("%s: %d pending sign-ins and %d sessions kept, want %d and %d", s.name, p, ss, s.pending, s.sessions)
		}
	}
	if p := signedIn.get("/start"); !strings.Contains(p.body, `action="/start/signin"`) {
		t.Fatalf("the swept session still signs in:\n%.1500s", p.body)
	}
}
