package mpaapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	mpasvc "github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// An emergency root sign-in waits its cooling-off on the injected clock, is announced at start and
// end to approvers and contacts, can be cancelled meanwhile, and is used once.
func TestBreakGlass(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	e.team(t, src, 2, []string{"ana", "bo"}, mpasvc.RootSignIn)
	me := mpasvc.Requester{Account: e.Account.ID, ARN: "arn:aws:iam::" + e.Account.ID + ":root"}
	if _, err := e.mpa.StartBreakGlass(ctx, e.Account.ID, me, ""); !awserr.IsCode(err, awserr.MPAValidation) {
		t.Fatalf("no reason = %v, want ValidationException", err)
	}
	b, err := e.mpa.StartBreakGlass(ctx, e.Account.ID, me, "approvers unreachable during outage")
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != mpasvc.GlassWaiting || !b.Ready.Equal(e.clk.Now().UTC().Add(mpasvc.DefaultCoolingOff)) {
		t.Fatalf("break-glass = %+v", b)
	}
	if _, err := e.mpa.StartBreakGlass(ctx, e.Account.ID, me, "again"); !awserr.IsCode(err, awserr.MPAConflict) {
		t.Fatalf("a second break-glass = %v, want ConflictException", err)
	}
	for _, to := range []string{"ana@example.com", "bo@example.com", "security@example.com"} {
		msgs, err := e.out.Outbox(ctx, notify.Query{To: to})
		if err != nil || len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1].Subject, "Emergency root sign-in") {
			t.Fatalf("%s was not told of the start: %v, %v", to, msgs, err)
		}
	}
	e.clk.Advance(mpasvc.DefaultCoolingOff - time.Second)
	if err := e.mpa.UseBreakGlass(ctx, e.Account.ID, b.ID, me.ARN); !awserr.IsCode(err, awserr.MPAAccessDenied) {
		t.Fatalf("use before the cooling-off ends = %v, want AccessDeniedException", err)
	}
	e.clk.Advance(time.Second)
	got, err := e.mpa.BreakGlassOf(ctx, e.Account.ID, b.ID)
	if err != nil || got.Status != mpasvc.GlassReady {
		t.Fatalf("after the cooling-off = %+v, %v", got, err)
	}
	msgs, _ := e.out.Outbox(ctx, notify.Query{To: "security@example.com"})
	if !strings.HasSuffix(msgs[len(msgs)-1].Subject, "Ready") {
		t.Fatalf("security contact not told it is ready: %q", msgs[len(msgs)-1].Subject)
	}
	if err := e.mpa.UseBreakGlass(ctx, e.Account.ID, b.ID, "arn:aws:iam::"+e.Account.ID+":user/admin"); !awserr.IsCode(err, awserr.MPAAccessDenied) {
		t.Fatalf("use by another = %v", err)
	}
	if err := e.mpa.UseBreakGlass(ctx, e.Account.ID, b.ID, me.ARN); err != nil {
		t.Fatal(err)
	}
	if err := e.mpa.UseBreakGlass(ctx, e.Account.ID, b.ID, me.ARN); !awserr.IsCode(err, awserr.MPAAccessDenied) {
		t.Fatalf("second use = %v", err)
	}

	// Cancelled while waiting: never usable.
	c, err := e.mpa.StartBreakGlass(ctx, e.Account.ID, me, "second outage")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.mpa.CancelBreakGlass(ctx, e.Account.ID, c.ID, "approver ana"); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(mpasvc.DefaultCoolingOff)
	if err := e.mpa.UseBreakGlass(ctx, e.Account.ID, c.ID, me.ARN); !awserr.IsCode(err, awserr.MPAAccessDenied) {
		t.Fatalf("use after cancel = %v", err)
	}
	if err := e.mpa.CancelBreakGlass(ctx, e.Account.ID, c.ID, "bo"); !awserr.IsCode(err, awserr.MPAConflict) {
		t.Fatalf("second cancel = %v", err)
	}
}
