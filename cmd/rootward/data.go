package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/rootward/rootward/internal/arn"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/sqlite"
)

// dataFlags are the flags that locate state: the data directory, the database and the master key.
type dataFlags struct {
	dir           string
	db            string
	masterKeyFile string
}

func (d *dataFlags) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&d.dir, "data", "./rootward-data", "data directory (SQLite database, master key, credentials file)")
	fs.StringVar(&d.db, "db", "", "database: empty for SQLite in the data directory, or postgres://… for PostgreSQL")
	fs.StringVar(&d.masterKeyFile, "master-key-file", "", "master key file (default DATA/master.key; or set ROOTWARD_MASTER_KEY)")
}

// masterKey loads the master key: ROOTWARD_MASTER_KEY, --master-key-file, or DATA/master.key, which
// is created when create is true and it does not exist.
func (d *dataFlags) masterKey(create bool) ([]byte, error) {
	if v := os.Getenv("ROOTWARD_MASTER_KEY"); v != "" {
		return seal.DecodeKey(v)
	}
	path := d.masterKeyFile
	if path == "" {
		path = filepath.Join(d.dir, "master.key")
	}
	if create && d.masterKeyFile == "" {
		return seal.LoadOrCreateKeyFile(path)
	}
	return seal.LoadKeyFile(path)
}

// open opens the store and the IAM service. Only the commands that create state (serve and init,
// createKey true) make a missing data directory; the others say it is missing instead of working
// on a new, empty database.
func (d *dataFlags) open(ctx context.Context, createKey bool, opts ...iam.Option) (*iam.Service, store.Store, error) {
	if !createKey && d.db == "" {
		if _, err := os.Stat(d.dir); errors.Is(err, os.ErrNotExist) {
			return nil, nil, &exitCode{2, fmt.Errorf("data directory %s does not exist: pass --data with the directory that serve uses, or first run: %s serve --data %s", d.dir, cli, shellQuote(d.dir))}
		}
	}
	if err := privateDir(d.dir); err != nil {
		return nil, nil, err
	}
	key, err := d.masterKey(createKey)
	if err != nil {
		return nil, nil, fmt.Errorf("master key: %w", err)
	}
	sealer, err := seal.New(key)
	if err != nil {
		return nil, nil, err
	}
	var st store.Store
	if strings.HasPrefix(d.db, "postgres://") || strings.HasPrefix(d.db, "postgresql://") {
		st, err = postgres.Open(ctx, d.db)
	} else if d.db == "" {
		st, err = sqlite.Open(filepath.Join(d.dir, "rootward.db"))
	} else {
		err = errors.New("--db must be empty (SQLite) or a postgres:// URL")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("opening database: %w", err)
	}
	return iam.New(st, sealer, opts...), st, nil
}

// privateDir creates the data directory with mode 0700, or checks that an existing one is closed
// to other users: it holds the master key, the admin's credentials and the SQLite database, and a
// directory others may list or enter would leave their protection to each file's mode alone.
// Rootward does not chmod a directory it did not create; it names the fix instead.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("data directory %s is not a directory", dir)
	}
	// Windows has no such permission bits; its ACLs are the administrator's to set.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return &exitCode{2, fmt.Errorf("data directory %s is readable by other users (mode %#o); run: chmod 700 %s", dir, fi.Mode().Perm(), dir)}
	}
	return nil
}

// writeCredentials writes the admin key in the AWS shared-credentials format, profile rootward,
// mode 0600.
func writeCredentials(path, keyID, secret string) error {
	content := fmt.Sprintf("[rootward]\naws_access_key_id = %s\naws_secret_access_key = %s\n", keyID, secret)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// bootstrap creates an account with an administrative IAM user holding AdministratorAccess and one
// access key.
func bootstrap(ctx context.Context, svc *iam.Service, name, email, rootPassword, admin string) (*iam.Account, *iam.User, *iam.AccessKey, error) {
	acct, err := svc.CreateAccount(ctx, name, email, rootPassword)
	if err != nil {
		return nil, nil, nil, err
	}
	u, err := svc.CreateUser(ctx, acct.ID, iam.CreateUserInput{UserName: admin})
	if err != nil {
		return nil, nil, nil, err
	}
	if err := svc.AttachPolicy(ctx, acct.ID, "user", admin, arn.AWSManagedPolicy("/", "AdministratorAccess")); err != nil {
		return nil, nil, nil, err
	}
	k, err := svc.CreateAccessKey(ctx, acct.ID, admin)
	if err != nil {
		return nil, nil, nil, err
	}
	return acct, u, k, nil
}
