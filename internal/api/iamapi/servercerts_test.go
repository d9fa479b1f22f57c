package iamapi_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// certAndKey is a self-signed certificate and its PKCS #8 private key, both PEM.
func certAndKey(t *testing.T) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "example.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}))
}

// Server certificates: upload (the key must match the certificate), get (never the key), list by
// path, rename, tags, delete; the errors in AWS's codes.
func TestServerCertificates(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := e.IAM
	body, key := certAndKey(t)
	_, otherKey := certAndKey(t)
	up, err := c.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{ServerCertificateName: aws.String("web"),
		Path: aws.String("/cloudfront/"), CertificateBody: aws.String(body), PrivateKey: aws.String(key),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	m := up.ServerCertificateMetadata
	if aws.ToString(m.Arn) != "arn:aws:iam::"+e.Account.ID+":server-certificate/cloudfront/web" ||
		!strings.HasPrefix(aws.ToString(m.ServerCertificateId), "ASCA") || m.Expiration == nil || len(up.Tags) != 1 {
		t.Fatalf("uploaded = %+v", up)
	}
	errs := []struct {
		name string
		in   awsiam.UploadServerCertificateInput
		code string
	}{
		{"exists", awsiam.UploadServerCertificateInput{ServerCertificateName: aws.String("WEB"), CertificateBody: aws.String(body), PrivateKey: aws.String(key)}, "EntityAlreadyExists"},
		{"key mismatch", awsiam.UploadServerCertificateInput{ServerCertificateName: aws.String("x"), CertificateBody: aws.String(body), PrivateKey: aws.String(otherKey)}, "KeyPairMismatch"},
		{"malformed", awsiam.UploadServerCertificateInput{ServerCertificateName: aws.String("y"), CertificateBody: aws.String("nope"), PrivateKey: aws.String(key)}, "MalformedCertificate"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.UploadServerCertificate(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}
	g, err := c.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("web")})
	if err != nil || aws.ToString(g.ServerCertificate.CertificateBody) != strings.TrimSpace(body) {
		t.Fatalf("GetServerCertificate = %+v, %v", g, err)
	}
	if _, err := c.UpdateServerCertificate(ctx, &awsiam.UpdateServerCertificateInput{ServerCertificateName: aws.String("web"),
		NewServerCertificateName: aws.String("web2"), NewPath: aws.String("/elb/")}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListServerCertificates(ctx, &awsiam.ListServerCertificatesInput{PathPrefix: aws.String("/elb/")})
	if err != nil || len(l.ServerCertificateMetadataList) != 1 || aws.ToString(l.ServerCertificateMetadataList[0].ServerCertificateName) != "web2" {
		t.Fatalf("ListServerCertificates /elb/ = %+v, %v; want web2", l, err)
	}
	if _, err := c.TagServerCertificate(ctx, &awsiam.TagServerCertificateInput{ServerCertificateName: aws.String("web2"), Tags: []types.Tag{{Key: aws.String("k2"), Value: aws.String("v2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagServerCertificate(ctx, &awsiam.UntagServerCertificateInput{ServerCertificateName: aws.String("web2"), TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListServerCertificateTags(ctx, &awsiam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("web2")})
	if err != nil || len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Key) != "k2" {
		t.Fatalf("tags = %+v, %v; want k2", lt, err)
	}
	s, err := c.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil || s.SummaryMap["ServerCertificates"] != 1 {
		t.Errorf("summary ServerCertificates = %v, %v; want 1", s, err)
	}
	if _, err := c.DeleteServerCertificate(ctx, &awsiam.DeleteServerCertificateInput{ServerCertificateName: aws.String("web2")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetServerCertificate(ctx, &awsiam.GetServerCertificateInput{ServerCertificateName: aws.String("web2")})
	testutil.WantCode(t, err, "NoSuchEntity")
}
