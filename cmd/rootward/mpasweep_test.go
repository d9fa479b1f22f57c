package main

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/trail"
)

// oneInstance is an mpa.Directory of one Identity Center instance and its users.
type oneInstance struct {
	inst  mpa.Instance
	users map[string]mpa.User
}

func (d oneInstance) Instance(_ context.Context, a string) (mpa.Instance, bool, error) {
	return d.inst, a == d.inst.ARN, nil
}

func (d oneInstance) User(_ context.Context, inst, id string) (mpa.User, bool, error) {
	u, ok := d.users[id]
	return u, ok && inst == d.inst.ARN, nil
}

// Serve's sweeper marks a session past its window expired, on the injected clock: the expiry is
// a CloudTrail record (ApprovalSessionExpired) without anyone voting or retrying, and the sweeper
// stops when its context ends.
func TestApprovalSweep(t *testing.T) {
	ctx := context.Background()
	st := testbackend.Open(t)
	clk := testutil.NewClock(time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC))
	rec := trail.NewRecorder(st, slog.New(slog.DiscardHandler))
	t.Cleanup(rec.Close)
	var mu sync.Mutex
	var names []string
	rec.Subscribe(func(evs []*trail.Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			names = append(names, e.EventName)
		}
	})
	const account = "111122223333"
	dir := oneInstance{inst: mpa.Instance{ARN: "arn:aws:sso:::instance/ssoins-1111222233334444", Account: account, Region: "us-east-1"},
		users: map[string]mpa.User{"u-ana": {ID: "u-ana", UserName: "ana"}, "u-ben": {ID: "u-ben", UserName: "ben"}}}
	m := mpa.New(mpa.Config{Store: st, Directory: dir, Trail: rec, Now: clk.Now})
	src, err := m.CreateIdentitySource(ctx, account, dir.inst.ARN, "us-east-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	ana, ben := mpa.Identity{SourceARN: src.ARN, UserID: "u-ana"}, mpa.Identity{SourceARN: src.ARN, UserID: "u-ben"}
	team, err := m.CreateApprovalTeam(ctx, account, mpa.TeamInput{Name: "root", Description: "root", MinApprovals: 2,
		Approvers: []mpa.Identity{ana, ben}, Policies: []string{mpa.PolicyARN(mpa.AssumeRoot)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []mpa.Identity{ana, ben} {
		if _, err := m.RespondToInvitation(ctx, team.ARN, who, true); err != nil {
			t.Fatal(err)
		}
	}
	err = m.Check(ctx, mpa.Request{Account: account, Operation: mpa.AssumeRoot, Action: "sts:AssumeRoot", Params: []byte("{}"),
		Requester: mpa.Requester{Account: account, ARN: "arn:aws:iam::" + account + ":user/requester"}})
	if !awserr.IsCode(err, awserr.MPAAccessDenied) {
		t.Fatalf("Check = %v; want AccessDeniedException opening a session", err)
	}

	sctx, cancel := context.WithCancel(ctx)
	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() { sweepApprovals(sctx, m, tick, slog.New(slog.DiscardHandler)); close(done) }()
	// Each send is taken only once the sweep before it has finished.
	tick <- time.Time{}
	rec.Flush()
	mu.Lock()
	if slices.Contains(names, mpa.EventSessionExpired) {
		t.Errorf("events before the window ended = %v; want no %s", names, mpa.EventSessionExpired)
	}
	mu.Unlock()
	clk.Advance(mpa.SessionWindow + time.Second)
	tick <- time.Time{}
	tick <- time.Time{}
	cancel()
	<-done
	rec.Flush()
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for _, name := range names {
		if name == mpa.EventSessionExpired {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%s records after the window = %d (events %v); want 1: swept once, not again", mpa.EventSessionExpired, n, names)
	}
}
