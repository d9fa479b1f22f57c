package iamapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func TestSigningCertificateOps(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	// Erin manages her own certificates: the resource is her user ARN, found from her key.
	erinIAM, _ := e.UserClients("erin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*SigningCertificate*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)
	c1, c2, c3 := testutil.SelfSignedPEM(t, "one"), testutil.SelfSignedPEM(t, "two"), testutil.SelfSignedPEM(t, "three")
	up, err := erinIAM.UploadSigningCertificate(ctx, &awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(c1)})
	if err != nil {
		t.Fatal(err)
	}
	cert := up.Certificate
	if *cert.UserName != "erin" || cert.Status != types.StatusTypeActive || *cert.CertificateBody != c1 || len(*cert.CertificateId) != 32 || cert.UploadDate == nil {
		t.Fatalf("Certificate = %+v", cert)
	}
	for _, tc := range []struct {
		name   string
		client *awsiam.Client
		in     awsiam.UploadSigningCertificateInput
		code   string
		status int
	}{
		{"malformed", erinIAM, awsiam.UploadSigningCertificateInput{CertificateBody: aws.String("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")}, "MalformedCertificate", 400},
		{"duplicate for another user", e.IAM, awsiam.UploadSigningCertificateInput{UserName: aws.String("admin"), CertificateBody: aws.String(c1)}, "DuplicateCertificate", 409},
		{"second", erinIAM, awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(c2)}, "", 0},
		{"third", erinIAM, awsiam.UploadSigningCertificateInput{CertificateBody: aws.String(c3)}, "LimitExceeded", 409},
		{"someone else's user", erinIAM, awsiam.UploadSigningCertificateInput{UserName: aws.String("admin"), CertificateBody: aws.String(c3)}, "AccessDenied", 403},
	} {
		t.Run("upload "+tc.name, func(t *testing.T) {
			_, err := tc.client.UploadSigningCertificate(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
			if tc.status != 0 {
				testutil.WantStatus(t, err, tc.status)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		id     string
		status types.StatusType
		code   string
	}{
		{"inactive", *cert.CertificateId, types.StatusTypeInactive, ""},
		{"bad status", *cert.CertificateId, "Paused", "ValidationError"},
		{"unknown", "NOPE", types.StatusTypeActive, "NoSuchEntity"},
	} {
		t.Run("update "+tc.name, func(t *testing.T) {
			_, err := erinIAM.UpdateSigningCertificate(ctx, &awsiam.UpdateSigningCertificateInput{CertificateId: aws.String(tc.id), Status: tc.status})
			testutil.WantCode(t, err, tc.code)
		})
	}
	list, err := e.IAM.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{UserName: aws.String("erin")})
	if err != nil || len(list.Certificates) != 2 {
		t.Fatalf("ListSigningCertificates = %+v, %v", list, err)
	}
	for _, c := range list.Certificates {
		if *c.CertificateId == *cert.CertificateId && c.Status != types.StatusTypeInactive {
			t.Fatalf("status not kept: %+v", c)
		}
	}
	if _, err := erinIAM.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{CertificateId: cert.CertificateId}); err != nil {
		t.Fatal(err)
	}
	_, err = erinIAM.DeleteSigningCertificate(ctx, &awsiam.DeleteSigningCertificateInput{CertificateId: cert.CertificateId})
	testutil.WantCode(t, err, "NoSuchEntity")
	if self, err := erinIAM.ListSigningCertificates(ctx, &awsiam.ListSigningCertificatesInput{}); err != nil || len(self.Certificates) != 1 {
		t.Fatalf("ListSigningCertificates(self) = %+v, %v", self, err)
	}
}
