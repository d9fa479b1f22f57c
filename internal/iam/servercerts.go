package iam

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"time"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Server certificates: X.509 certificates with their private keys, for services that terminate
// TLS (IAM User Guide, "Manage server certificates in IAM"). The private key is sealed under the
// master key and never answered: GetServerCertificate returns the certificate and its chain only.

// ServerCertificate is a server certificate's metadata, body, chain and tags.
type ServerCertificate struct {
	Path, ServerCertificateName, ServerCertificateID, Arn string
	UploadDate, Expiration                                time.Time
	CertificateBody, CertificateChain                     string
	Tags                                                  []Tag
}

type serverCertRecord struct {
	Path       string      `json:"path"`
	Name       string      `json:"name"`
	ID         string      `json:"id"`
	Arn        string      `json:"arn"`
	Uploaded   time.Time   `json:"uploaded"`
	Expiration time.Time   `json:"expiration"`
	Body       string      `json:"body"`
	Chain      string      `json:"chain,omitempty"`
	SealedKey  []byte      `json:"sealed_key"`
	Tags       []tagRecord `json:"tags,omitempty"`
}

var serverCerts = store.Define(store.Kind[serverCertRecord]{
	Name: "servercert", Version: 1,
	Indexes: []store.Index[serverCertRecord]{pathIndex(func(r *serverCertRecord) string { return r.Path })},
})

// maxServerCerts is IAM's quota (IAM User Guide, "IAM and AWS STS quotas": server certificates
// per account, 20).
const maxServerCerts = 20

func (r *serverCertRecord) cert() *ServerCertificate {
	return &ServerCertificate{Path: r.Path, ServerCertificateName: r.Name, ServerCertificateID: r.ID, Arn: r.Arn,
		UploadDate: r.Uploaded, Expiration: r.Expiration, CertificateBody: r.Body, CertificateChain: r.Chain, Tags: fromTagRecords(r.Tags)}
}

func serverKeyAD(id string) string { return "servercert:" + id }

// UploadServerCertificateInput are UploadServerCertificate's parameters.
type UploadServerCertificateInput struct {
	Name, Path, Body, PrivateKey, Chain string
	Tags                                []Tag
}

// UploadServerCertificate stores a certificate and its key. Returns MalformedCertificate,
// KeyPairMismatch, EntityAlreadyExists, LimitExceeded, ValidationError.
func (s *Service) UploadServerCertificate(ctx context.Context, account string, in UploadServerCertificateInput) (*ServerCertificate, error) {
	if err := checkName("ServerCertificateName", in.Name, 128); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if err := checkPath("Path", in.Path); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	blk, _ := pem.Decode([]byte(in.Body))
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, awserr.New(awserr.MalformedCertificate, "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, awserr.New(awserr.MalformedCertificate, "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	key, err := parsePrivateKey(in.PrivateKey)
	if err != nil {
		return nil, awserr.New(awserr.MalformedCertificate, "Unable to parse private key. Please ensure the private key is in PEM format.")
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, awserr.New(awserr.KeyPairMismatch, "The private key does not match the public key in the certificate.")
	}
	if in.Chain != "" {
		rest := []byte(in.Chain)
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if _, err := x509.ParseCertificate(b.Bytes); err != nil {
				return nil, awserr.New(awserr.MalformedCertificate, "Unable to parse certificate chain. Please ensure the chain is in PEM format.")
			}
		}
		if strings.TrimSpace(string(rest)) != "" {
			return nil, awserr.New(awserr.MalformedCertificate, "Unable to parse certificate chain. Please ensure the chain is in PEM format.")
		}
	}
	id := newID("ASCA", 17)
	rec := &serverCertRecord{Path: in.Path, Name: in.Name, ID: id, Arn: rwarn.IAMEntity(account, "server-certificate", in.Path, in.Name),
		Uploaded: s.Now(), Expiration: cert.NotAfter.UTC(), Body: strings.TrimSpace(in.Body), Chain: strings.TrimSpace(in.Chain),
		SealedKey: s.seal.Seal([]byte(in.PrivateKey), serverKeyAD(id)), Tags: tagRecords(in.Tags)}
	err = s.update(ctx, account, func(t txn) error {
		n, err := t.Count(serverCerts.Name, account, "")
		if err != nil {
			return err
		}
		if n >= maxServerCerts {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for ServerCertificatesPerAccount: %d", maxServerCerts)
		}
		if err := serverCerts.Insert(t, account, fold(in.Name), rec); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "The Server Certificate with name %s already exists.", in.Name)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rec.cert(), nil
}

// parsePrivateKey reads a PEM private key: PKCS #1 RSA, SEC 1 EC or PKCS #8.
func parsePrivateKey(p string) (crypto.Signer, error) {
	blk, _ := pem.Decode([]byte(p))
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("not a signing key")
	}
	return signer, nil
}

