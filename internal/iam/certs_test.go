package iam

import (
	"encoding/pem"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/testutil"
)

func TestSigningCertificates(t *testing.T) {
	t.Parallel()
	e := newCredEnv(t)
	acct := e.account.ID
	e.user(t, "alice")
	e.user(t, "bob")
	cert1, cert2, cert3 := testutil.SelfSignedPEM(t, "one"), testutil.SelfSignedPEM(t, "two"), testutil.SelfSignedPEM(t, "three")
	block, _ := pem.Decode([]byte(cert1))
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: block.Bytes}))
	truncated := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes[:len(block.Bytes)/2]}))

	for _, tc := range []struct {
		name, user, body string
		code             awserr.Code
	}{
		{"empty body", "alice", "", awserr.ValidationError},
		{"not PEM", "alice", "hello", awserr.MalformedCertificate},
		{"PEM of a key", "alice", keyPEM, awserr.MalformedCertificate},
		{"truncated DER", "alice", truncated, awserr.MalformedCertificate},
		{"two certificates", "alice", cert2 + cert3, awserr.MalformedCertificate},
		{"too long", "alice", strings.Repeat("x", certBodyMax+1), awserr.ValidationError},
		{"unknown user", "carol", cert1, awserr.NoSuchEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.UploadSigningCertificate(e.ctx, acct, tc.user, tc.body)
			testutil.WantCode(t, err, tc.code)
		})
	}

	c1, err := e.svc.UploadSigningCertificate(e.ctx, acct, "alice", cert1)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z0-9]{32}$`).MatchString(c1.CertificateID) || c1.Status != "Active" || c1.UserName != "alice" ||
		c1.CertificateBody != cert1 || !c1.UploadDate.Equal(e.clock.Now()) {
		t.Fatalf("upload = %+v", c1)
	}
	// Whitespace around the PEM does not make it another certificate.
	_, err = e.svc.UploadSigningCertificate(e.ctx, acct, "bob", "\n"+cert1+"\n")
	testutil.WantCode(t, err, awserr.DuplicateCertificate)
	if ae, _ := awserr.As(err); awsproto.Status(ae) != http.StatusConflict {
		t.Fatalf("DuplicateCertificate status = %d", awsproto.Status(ae))
	}
	if _, err := e.svc.UploadSigningCertificate(e.ctx, acct, "alice", cert2); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.UploadSigningCertificate(e.ctx, acct, "alice", cert3)
	testutil.WantCode(t, err, awserr.LimitExceeded)

	for _, tc := range []struct {
		name, user, id, status string
		code                   awserr.Code
	}{
		{"inactive", "alice", c1.CertificateID, "Inactive", ""},
		{"bad status", "alice", c1.CertificateID, "Paused", awserr.ValidationError},
		{"another user's certificate", "bob", c1.CertificateID, "Active", awserr.NoSuchEntity},
		{"unknown id", "alice", "NOPE", "Active", awserr.NoSuchEntity},
	} {
		t.Run("update "+tc.name, func(t *testing.T) {
			testutil.WantCode(t, e.svc.UpdateSigningCertificate(e.ctx, acct, tc.user, tc.id, tc.status), tc.code)
		})
	}
	p, err := e.svc.ListSigningCertificates(e.ctx, acct, "alice", ListOpts{MaxItems: 1})
	if err != nil || len(p.Items) != 1 || !p.IsTruncated {
		t.Fatalf("first page = %+v, %v", p, err)
	}
	p2, err := e.svc.ListSigningCertificates(e.ctx, acct, "alice", ListOpts{Marker: p.Marker})
	if err != nil || len(p2.Items) != 1 || p2.IsTruncated || p2.Items[0].CertificateID == p.Items[0].CertificateID {
		t.Fatalf("second page = %+v, %v", p2, err)
	}
	for _, c := range append(p.Items, p2.Items...) {
		if c.CertificateID == c1.CertificateID && c.Status != "Inactive" {
			t.Fatalf("status not kept: %+v", c)
		}
	}

	// Certificates block the user's deletion and move with a rename.
	testutil.WantCode(t, e.svc.DeleteUser(e.ctx, acct, "alice"), awserr.DeleteConflict)
	testutil.WantCode(t, e.svc.UpdateUser(e.ctx, acct, "alice", "alicia", ""), "")
	testutil.WantCode(t, e.svc.DeleteSigningCertificate(e.ctx, acct, "bob", c1.CertificateID), awserr.NoSuchEntity)
	testutil.WantCode(t, e.svc.DeleteSigningCertificate(e.ctx, acct, "alicia", c1.CertificateID), "")
	testutil.WantCode(t, e.svc.DeleteSigningCertificate(e.ctx, acct, "alicia", c1.CertificateID), awserr.NoSuchEntity)
	// Deleting frees the certificate for another user.
	if c, err := e.svc.UploadSigningCertificate(e.ctx, acct, "bob", cert1); err != nil || c.UserName != "bob" {
		t.Fatalf("re-upload = %+v, %v", c, err)
	}

	// The root user's certificates live under the empty name.
	root, err := e.svc.UploadSigningCertificate(e.ctx, acct, "", cert3)
	if err != nil || root.UserName != "" {
		t.Fatalf("root upload = %+v, %v", root, err)
	}
	if p, _ := e.svc.ListSigningCertificates(e.ctx, acct, "", ListOpts{}); len(p.Items) != 1 || p.Items[0].CertificateID != root.CertificateID {
		t.Fatalf("root certificates = %+v", p.Items)
	}
}
