package postgres

import (
	"context"
	"testing"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
)

func TestEventLogConformance(t *testing.T) {
	serverDSN(t)
	storetest.RunEvents(t, func(t *testing.T) store.Store {
		db, err := Open(context.Background(), freshSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	})
}
