package iamapi_test

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/sqlite"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestSecretsNotAtRest creates every kind of credential secret through the API, then reads the
// whole SQLite database — its files byte by byte, and every row through the store — and checks that
// no secret access key, password or MFA seed is there in the clear.
func TestSecretsNotAtRest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "rootward.db")
	st, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e, _ := servertest.NewClocked(t, st)
	ctx := servertest.Ctx(t)

	secrets := map[string]string{"admin secret access key": e.AdminKey.Secret}
	public := []string{e.AdminKey.AccessKeyID}
	for i, name := range []string{"alice", "bob"} {
		if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		k, err := e.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		secrets[name+" secret access key"] = *k.AccessKey.SecretAccessKey
		public = append(public, *k.AccessKey.AccessKeyId)
		pw := "Distinctive-Password-" + name + "-" + string(rune('0'+i))
		if _, err := e.IAM.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String(pw)}); err != nil {
			t.Fatal(err)
		}
		secrets[name+" password"] = pw
		newPw := pw + "-changed"
		if _, err := e.IAM.UpdateLoginProfile(ctx, &awsiam.UpdateLoginProfileInput{UserName: aws.String(name), Password: aws.String(newPw)}); err != nil {
			t.Fatal(err)
		}
		secrets[name+" new password"] = newPw
		d, err := e.IAM.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name + "-phone")})
		if err != nil {
			t.Fatal(err)
		}
		secrets[name+" MFA seed"] = string(d.VirtualMFADevice.Base32StringSeed)
		public = append(public, *d.VirtualMFADevice.SerialNumber)
	}
	sess, err := e.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	secrets["session secret access key"] = *sess.Credentials.SecretAccessKey
	secrets["session token"] = *sess.Credentials.SessionToken

	// Every byte of the database files (the main file, its WAL and shared memory) and of the
	// trail's segment files beside them (rootward.db-trail/).
	var raw []byte
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		raw = append(raw, b...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every row, through the store: the kinds and accounts come from the table itself.
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT DISTINCT kind, account FROM objects")
	if err != nil {
		t.Fatal(err)
	}
	var groups [][2]string
	for rows.Next() {
		var kind, account []byte
		if err := rows.Scan(&kind, &account); err != nil {
			t.Fatal(err)
		}
		groups = append(groups, [2]string{string(kind), string(account)})
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	var dump bytes.Buffer
	n := 0
	if err := e.Store.View(ctx, func(tx store.Tx) error {
		for _, g := range groups {
			items, err := tx.List(g[0], g[1], "", "", 0)
			if err != nil {
				return err
			}
			for _, it := range items {
				n++
				dump.WriteString(g[0] + "\t" + g[1] + "\t" + it.Key + "\t")
				dump.Write(it.Body)
				dump.WriteByte('\n')
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// The dump is real: the public identifiers and the password hashes are there.
	for _, id := range append(public, "$argon2id$") {
		if !bytes.Contains(dump.Bytes(), []byte(id)) {
			t.Fatalf("store dump (%d rows) lacks %q", n, id)
		}
	}
	if !bytes.Contains(raw, []byte(e.AdminKey.AccessKeyID)) {
		t.Fatal("database files lack the access key ID")
	}
	for name, secret := range secrets {
		t.Run(name, func(t *testing.T) {
			// The secret itself, and its base64 form (how encoding/json would store it as []byte).
			forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret))}
			for where, b := range map[string][]byte{"database files": raw, "store rows": dump.Bytes()} {
				for _, f := range forms {
					if bytes.Contains(b, []byte(f)) {
						t.Fatalf("%s contain the %s", where, name)
					}
				}
			}
		})
	}
}
