package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rootward/rootward/internal/store/sqlite"
	"github.com/spf13/cobra"
)

// backupCmd copies the SQLite database while serve keeps running. PostgreSQL has its own tools.
func backupCmd() *cobra.Command {
	var (
		d  dataFlags
		to string
	)
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Write a consistent copy of the SQLite database while the server runs (PostgreSQL: use pg_dump)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return &exitCode{2, errors.New("backup needs --to FILE (a new file)")}
			}
			if d.db != "" {
				return &exitCode{2, errors.New("the database is PostgreSQL: back it up with pg_dump (for example pg_dump --format=custom --file=rootward.dump '" + redactDSN(d.db) + "'), and keep the master key with it")}
			}
			db := filepath.Join(d.dir, "rootward.db")
			if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
				return &exitCode{2, fmt.Errorf("no database at %s: pass --data with the directory that serve uses", db)}
			}
			st, err := sqlite.Open(db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Backup(cmd.Context(), to); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Backup written to %s (mode 0600).\nSecrets in it are sealed under the master key, which is not in the backup: keep %s (or your --master-key-file) safe, apart from it.\nTo restore, stop rootward and copy the file to DATA/rootward.db.\n",
				to, filepath.Join(d.dir, "master.key"))
			return nil
		},
	}
	d.register(cmd.Flags())
	cmd.Flags().StringVar(&to, "to", "", "the file to write (must not exist)")
	return cmd
}

// redactDSN drops the password from a postgres:// URL before it is printed.
func redactDSN(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return "postgres://…"
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if user, _, hasPw := strings.Cut(rest[:at], ":"); hasPw {
			rest = user + ":…" + rest[at:]
		}
	}
	return scheme + "://" + rest
}
