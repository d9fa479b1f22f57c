package iamapi_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func rsaPublicPEM(t *testing.T, bits int) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// SSH public keys: upload in PEM or ssh-rsa form, read back in either encoding, list, update,
// delete; the errors in AWS's codes; and DeleteUser refuses a user that still has one.
func TestSSHPublicKeys(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := e.IAM
	user := aws.String("dev")
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: user}); err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(rsaPublicPEM(t, 2048))})
	if err != nil {
		t.Fatal(err)
	}
	k := up.SSHPublicKey
	if !strings.HasPrefix(aws.ToString(k.SSHPublicKeyId), "APKA") || len(aws.ToString(k.Fingerprint)) != 47 || k.Status != types.StatusTypeActive ||
		!strings.HasPrefix(aws.ToString(k.SSHPublicKeyBody), "ssh-rsa AAAA") {
		t.Fatalf("uploaded key = %+v; want an APKA ID, an MD5 fingerprint, Active, the ssh-rsa form", k)
	}
	g, err := c.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Encoding: types.EncodingTypePem})
	if err != nil || !strings.HasPrefix(aws.ToString(g.SSHPublicKey.SSHPublicKeyBody), "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("GetSSHPublicKey PEM = %+v, %v", g, err)
	}
	errs := []struct {
		name string
		call func() error
		code string
	}{
		{"duplicate (ssh-rsa form)", func() error {
			_, err := c.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: k.SSHPublicKeyBody})
			return err
		}, "DuplicateSSHPublicKey"},
		{"too short", func() error {
			_, err := c.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String(rsaPublicPEM(t, 1024))})
			return err
		}, "InvalidPublicKey"},
		{"not ssh-rsa", func() error {
			_, err := c.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA x")})
			return err
		}, "UnrecognizedPublicKeyEncoding"},
		{"garbage", func() error {
			_, err := c.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: user, SSHPublicKeyBody: aws.String("ssh-rsa !!!")})
			return err
		}, "InvalidPublicKey"},
		{"no such user", func() error {
			_, err := c.UploadSSHPublicKey(ctx, &awsiam.UploadSSHPublicKeyInput{UserName: aws.String("nope"), SSHPublicKeyBody: k.SSHPublicKeyBody})
			return err
		}, "NoSuchEntity"},
		{"no such key", func() error {
			_, err := c.GetSSHPublicKey(ctx, &awsiam.GetSSHPublicKeyInput{UserName: user, SSHPublicKeyId: aws.String("APKAAAAAAAAAAAAAAAAAA"), Encoding: types.EncodingTypeSsh})
			return err
		}, "NoSuchEntity"},
		{"delete the user", func() error {
			_, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user})
			return err
		}, "DeleteConflict"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, tc.call(), tc.code) })
	}
	if _, err := c.UpdateSSHPublicKey(ctx, &awsiam.UpdateSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListSSHPublicKeys(ctx, &awsiam.ListSSHPublicKeysInput{UserName: user})
	if err != nil || len(l.SSHPublicKeys) != 1 || l.SSHPublicKeys[0].Status != types.StatusTypeInactive {
		t.Fatalf("ListSSHPublicKeys = %+v, %v; want the key, Inactive", l, err)
	}
	if _, err := c.DeleteSSHPublicKey(ctx, &awsiam.DeleteSSHPublicKeyInput{UserName: user, SSHPublicKeyId: k.SSHPublicKeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user}); err != nil {
		t.Fatalf("DeleteUser after the key's deletion: %v", err)
	}
}

// Service-specific credentials: a password once, at creation and reset; the service user name
// NAME-at-ACCOUNT; Bedrock's API keys with an alias, a secret and an expiry; two per service; an
// unknown service refused; DeleteUser refuses a user that still has one; a rename keeps them.
func TestServiceSpecificCredentials(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := e.IAM
	user := aws.String("git")
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: user}); err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	sc := cr.ServiceSpecificCredential
	if aws.ToString(sc.ServiceUserName) != "git-at-"+e.Account.ID || len(aws.ToString(sc.ServicePassword)) < 20 ||
		!strings.HasPrefix(aws.ToString(sc.ServiceSpecificCredentialId), "ACCA") || sc.Status != types.StatusTypeActive {
		t.Fatalf("credential = %+v", sc)
	}
	br, err := c.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("bedrock.amazonaws.com"), CredentialAgeDays: aws.Int32(30)})
	if err != nil || br.ServiceSpecificCredential.ServiceCredentialSecret == nil || br.ServiceSpecificCredential.ExpirationDate == nil ||
		br.ServiceSpecificCredential.ServicePassword != nil {
		t.Fatalf("bedrock credential = %+v, %v; want an alias, a secret and an expiry", br, err)
	}
	if _, err := c.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("codecommit.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	errs := []struct {
		name string
		call func() error
		code string
	}{
		{"third of a service", func() error {
			_, err := c.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("codecommit.amazonaws.com")})
			return err
		}, "LimitExceeded"},
		{"unknown service", func() error {
			_, err := c.CreateServiceSpecificCredential(ctx, &awsiam.CreateServiceSpecificCredentialInput{UserName: user, ServiceName: aws.String("s3.amazonaws.com")})
			return err
		}, "NotSupportedService"},
		{"no such credential", func() error {
			_, err := c.ResetServiceSpecificCredential(ctx, &awsiam.ResetServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: aws.String("ACCAAAAAAAAAAAAAAAAAA")})
			return err
		}, "NoSuchEntity"},
		{"delete the user", func() error {
			_, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user})
			return err
		}, "DeleteConflict"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, tc.call(), tc.code) })
	}
	rs, err := c.ResetServiceSpecificCredential(ctx, &awsiam.ResetServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: sc.ServiceSpecificCredentialId})
	if err != nil || aws.ToString(rs.ServiceSpecificCredential.ServicePassword) == aws.ToString(sc.ServicePassword) {
		t.Fatalf("reset = %+v, %v; want a new password", rs, err)
	}
	if _, err := c.UpdateServiceSpecificCredential(ctx, &awsiam.UpdateServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: sc.ServiceSpecificCredentialId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateUser(ctx, &awsiam.UpdateUserInput{UserName: user, NewUserName: aws.String("git2")}); err != nil {
		t.Fatal(err)
	}
	user = aws.String("git2")
	l, err := c.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: user, ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil || len(l.ServiceSpecificCredentials) != 2 {
		t.Fatalf("list after rename = %+v, %v; want the two codecommit credentials", l, err)
	}
	all, err := c.ListServiceSpecificCredentials(ctx, &awsiam.ListServiceSpecificCredentialsInput{UserName: user})
	if err != nil || len(all.ServiceSpecificCredentials) != 3 {
		t.Fatalf("list = %+v, %v; want three", all, err)
	}
	for _, m := range all.ServiceSpecificCredentials {
		if _, err := c.DeleteServiceSpecificCredential(ctx, &awsiam.DeleteServiceSpecificCredentialInput{UserName: user, ServiceSpecificCredentialId: m.ServiceSpecificCredentialId}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: user}); err != nil {
		t.Fatalf("DeleteUser after the deletions: %v", err)
	}
}
