package iam

import (
	"testing"

	"github.com/rootward/rootward/internal/awserr"
)

// ImportUsers stores users as CreateUser, AttachPolicy and CreateAccessKey would: the users read
// back, their keys authenticate them, their policies are attached; a taken name fails the whole
// batch, which then leaves nothing behind.
func TestImportUsers(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	const readOnly = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	keys, err := e.svc.ImportUsers(e.ctx, e.account.ID, []ImportUser{
		{UserName: "Alice", Path: "/team/", Policies: []string{readOnly}, AccessKey: true},
		{UserName: "bob"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].UserName != "Alice" || keys[0].Secret == "" {
		t.Fatalf("got keys %+v, want one key of Alice with its secret", keys)
	}
	u, err := e.svc.GetUser(e.ctx, e.account.ID, "alice")
	if err != nil || u.Path != "/team/" || u.Arn != userARN(e.account.ID, "/team/", "Alice") {
		t.Fatalf("GetUser alice: got %+v, %v; want Alice under /team/", u, err)
	}
	k, owner, err := e.svc.AccessKey(e.ctx, keys[0].AccessKeyID)
	if err != nil || k.Secret != keys[0].Secret || owner.UserID != u.UserID {
		t.Fatalf("AccessKey: got %+v owner %+v, %v; want Alice's key with its secret", k, owner, err)
	}
	att, err := e.svc.ListAttachedPolicies(e.ctx, e.account.ID, "user", "Alice", "", ListOpts{})
	if err != nil || len(att.Items) != 1 || att.Items[0].PolicyArn != readOnly {
		t.Fatalf("attached policies of Alice: got %+v, %v; want %s", att.Items, err, readOnly)
	}
	cases := []struct {
		name string
		in   []ImportUser
		code awserr.Code
	}{
		{"taken name", []ImportUser{{UserName: "carol"}, {UserName: "BOB"}}, awserr.EntityAlreadyExists},
		{"unknown policy", []ImportUser{{UserName: "carol", Policies: []string{"arn:aws:iam::aws:policy/NoSuchPolicy"}}}, awserr.NoSuchEntity},
		{"bad name", []ImportUser{{UserName: "carol"}, {UserName: "a b"}}, awserr.ValidationError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.ImportUsers(e.ctx, e.account.ID, c.in)
			if !awserr.IsCode(err, c.code) {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if _, err := e.svc.GetUser(e.ctx, e.account.ID, "carol"); !awserr.IsCode(err, awserr.NoSuchEntity) {
				t.Fatalf("GetUser carol after the failed batch: got %v, want NoSuchEntity", err)
			}
		})
	}
}

// ImportAccounts creates accounts without root passwords, all or none.
func TestImportAccounts(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	accts, err := e.svc.ImportAccounts(e.ctx, []ImportAccount{{Name: "one", Email: "one@example.com"}, {Name: "two", Email: "two@example.com"}})
	if err != nil || len(accts) != 2 || accts[0].ID == accts[1].ID {
		t.Fatalf("got %+v, %v; want two accounts with their own IDs", accts, err)
	}
	a, err := e.svc.AccountByRootEmail(e.ctx, "two@example.com")
	if err != nil || a.ID != accts[1].ID || a.RootPasswordHash != "" {
		t.Fatalf("AccountByRootEmail: got %+v, %v; want account two without a password", a, err)
	}
	_, err = e.svc.ImportAccounts(e.ctx, []ImportAccount{{Name: "three", Email: "three@example.com"}, {Name: "dup", Email: "ONE@example.com"}})
	if !awserr.IsCode(err, awserr.EntityAlreadyExists) {
		t.Fatalf("an email in use: got %v, want EntityAlreadyExists", err)
	}
	if _, err := e.svc.AccountByRootEmail(e.ctx, "three@example.com"); !awserr.IsCode(err, awserr.NoSuchEntity) {
		t.Fatalf("account three after the failed batch: got %v, want NoSuchEntity", err)
	}
}
