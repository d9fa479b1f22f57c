package rootuser

import (
	"testing"
	"time"

	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/throttle"
)

// TestLegacyRecordsMigrate stores a root user's state, a recovery in its cooling-off and a pending
// email change, turns them back into the previous schema's bodies (no envelope, no index entries),
// and runs store.Migrate: the records read back (the security contact too), the recovery's
// cooling index is built so that the sweep completes it when due, and the email-change index
// lets a new request drop the earlier link.
func TestLegacyRecordsMigrate(t *testing.T) {
	t.Parallel()
	e, _ := mfaRecoveryEnv(t)
	proveBoth(t, e, outboxInbox{}, notify.SMS)
	if err := e.svc.RequestRootEmailChange(e.ctx, e.account, "first@example.com", e.client); err != nil {
		t.Fatal(err)
	}
	first := e.outboxToken("first@example.com", PurposeEmailChange)

	storetest.Downgrade(t, e.st, kindState, kindUserAux, kindReset, kindRecovery, kindRecToken, kindCeremony, kindEmailChange, throttle.Kind)
	if err := store.Migrate(e.ctx, e.st); err != nil {
		t.Fatal(err)
	}

	d, err := e.svc.AccountDetails(e.ctx, e.account)
	if err != nil {
		t.Fatal(err)
	}
	if sc := d.SecurityContact; sc == nil || sc.Name != "Sec Team" || sc.EmailAddress != securityMail || sc.PhoneNumber != securitySMS || d.Phone != phone {
		t.Errorf("AccountDetails after Migrate: contact %+v, phone %q; want Sec Team <%s> %s, phone %s", sc, d.Phone, securityMail, securitySMS, phone)
	}

	if err := e.svc.RequestRootEmailChange(e.ctx, e.account, "second@example.com", e.client); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CheckRootEmailChange(e.ctx, first); err == nil {
		t.Error("the first email-change link still works after a second request, want it dropped")
	}
	if c, err := e.svc.CheckRootEmailChange(e.ctx, e.outboxToken("second@example.com", PurposeEmailChange)); err != nil || c.Email != "second@example.com" {
		t.Errorf("second link: %+v, %v; want second@example.com", c, err)
	}

	if n, err := e.svc.CompleteDueRecoveries(e.ctx); n != 0 || err != nil {
		t.Fatalf("before the cooling-off ends: CompleteDueRecoveries = %d, %v; want 0", n, err)
	}
	e.clock.Advance(24 * time.Hour)
	if n, err := e.svc.CompleteDueRecoveries(e.ctx); n != 1 || err != nil {
		t.Fatalf("CompleteDueRecoveries = %d, %v; want 1", n, err)
	}
	if n, err := e.svc.CompleteDueRecoveries(e.ctx); n != 0 || err != nil {
		t.Fatalf("a completed recovery is due again: CompleteDueRecoveries = %d, %v; want 0", n, err)
	}
}
