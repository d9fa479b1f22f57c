package signin

import (
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/testutil"
)

// An IAM user's sign-in at its MFA step cannot start the root user's lost-MFA recovery.
func TestMFARecoveryIsTheRootUsers(t *testing.T) {
	t.Parallel()
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

// After the operator's reset of the root user's MFA, the next sign-in goes to a registration it
// cannot postpone: the root user's state decides the step, sign-in follows it.
func TestSignInAfterMFAReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.enrolTOTP(e.account, "", "")
	if p := e.signInRoot(StepMFA); p.Kind != KindRoot {
		t.Fatalf("kind = %q, want %q", p.Kind, KindRoot)
	}
	if _, err := e.root.ResetRootMFA(e.ctx, e.account, rootuser.Operator{User: "ops"}); err != nil {
		t.Fatal(err)
	}
	p := e.signInRoot(StepMFARegistration)
	if p.RegistrationOptional {
		t.Fatal("registration after the reset may be postponed; want it required")
	}
	_, err := e.svc.SkipMFARegistration(e.ctx, p.Token, e.client)
	testutil.WantCode(t, err, awserr.AccessDenied)
}
