package sqlite

import (
	"os"

	"golang.org/x/sys/unix"
)

// isTmpfs reports whether dir is on a tmpfs (memory) file system.
func isTmpfs(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Type == unix.TMPFS_MAGIC
}

// reserve allocates the file's first size bytes (fallocate(2)), so that no later write through a
// mapping needs a page the file system no longer has: on a full tmpfs such a write would kill the
// process with SIGBUS, where a failed reservation is an error Open's caller sees once.
func reserve(f *os.File, size int64) error {
	for {
		err := unix.Fallocate(int(f.Fd()), 0, 0, size)
		if err != unix.EINTR {
			return err
		}
	}
}

// mapShared maps the first size bytes of f, shared and writable.
func mapShared(f *os.File, size int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
}

func unmap(b []byte) error { return unix.Munmap(b) }
