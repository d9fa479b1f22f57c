package mpaapi_test

import (
	"context"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	mpasvc "github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// Rootward generates the root password and splits it 2 of 3: each custodian sees a share once;
// any two recombine the password whose hash is stored; one alone, or the store's rows once the
// shares were taken, do not.
func TestSplitCustodyOfRootPassword(t *testing.T) {
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	src := e.source(t)
	var custodians []mpasvc.Identity
	for _, u := range []string{"c1", "c2", "c3"} {
		e.dir.add(u, u)
		custodians = append(custodians, mpasvc.Identity{SourceARN: src, UserID: u})
	}
	if err := e.mpa.SplitRootPassword(ctx, e.Account.ID, custodians, 4); !awserr.IsCode(err, awserr.MPAValidation) {
		t.Fatalf("k above n = %v, want ValidationException", err)
	}
	if err := e.mpa.SplitRootPassword(ctx, e.Account.ID, custodians, 2); err != nil {
		t.Fatal(err)
	}
	c, err := e.mpa.CustodyOf(ctx, e.Account.ID)
	if err != nil || c.K != 2 || len(c.Custodians) != 3 || !c.Custodians[0].Taken.IsZero() {
		t.Fatalf("CustodyOf = %+v, %v", c, err)
	}
	var got []string
	for _, who := range custodians {
		s, err := e.mpa.TakeShare(ctx, e.Account.ID, who)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if _, err := e.mpa.TakeShare(ctx, e.Account.ID, custodians[0]); !awserr.IsCode(err, awserr.MPAConflict) {
		t.Fatalf("a share taken twice = %v, want ConflictException", err)
	}
	e.dir.add("eve", "eve")
	if _, err := e.mpa.TakeShare(ctx, e.Account.ID, mpasvc.Identity{SourceARN: src, UserID: "eve"}); !awserr.IsCode(err, awserr.MPAAccessDenied) {
		t.Fatalf("a share for a non-custodian = %v, want AccessDeniedException", err)
	}
	a, err := e.Svc.GetAccount(ctx, e.Account.ID)
	if err != nil || a.RootPasswordHash == "" {
		t.Fatalf("root password hash = %q, %v", a.RootPasswordHash, err)
	}
	verifies := func(pw []byte) bool {
		ok, _ := password.Verify(string(pw), a.RootPasswordHash)
		return ok
	}
	for _, pair := range [][2]int{{0, 1}, {0, 2}, {1, 2}} {
		pw, err := e.mpa.CombineShares(ctx, e.Account.ID, []string{got[pair[0]], got[pair[1]]})
		if err != nil || !verifies(pw) {
			t.Fatalf("shares %v: %v, verifies %v", pair, err, err == nil && verifies(pw))
		}
	}
	if _, err := e.mpa.CombineShares(ctx, e.Account.ID, got[:1]); !awserr.IsCode(err, awserr.MPAValidation) {
		t.Fatalf("one share = %v, want ValidationException", err)
	}
	// One custodian twice is one share, refused; a forged second share makes another password.
	if _, err := e.mpa.CombineShares(ctx, e.Account.ID, []string{got[0], got[0]}); err == nil {
		t.Fatal("one share entered twice was combined")
	}
	forged := got[1][:len(got[1])-2] + "00"
	if forged == got[1] {
		forged = got[1][:len(got[1])-2] + "01"
	}
	if pw, err := e.mpa.CombineShares(ctx, e.Account.ID, []string{got[0], forged}); err == nil && verifies(pw) {
		t.Fatal("a forged share recombined the password")
	}
	// Nothing Rootward keeps holds a share any more.
	err = e.Store.View(context.Background(), func(tx store.Tx) error {
		n, err := tx.Count("mpa.share", e.Account.ID, "")
		if err == nil && n != 0 {
			t.Errorf("%d shares kept after all were taken", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
