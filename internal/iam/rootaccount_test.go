package iam

import (
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

func TestCreateRootAccessKey(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	for i := range 3 {
		k, err := e.svc.CreateRootAccessKey(e.ctx, acct)
		if i == 2 {
			testutil.WantCode(t, err, awserr.LimitExceeded)
			continue
		}
		if err != nil || k.UserName != "" || k.Secret == "" || len(k.AccessKeyID) != 20 {
			t.Fatalf("CreateRootAccessKey = %+v, %v", k, err)
		}
		// The key authenticates as the root user (empty user name) with its secret.
		got, owner, err := e.svc.AccessKey(e.ctx, k.AccessKeyID)
		if err != nil || got.Secret != k.Secret || got.UserName != "" || got.Account != acct || owner != nil {
			t.Fatalf("AccessKey = %+v, %+v, %v", got, owner, err)
		}
	}
	sum, _ := e.svc.GetAccountSummary(e.ctx, acct)
	if sum["AccountAccessKeysPresent"] != 1 {
		t.Fatalf("AccountAccessKeysPresent = %d", sum["AccountAccessKeysPresent"])
	}
	_, err := e.svc.CreateRootAccessKey(e.ctx, "000000000000")
	testutil.WantCode(t, err, awserr.NoSuchEntity)
}

func TestAccountDetails(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	other, err := e.svc.CreateAccount(e.ctx, "Other", "other@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, email string
		code        awserr.Code
	}{
		{"too short", "a@b", awserr.InvalidInput},
		{"no @", "root.acme.example", awserr.InvalidInput},
		{"taken, other case", "OTHER@acme.example", awserr.EntityAlreadyExists},
		{"same address, new case", "Root@Acme.example", ""},
		{"new address", "security@acme.example", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testutil.WantCode(t, e.svc.SetRootEmail(e.ctx, acct, tc.email), tc.code)
		})
	}
	a, err := e.svc.AccountByRootEmail(e.ctx, "SECURITY@acme.example")
	if err != nil || a.ID != acct || a.Email != "security@acme.example" {
		t.Fatalf("AccountByRootEmail = %+v, %v", a, err)
	}
	// The old address is free for another account.
	_, err = e.svc.AccountByRootEmail(e.ctx, "root@acme.example")
	testutil.WantCode(t, err, awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.SetRootEmail(e.ctx, other.ID, "root@acme.example"), "")

	testutil.WantCode(t, e.svc.SetAccountName(e.ctx, acct, ""), awserr.InvalidInput)
	testutil.WantCode(t, e.svc.SetAccountName(e.ctx, acct, "Acme Production"), "")
	if a, _ := e.svc.GetAccount(e.ctx, acct); a.Name != "Acme Production" {
		t.Fatalf("name = %q", a.Name)
	}
	testutil.WantCode(t, e.svc.CreateAccountAlias(e.ctx, acct, "acme-prod"), "")
	if a, err := e.svc.AccountByAlias(e.ctx, "acme-prod"); err != nil || a.ID != acct {
		t.Fatalf("AccountByAlias = %+v, %v", a, err)
	}
}
