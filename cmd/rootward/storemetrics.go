package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
)

// registerStoreMetrics exposes a PostgreSQL store's transaction counters on /metrics, so that
// contention between writers (transactions run again after a serialization conflict) is visible.
// SQLite has one writer at a time and nothing to count.
func registerStoreMetrics(srv *server.Server, st store.Store) error {
	db, ok := st.(*postgres.DB)
	if !ok {
		return nil
	}
	series := []struct {
		name, help string
		value      func(postgres.Stats) uint64
	}{
		{"rootward_store_commits_total", "Write transactions committed.", func(s postgres.Stats) uint64 { return s.Committed }},
		{"rootward_store_conflicts_total", "Write transaction attempts that lost a serialization conflict or deadlock to a concurrent one and were rolled back to run again.", func(s postgres.Stats) uint64 { return s.Conflicts }},
		{"rootward_store_abandoned_total", "Write transactions that still conflicted when their request ended or their retry time ran out.", func(s postgres.Stats) uint64 { return s.Abandoned }},
	}
	for _, m := range series {
		c := prometheus.NewCounterFunc(prometheus.CounterOpts{Name: m.name, Help: m.help}, func() float64 { return float64(m.value(db.Stats())) })
		if err := srv.RegisterMetrics(c); err != nil {
			return err
		}
	}
	return nil
}
