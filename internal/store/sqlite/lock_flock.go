//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sqlite

import (
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock(2) on the file at path, creating it, and returns the function
// that releases it. flock, not fcntl: SQLite holds POSIX (fcntl) locks on the database, and
// closing any descriptor of a file drops all of a process's POSIX locks on it, so the lock lives
// on a separate file and uses locks independent of SQLite's. flock locks belong to the open file,
// so two Opens in one process exclude each other too. The kernel releases the lock if the process
// dies.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock file: %w", err)
	}
	// Closing the only descriptor releases the lock. The file stays: deleting a lock file would
	// let a third process lock a new file while a second still holds the old one.
	return func() { _ = f.Close() }, nil
}

// tryLock takes an exclusive flock(2) on f without waiting: false when another open file holds it
// (a segment file of a live process, see segment.go).
func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch err {
		case nil:
			return true, nil
		case syscall.EWOULDBLOCK:
			return false, nil
		case syscall.EINTR:
			continue
		}
		return false, fmt.Errorf("lock file: %w", err)
	}
}
