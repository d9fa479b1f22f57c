//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlite

// lockFile does not lock on platforms without flock(2): there, only one process at a time may
// open a database file for the first time or after an upgrade.
func lockFile(string) (unlock func(), err error) { return func() {}, nil }
