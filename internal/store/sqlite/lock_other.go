//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlite

import "os"

// lockFile does not lock on platforms without flock(2): there, only one process at a time may
// open a database file for the first time or after an upgrade.
func lockFile(string) (unlock func(), err error) { return func() {}, nil }

// tryLock cannot tell a live process's segment file from a dead one's without flock(2): every
// segment counts as orphaned, so only one process at a time may use a database on such a platform.
func tryLock(*os.File) (bool, error) { return true, nil }
