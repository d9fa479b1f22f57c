package signin

import (
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil"
)

// An IAM user's sign-in at its MFA step cannot start the root user's lost-MFA recovery.
func TestMFARecoveryIsTheRootUsers(t *testing.T) {
	e := newEnv(t)
	if _, err := e.iam.CreateUser(e.ctx, e.account, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateLoginProfile(e.ctx, e.account, "alice", "Alice-Pass-1", false); err != nil {
		t.Fatal(err)
	}
	e.enrolTOTP(e.account, "alice", "")
	p, err := e.svc.BeginUserSignIn(e.ctx, e.account, "alice", "Alice-Pass-1", e.client)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.BeginMFARecovery(e.ctx, p.Token, e.client)
	testutil.WantCode(t, err, awserr.AccessDenied)
}
