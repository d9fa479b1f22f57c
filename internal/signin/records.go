package signin

import "github.com/rootward/rootward/internal/store"

// The kinds this package stores: pending sign-ins and device cookies, records of its own
// (pendingRecord, deviceRecord) whose first typed version is the JSON they were stored as before
// records were versioned. Neither has an index: both are read by the hash of their token.
var (
	pendings      = store.Define(store.Kind[pendingRecord]{Name: kindPending, Version: 1})
	deviceCookies = store.Define(store.Kind[deviceRecord]{Name: kindDevice, Version: 1})
)
