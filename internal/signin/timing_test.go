package signin

import (
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
)

// A wrong password costs one argon2id verification at the installation's cost whether the email,
// account or user exists or not, so response times do not tell which do. The test counts the
// verifications and reads their hashes' cost parameters instead of timing the answers, which a
// loaded machine skews (a timed version failed CI twice).
func TestSignInWorkIsTheSameForUnknownNames(t *testing.T) {
	e := newEnv(t)
	if _, err := e.iam.CreateUser(e.ctx, e.account, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateLoginProfile(e.ctx, e.account, "alice", "Alice-Pass-1-Long", false); err != nil {
		t.Fatal(err)
	}
	var hashes []string
	orig := verifyPassword
	verifyPassword = func(pw, hash string) (bool, error) {
		hashes = append(hashes, hash)
		return orig(pw, hash)
	}
	t.Cleanup(func() { verifyPassword = orig })
	// params is the cost part of a PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
	params := func(h string) string {
		parts := strings.Split(h, "$")
		if len(parts) != 6 {
			t.Fatalf("not an argon2id hash: %q", h)
		}
		return parts[1] + "$" + parts[2] + "$" + parts[3]
	}
	cases := []struct {
		name string
		try  func() error
	}{
		{"root: known email", func() error {
			_, err := e.svc.BeginRootSignIn(e.ctx, rootEmail, "Wrong-Pass-1", e.client)
			return err
		}},
		{"root: unknown email", func() error {
			_, err := e.svc.BeginRootSignIn(e.ctx, "nobody@example.com", "Wrong-Pass-1", e.client)
			return err
		}},
		{"IAM user: known user", func() error {
			_, err := e.svc.BeginUserSignIn(e.ctx, e.account, "alice", "Wrong-Pass-1", e.client)
			return err
		}},
		{"IAM user: unknown user", func() error {
			_, err := e.svc.BeginUserSignIn(e.ctx, e.account, "mallory", "Wrong-Pass-1", e.client)
			return err
		}},
		{"IAM user: unknown account", func() error {
			_, err := e.svc.BeginUserSignIn(e.ctx, "000000000000", "alice", "Wrong-Pass-1", e.client)
			return err
		}},
	}
	var want string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hashes = nil
			if err := tc.try(); !awserr.IsCode(err, awserr.AccessDenied) {
				t.Fatalf("err = %v, want AccessDenied", err)
			}
			if len(hashes) != 1 {
				t.Fatalf("%d password verifications, want exactly 1", len(hashes))
			}
			got := params(hashes[0])
			if want == "" {
				want = got
			}
			if got != want {
				t.Fatalf("verified against a hash of cost %s, want %s like the others", got, want)
			}
		})
	}
}
