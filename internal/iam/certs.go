package iam

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// X.509 signing certificates of IAM users (and of the root user, under the empty name), as
// UploadSigningCertificate and friends manage them. Certificates are public: the body is stored as
// uploaded.

const (
	// certsPerUser is the quota "Signing certificates assigned to an IAM user: 2" (IAM User Guide,
	// "IAM and AWS STS quotas").
	certsPerUser = 2
	// certBodyMax is CertificateBody's length limit (IAM API reference, UploadSigningCertificate).
	certBodyMax = 16384
	// certIDLen matches the 32-character IDs AWS issues (certificateIdType: length 24–128, [\w]+).
	certIDLen = 32
)

// SigningCertificate is an X.509 signing certificate of a user.
type SigningCertificate struct {
	UserName        string // filled on read; "" for the root user
	CertificateID   string
	CertificateBody string
	Status          string
	UploadDate      time.Time
	// Fingerprint is the hex SHA-256 of the DER encoding; an account holds a certificate once.
	Fingerprint string
}

// parseCertificate returns the SHA-256 fingerprint of the one PEM certificate in body. Returns
// MalformedCertificate when body is not a PEM-encoded X.509 certificate.
func parseCertificate(body string) (string, error) {
	malformed := awserr.New(awserr.MalformedCertificate, "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	block, rest := pem.Decode([]byte(strings.TrimSpace(body)))
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
		return "", malformed
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", malformed
	}
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:]), nil
}

// certOwner checks that user exists (always true of the root user, "") and returns its display
// name and key prefix.
func (t txn) certOwner(account, user string) (name, prefix string, err error) {
	if user == "" {
		return "", sep, nil
	}
	u, err := t.user(account, user)
	if err != nil {
		return "", "", err
	}
	return u.UserName, fold(user) + sep, nil
}

// UploadSigningCertificate adds a certificate to a user ("" = root), Active. Returns
// MalformedCertificate, DuplicateCertificate (409: the certificate belongs to a user of the account
// already), LimitExceeded (two per user), NoSuchEntity, ValidationError.
func (s *Service) UploadSigningCertificate(ctx context.Context, account, user, body string) (*SigningCertificate, error) {
	if user != "" {
		if err := checkName("UserName", user, 128); err != nil {
			return nil, err
		}
	}
	if body == "" {
		return nil, missing("CertificateBody")
	}
	if len(body) > certBodyMax {
		return nil, invalid("CertificateBody", "...", "Member must have length less than or equal to 16384")
	}
	fp, err := parseCertificate(body)
	if err != nil {
		return nil, err
	}
	c := &SigningCertificate{CertificateID: newID("", certIDLen), CertificateBody: body, Status: "Active", UploadDate: s.Now(), Fingerprint: fp}
	err = s.update(ctx, account, func(t txn) error {
		name, prefix, err := t.certOwner(account, user)
		if err != nil {
			return err
		}
		c.UserName = name
		n, err := t.Count(signingCerts.Name, account, prefix)
		if err != nil {
			return err
		}
		if n >= certsPerUser {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for SigningCertificatesPerUser: %d", certsPerUser)
		}
		err = signingCerts.Insert(t, account, prefix+c.CertificateID, signingCertRecordOf(c))
		if taken := (*store.ErrIndexTaken)(nil); errors.As(err, &taken) {
			return &awserr.Error{Code: awserr.DuplicateCertificate,
				Message: "The request was rejected because the same certificate is associated with an IAM user in the account."}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// cert loads one of a user's certificates; NoSuchEntity if the user has no such certificate.
func (t txn) cert(account, user, id string) (*SigningCertificate, string, error) {
	name, prefix, err := t.certOwner(account, user)
	if err != nil {
		return nil, "", err
	}
	r, ok, err := signingCerts.Get(t, account, prefix+id)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", awserr.New(awserr.NoSuchEntity, "The Certificate with id %s cannot be found.", id)
	}
	return r.signingCert(name), prefix + id, nil
}

// UpdateSigningCertificate sets a certificate Active or Inactive. Returns NoSuchEntity,
// ValidationError.
func (s *Service) UpdateSigningCertificate(ctx context.Context, account, user, id, status string) error {
	if status != "Active" && status != "Inactive" {
		return invalid("Status", status, "Member must satisfy enum value set: [Active, Inactive]")
	}
	if id == "" {
		return missing("CertificateId")
	}
	return s.update(ctx, account, func(t txn) error {
		c, key, err := t.cert(account, user, id)
		if err != nil {
			return err
		}
		c.Status = status
		return signingCerts.Put(t, account, key, signingCertRecordOf(c))
	})
}

// DeleteSigningCertificate deletes a certificate. Returns NoSuchEntity.
func (s *Service) DeleteSigningCertificate(ctx context.Context, account, user, id string) error {
	if id == "" {
		return missing("CertificateId")
	}
	return s.update(ctx, account, func(t txn) error {
		_, key, err := t.cert(account, user, id)
		if err != nil {
			return err
		}
		return signingCerts.Delete(t, account, key)
	})
}

// ListSigningCertificates lists a user's certificates ("" = root), by ID. Returns NoSuchEntity.
func (s *Service) ListSigningCertificates(ctx context.Context, account, user string, o ListOpts) (Page[SigningCertificate], error) {
	var p Page[SigningCertificate]
	err := s.view(ctx, func(t txn) error {
		name, prefix, err := t.certOwner(account, user)
		if err != nil {
			return err
		}
		p, err = readPage(signingCerts.Range(t, account, prefix), o, func(it store.Item) (SigningCertificate, bool, error) {
			r, err := signingCerts.Decode(it.Body)
			if err != nil {
				return SigningCertificate{}, false, err
			}
			return *r.signingCert(name), true, nil
		})
		return err
	})
	return p, err
}
