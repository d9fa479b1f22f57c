package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to the file at path, while the database stays
// online: VACUUM INTO reads one snapshot and writes a compact, self-contained database (no -wal
// file to go with it) that Open accepts as it is (https://www.sqlite.org/lang_vacuum.html#vacuuminto).
// It runs on the writer connection, so this process's writes wait for it; other processes' writes
// and every reader go on. The copy is created mode 0600 (it holds sealed secrets and password
// hashes) and path must not exist yet.
func (db *DB) Backup(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	// Create the file first, empty and private: VACUUM INTO accepts an empty file and would
	// otherwise create one with the process's default mode.
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("sqlite: backup: %s already exists; choose a new file", path)
	}
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	// The events this process appended but has not indexed yet go into the database first.
	err = db.tail.flush(ctx)
	if err == nil {
		_, err = db.write.ExecContext(ctx, `VACUUM INTO ?`, abs)
	}
	if err != nil {
		_ = os.Remove(abs)
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}
