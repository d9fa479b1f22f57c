package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

// rawCall signs body with the admin key for service and posts it, returning status and body.
func rawCall(e *servertest.Env, t *testing.T, service string, body []byte, sign bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	resp, b := send(e, t, req, service, body, sign)
	return resp.StatusCode, string(b)
}

// send signs req (whose body is body) with the admin key for service when sign is set, sends it
// and returns the response with its body read.
func send(e *servertest.Env, t *testing.T, req *http.Request, service string, body []byte, sign bool) (*http.Response, []byte) {
	t.Helper()
	if sign {
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: e.AdminKey.AccessKeyID, SecretAccessKey: e.AdminKey.Secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	cases := []struct {
		name    string
		service string
		body    string
		sign    bool
		status  int
		code    string
	}{
		{"unknown action", "iam", "Action=FlyToTheMoon&Version=2010-05-08", true, 400, "InvalidAction"},
		{"no action", "iam", "Version=2010-05-08", true, 400, "MissingAction"},
		{"unsigned", "iam", "Action=ListUsers&Version=2010-05-08", false, 403, "MissingAuthenticationToken"},
		{"bad escape", "iam", "Action=CreateUser&UserName=%zz", true, 400, "MalformedQueryString"},
		{"invalid utf-8", "iam", "Action=CreateUser&Version=2010-05-08&UserName=%ff", true, 400, "MalformedQueryString"},
		{"missing parameter", "iam", "Action=CreateUser&Version=2010-05-08", true, 400, "ValidationError"},
		{"bad MaxItems", "iam", "Action=ListUsers&Version=2010-05-08&MaxItems=zero", true, 400, "ValidationError"},
		{"unknown service", "rds", "Action=DescribeDBInstances", true, 400, "InvalidAction"},
		{"sts unknown action", "sts", "Action=AssumeEverything&Version=2011-06-15", true, 400, "InvalidAction"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := rawCall(e, t, tc.service, []byte(tc.body), tc.sign)
			if status != tc.status || !strings.Contains(body, "<Code>"+tc.code+"</Code>") || !strings.Contains(body, "<RequestId>") {
				t.Fatalf("status %d body %s; want %d %s", status, body, tc.status, tc.code)
			}
		})
	}
	t.Run("body over 1 MiB", func(t *testing.T) {
		body := []byte("Action=CreateUser&Version=2010-05-08&UserName=x&Description=" + strings.Repeat("a", 1<<20))
		status, resp := rawCall(e, t, "iam", body, true)
		if status != 413 || !strings.Contains(resp, "<Code>RequestEntityTooLarge</Code>") {
			t.Fatalf("status %d body %.300s", status, resp)
		}
		if _, err := e.Svc.GetUser(context.Background(), e.Account.ID, "x"); err == nil {
			t.Fatal("the oversized request created a user")
		}
	})
	t.Run("healthz", func(t *testing.T) {
		resp, err := http.Get(e.URL + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v %v", resp, err)
		}
		resp.Body.Close()
	})
}
