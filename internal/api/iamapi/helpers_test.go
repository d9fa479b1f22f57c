package iamapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

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
