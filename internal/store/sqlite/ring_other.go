//go:build !linux

package sqlite

import (
	"errors"
	"os"
)

// Rings are built for Linux only: elsewhere every record goes to the segment file.

func isTmpfs(string) bool { return false }

func reserve(f *os.File, size int64) error { return f.Truncate(size) }

func mapShared(*os.File, int) ([]byte, error) { return nil, errors.New("ring files need Linux") }

func unmap([]byte) error { return nil }
