package iamapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/server/servertest"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
)

// wantCode fails unless err is an AWS API error with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

// apiMessage returns the message of an API error.
func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// newCredEnv is servertest.Build with an injected clock, over the given store (the backend under
// test when nil).
func newCredEnv(t *testing.T, st store.Store) (*servertest.Env, *testutil.Clock) {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	e := servertest.Build(t, st, clk.Now)
	return e, clk
}

// rootClients returns clients signing as the account's root user. No API creates root access keys
// yet, so the key is written to the store the way iam.Service stores keys: sealed under the master
// key bound to "accesskey:ID", and indexed under the root's empty user name.
func rootClients(e *servertest.Env) (*awsiam.Client, *sts.Client) {
	e.T.Helper()
	sealer, err := seal.New(servertest.MasterKey)
	if err != nil {
		e.T.Fatal(err)
	}
	id, secret := "AKIAROOT"+strings.ToUpper(e.Account.ID), "root-secret-access-key-0123456789abcdefgh"
	body, err := json.Marshal(iam.AccessKey{AccessKeyID: id, Account: e.Account.ID, Status: "Active",
		CreateDate: time.Now().UTC().Truncate(time.Second), SealedSecret: sealer.Seal([]byte(secret), "accesskey:"+id)})
	if err != nil {
		e.T.Fatal(err)
	}
	if err := e.Store.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Insert("accesskey", "", id, body); err != nil {
			return err
		}
		return tx.Put("userkey", e.Account.ID, "\x00"+id, []byte("{}"))
	}); err != nil {
		e.T.Fatal(err)
	}
	return e.Clients(id, secret, "")
}

// wantStatus fails unless err carries the HTTP status.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("err = %v, want HTTP %d", err, status)
	}
}

// wantResult fails unless err is nil (an error code "" in the tables).
func wantResult(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("err = %v, want success", err)
		}
		return
	}
	wantCode(t, err, code)
}

func totpCode(t testing.TB, seed []byte, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(string(seed), at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustSealer(t testing.TB) *seal.Sealer {
	t.Helper()
	s, err := seal.New(servertest.MasterKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// clockSigner signs with the test clock instead of the real one, so requests stay within SigV4's
// allowed skew after the test moves the server's clock hours ahead.
type clockSigner struct {
	inner *v4.Signer
	now   func() time.Time
}

func (s clockSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string,
	_ time.Time, opts ...func(*v4.SignerOptions)) error {
	return s.inner.SignHTTP(ctx, creds, r, payloadHash, service, region, s.now(), opts...)
}

// adminQuery posts an awsQuery IAM request as the admin, signed, with exactly the parameters given
// (the SDKs send no empty number), and returns the status and the body.
func adminQuery(t *testing.T, e *servertest.Env, params url.Values) (int, string) {
	t.Helper()
	body := []byte(params.Encode())
	req, err := http.NewRequest(http.MethodPost, e.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: e.AdminKey.AccessKeyID, SecretAccessKey: e.AdminKey.Secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
