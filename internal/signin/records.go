package signin

import "github.com/rootward/rootward/internal/store"

// The kinds this package stores: pending sign-ins and device cookies, records of its own
// (pendingRecord, deviceRecord) whose first typed version is the JSON they were stored as before
// records were versioned. Neither has an index: both are read by the hash of their token.
var (
	v1            = []func([]byte) ([]byte, error){nil}
	pendings      = store.Define(store.Kind[pendingRecord]{Name: kindPending, Version: 1, Upgrade: v1})
	deviceCookies = store.Define(store.Kind[deviceRecord]{Name: kindDevice, Version: 1, Upgrade: v1})
)

// get reads the record of k under (account, key) into v and reports whether there was one; v is
// left as it was when there is none.
func get[R any](t txn, k *store.Kind[R], account, key string, v *R) (bool, error) {
	r, ok, err := k.Get(t, account, key)
	if ok {
		*v = *r
	}
	return ok, err
}
