package stsapi_test

import (
	"testing"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/stsapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// DeleteRootCredentials opens no root session when the runner cannot run its IAM steps: a
// privileged session that nothing uses is refused before it exists.
func TestDeleteRootCredentialsNeedsItsSteps(t *testing.T) {
	t.Parallel()
	r := newRootEnv(t)
	legacy := r.CreateMember(r.m, "legacy")
	o := orgs.New(r.Svc)
	runner := api.NewRunner(api.Config{Deps: api.Deps{IAM: r.Svc, Orgs: o}, Authz: authz.New(r.Svc, o), Trail: r.Trail},
		stsapi.Service(), &api.Service{Name: "iam"})
	admin := authz.Principal{Account: r.Account.ID, UserName: "admin", SessionID: "s-admin", IssuedAt: time.Now().Add(-time.Minute)}
	_, err := stsapi.DeleteRootCredentials(runner, servertest.ConsoleRequest("192.0.2.10"), admin, legacy)
	if !awserr.IsCode(err, awserr.InvalidAction) {
		t.Fatalf("deletion without IAM's operations: %v, want InvalidAction", err)
	}
	r.Trail.Flush()
	p, err := trail.List(servertest.Ctx(t), r.Store, trail.Query{Account: r.Account.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range p.Events {
		if ev.EventName == "AssumeRoot" {
			t.Fatalf("a root session was opened: %+v", ev)
		}
	}
}