func (t txn) serverCert(account, name string) (*serverCertRecord, error) {
	if err := checkName("ServerCertificateName", name, 128); err != nil {
		return nil, err
	}
	rec, ok, err := serverCerts.Get(t, account, fold(name))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.New(awserr.NoSuchEntity, "The Server Certificate with name %s cannot be found.", name)
	}
	return rec, nil
}

// GetServerCertificate returns a certificate (without its private key). Returns NoSuchEntity.
func (s *Service) GetServerCertificate(ctx context.Context, account, name string) (*ServerCertificate, error) {
	var out *ServerCertificate
	err := s.view(ctx, func(t txn) error {
		rec, err := t.serverCert(account, name)
		if err == nil {
			out = rec.cert()
		}
		return err
	})
	return out, err
}

// ListServerCertificates lists certificates by path prefix, as ListRoles lists roles.
func (s *Service) ListServerCertificates(ctx context.Context, account, pathPrefix string, o ListOpts) (Page[ServerCertificate], error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return Page[ServerCertificate]{}, err
	}
	var p Page[ServerCertificate]
	err := s.view(ctx, func(t txn) (err error) {
		p, err = listPrincipals(t, serverCerts, account, pathPrefix, o, func(r *serverCertRecord) ServerCertificate { return *r.cert() })
		return err
	})
	return p, err
}

// UpdateServerCertificate renames a certificate or moves it to another path. Returns
// NoSuchEntity, EntityAlreadyExists.
func (s *Service) UpdateServerCertificate(ctx context.Context, account, name, newName, newPath string) error {
	if newName != "" {
		if err := checkName("NewServerCertificateName", newName, 128); err != nil {
			return err
		}
	}
	if newPath != "" {
		if err := checkPath("NewPath", newPath); err != nil {
			return err
		}
	}
	return s.update(ctx, account, func(t txn) error {
		rec, err := t.serverCert(account, name)
		if err != nil {
			return err
		}
		if newName == "" {
			newName = rec.Name
		}
		if newPath != "" {
			rec.Path = newPath
		}
		rec.Name = newName
		rec.Arn = rwarn.IAMEntity(account, "server-certificate", rec.Path, newName)
		if fold(newName) == fold(name) {
			return serverCerts.Put(t, account, fold(name), rec)
		}
		if err := serverCerts.Insert(t, account, fold(newName), rec); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "The Server Certificate with name %s already exists.", newName)
			}
			return err
		}
		return serverCerts.Delete(t, account, fold(name))
	})
}

// DeleteServerCertificate deletes a certificate and its sealed key. Returns NoSuchEntity.
func (s *Service) DeleteServerCertificate(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.serverCert(account, name); err != nil {
			return err
		}
		return serverCerts.Delete(t, account, fold(name))
	})
}

// TagServerCertificate adds or overwrites tags on a certificate.
func (s *Service) TagServerCertificate(ctx context.Context, account, name string, tags []Tag) error {
	return tagResource(tags, "TagsPerServerCertificate", s.serverCertTags(ctx, account, name))
}

// UntagServerCertificate removes tag keys from a certificate.
func (s *Service) UntagServerCertificate(ctx context.Context, account, name string, keys []string) error {
	return untagResource(keys, s.serverCertTags(ctx, account, name))
}

// serverCertTags edits the tags of the named certificate.
func (s *Service) serverCertTags(ctx context.Context, account, name string) func(tagEdit) error {
	return func(edit tagEdit) error {
		return s.modifyServerCert(ctx, account, name, func(rec *serverCertRecord) error { return editTagRecords(&rec.Tags, edit) })
	}
}

func (s *Service) modifyServerCert(ctx context.Context, account, name string, fn func(*serverCertRecord) error) error {
	return s.update(ctx, account, func(t txn) error {
		rec, err := t.serverCert(account, name)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
		return serverCerts.Put(t, account, fold(name), rec)
	})
}
