package iam

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// A user's SSH public keys (for CodeCommit) and service-specific credentials (CodeCommit's and
// Amazon Keyspaces' user name and password, Amazon Bedrock's API keys). Both live under the user:
// key "folded user \x00 ID", moved when the user is renamed and in the way of DeleteUser.

// SSHPublicKey is a user's SSH public key; Body is in the encoding asked for (SSH or PEM).
type SSHPublicKey struct {
	UserName, SSHPublicKeyID, Fingerprint, Body, Status string
	UploadDate                                          time.Time
}

type sshKeyRecord struct {
	ID          string    `json:"id"`
	Body        string    `json:"body"` // the ssh-rsa form
	Fingerprint string    `json:"fingerprint"`
	Status      string    `json:"status"`
	Uploaded    time.Time `json:"uploaded"`
}

var sshKeys = store.Define(store.Kind[sshKeyRecord]{Name: "sshkey", Version: 1})

// sshKeysPerUser is IAM's quota (IAM User Guide, "IAM and AWS STS quotas": SSH public keys per
// user, 5).
const sshKeysPerUser = 5

// parseSSHPublicKey reads an RSA public key in the OpenSSH form ("ssh-rsa AAAA… comment") or PEM
// (SubjectPublicKeyInfo) and returns its OpenSSH wire blob. IAM accepts ssh-rsa keys of at least
// 2048 bits ("The public key must be encoded in ssh-rsa format or PEM format. The minimum bit-length
// of the public key is 2048 bits", IAM API Reference, UploadSSHPublicKey).
func parseSSHPublicKey(body string) ([]byte, error) {
	bad := awserr.New(awserr.InvalidPublicKey, "The specified SSH public key is not valid.")
	body = strings.TrimSpace(body)
	if strings.HasPrefix(body, "-----BEGIN") {
		blk, _ := pem.Decode([]byte(body))
		if blk == nil {
			return nil, bad
		}
		pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, bad
		}
		rk, ok := pub.(*rsa.PublicKey)
		if !ok || rk.N.BitLen() < 2048 {
			return nil, bad
		}
		return sshRSABlob(rk), nil
	}
	f := strings.Fields(body)
	if len(f) < 2 || f[0] != "ssh-rsa" {
		return nil, awserr.New(awserr.UnrecognizedPublicKeyEncoding, "The SSH public key is not in ssh-rsa or PEM format.")
	}
	blob, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return nil, bad
	}
	rk, ok := parseSSHRSABlob(blob)
	if !ok || rk.N.BitLen() < 2048 {
		return nil, bad
	}
	return blob, nil
}

// sshRSABlob is the OpenSSH wire form of an RSA key (RFC 4253, 6.6: string "ssh-rsa", mpint e,
// mpint n).
func sshRSABlob(k *rsa.PublicKey) []byte {
	var b []byte
	put := func(v []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	mpint := func(n *big.Int) []byte {
		v := n.Bytes()
		if len(v) > 0 && v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		return v
	}
	put([]byte("ssh-rsa"))
	put(mpint(big.NewInt(int64(k.E))))
	put(mpint(k.N))
	return b
}

func parseSSHRSABlob(b []byte) (*rsa.PublicKey, bool) {
	next := func() ([]byte, bool) {
		if len(b) < 4 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			return nil, false
		}
		v := b[4 : 4+n]
		b = b[4+n:]
		return v, true
	}
	typ, ok1 := next()
	e, ok2 := next()
	n, ok3 := next()
	if !ok1 || !ok2 || !ok3 || len(b) != 0 || string(typ) != "ssh-rsa" || len(e) == 0 || len(e) > 4 {
		return nil, false
	}
	ev := new(big.Int).SetBytes(e)
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(ev.Int64())}, true
}

// sshFingerprint is the MD5 fingerprint of the key's blob, as IAM shows it (hex pairs joined by
// colons).
func sshFingerprint(blob []byte) string {
	sum := md5.Sum(blob)
	parts := make([]string, len(sum))
	for i, c := range sum {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

// sshUser checks that the user exists and returns its name as created.
func (t txn) credUser(account, name string) (string, error) {
	u, err := t.user(account, name)
	if err != nil {
		return "", err
	}
	return u.UserName, nil
}

// UploadSSHPublicKey adds an SSH public key to a user, Active. Returns NoSuchEntity,
// InvalidPublicKey, UnrecognizedPublicKeyEncoding, DuplicateSSHPublicKey, LimitExceeded.
func (s *Service) UploadSSHPublicKey(ctx context.Context, account, user, body string) (*SSHPublicKey, error) {
	if err := checkName("UserName", user, 128); err != nil {
		return nil, err
	}
	if body == "" {
		return nil, missing("SSHPublicKeyBody")
	}
	if len(body) > 16384 {
		return nil, invalid("SSHPublicKeyBody", "", "Member must have length less than or equal to 16384")
	}
	blob, err := parseSSHPublicKey(body)
	if err != nil {
		return nil, err
	}
	rec := &sshKeyRecord{ID: newID("APKA", 17), Body: "ssh-rsa " + base64.StdEncoding.EncodeToString(blob),
		Fingerprint: sshFingerprint(blob), Status: "Active", Uploaded: s.Now()}
	var out *SSHPublicKey
	err = s.update(ctx, account, func(t txn) error {
		name, err := t.credUser(account, user)
		if err != nil {
			return err
		}
		have, err := sshKeys.List(t, account, fold(user)+sep, "", 0)
		if err != nil {
			return err
		}
		for _, k := range have {
			if k.Record.Fingerprint == rec.Fingerprint {
				return awserr.New(awserr.DuplicateSSHPublicKey, "The SSH public key is already associated with the user %s.", name)
			}
		}
		if len(have) >= sshKeysPerUser {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for SSHPublicKeysPerUser: %d", sshKeysPerUser)
		}
		out = rec.key(name, "SSH")
		return sshKeys.Insert(t, account, fold(user)+sep+rec.ID, rec)
	})
	return out, err
}

func (r *sshKeyRecord) key(user, encoding string) *SSHPublicKey {
	k := &SSHPublicKey{UserName: user, SSHPublicKeyID: r.ID, Fingerprint: r.Fingerprint, Body: r.Body, Status: r.Status, UploadDate: r.Uploaded}
	if encoding == "PEM" {
		blob, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.Body, "ssh-rsa "))
		if rk, ok := parseSSHRSABlob(blob); ok {
			if der, err := x509.MarshalPKIXPublicKey(rk); err == nil {
				k.Body = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
			}
		}
	}
	return k
}

func (t txn) sshKey(account, user, id string) (*sshKeyRecord, error) {
	rec, ok, err := sshKeys.Get(t, account, fold(user)+sep+id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.New(awserr.NoSuchEntity, "The Public Key with id %s cannot be found.", id)
	}
	return rec, nil
}

// GetSSHPublicKey returns a key in encoding SSH or PEM. Returns NoSuchEntity,
// UnrecognizedPublicKeyEncoding.
func (s *Service) GetSSHPublicKey(ctx context.Context, account, user, id, encoding string) (*SSHPublicKey, error) {
	if encoding != "SSH" && encoding != "PEM" {
		return nil, invalid("Encoding", encoding, "Member must satisfy enum value set: [SSH, PEM]")
	}
	var out *SSHPublicKey
	err := s.view(ctx, func(t txn) error {
		name, err := t.credUser(account, user)
		if err != nil {
			return err
		}
		rec, err := t.sshKey(account, user, id)
		if err != nil {
			return err
		}
		out = rec.key(name, encoding)
		return nil
	})
	return out, err
}

// ListSSHPublicKeys lists a user's keys (no bodies).
func (s *Service) ListSSHPublicKeys(ctx context.Context, account, user string, o ListOpts) (Page[SSHPublicKey], error) {
	var p Page[SSHPublicKey]
	err := s.view(ctx, func(t txn) error {
		name, err := t.credUser(account, user)
		if err != nil {
			return err
		}
		p, err = readPage(sshKeys.Range(t, account, fold(user)+sep), o, func(it store.Item) (SSHPublicKey, bool, error) {
			r, err := sshKeys.Decode(it.Body)
			if err != nil {
				return SSHPublicKey{}, false, err
			}
			return *r.key(name, "SSH"), true, nil
		})
		return err
	})
	return p, err
}

// UpdateSSHPublicKey sets a key's status. Returns NoSuchEntity.
func (s *Service) UpdateSSHPublicKey(ctx context.Context, account, user, id, status string) error {
	if status != "Active" && status != "Inactive" {
		return invalid("Status", status, "Member must satisfy enum value set: [Active, Inactive]")
	}
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.credUser(account, user); err != nil {
			return err
		}
		rec, err := t.sshKey(account, user, id)
		if err != nil {
			return err
		}
		rec.Status = status
		return sshKeys.Put(t, account, fold(user)+sep+id, rec)
	})
}

// DeleteSSHPublicKey deletes a key. Returns NoSuchEntity.
func (s *Service) DeleteSSHPublicKey(ctx context.Context, account, user, id string) error {
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.credUser(account, user); err != nil {
			return err
		}
		if _, err := t.sshKey(account, user, id); err != nil {
			return err
		}
		return sshKeys.Delete(t, account, fold(user)+sep+id)
	})
}

// ServiceSpecificCredential is a user's credential for one service. Password (ServicePassword,
// or ServiceCredentialSecret for Bedrock's API keys) is only set in the answer to Create and
// Reset: Rootward keeps no copy, since no service it serves accepts these credentials.
type ServiceSpecificCredential struct {
	UserName, ServiceName, ServiceSpecificCredentialID, ServiceUserName, ServiceCredentialAlias, Status string
	Password                                                                                            string
	CreateDate                                                                                          time.Time
	ExpirationDate                                                                                      *time.Time
}

type serviceCredRecord struct {
	ID       string     `json:"id"`
	Service  string     `json:"service"`
	UserName string     `json:"service_user,omitempty"`
	Alias    string     `json:"alias,omitempty"`
	Status   string     `json:"status"`
	Created  time.Time  `json:"created"`
	Expires  *time.Time `json:"expires,omitempty"`
}

var serviceCreds = store.Define(store.Kind[serviceCredRecord]{Name: "servicecred", Version: 1})

// credentialServices are the services IAM issues service-specific credentials for (IAM API
// Reference, CreateServiceSpecificCredential, ServiceName).
var credentialServices = map[string]bool{
	"codecommit.amazonaws.com": true, "cassandra.amazonaws.com": true, "bedrock.amazonaws.com": true,
}

// serviceCredsPerService is IAM's quota of credentials per user and service (IAM User Guide, "IAM
// and AWS STS quotas": service-specific credentials per user per service, 2).
const serviceCredsPerService = 2

func (r *serviceCredRecord) cred(user string) ServiceSpecificCredential {
	return ServiceSpecificCredential{UserName: user, ServiceName: r.Service, ServiceSpecificCredentialID: r.ID,
		ServiceUserName: r.UserName, ServiceCredentialAlias: r.Alias, Status: r.Status, CreateDate: r.Created, ExpirationDate: r.Expires}
}

// newServicePassword is a fresh random password (or Bedrock API key secret): 256 bits, base64.
func newServicePassword() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// CreateServiceSpecificCredential issues a credential for a user and service; ageDays (1–36600,
// 0 none) sets an expiry, which only Bedrock's API keys have. Returns NoSuchEntity,
// NotSupportedService, LimitExceeded.
func (s *Service) CreateServiceSpecificCredential(ctx context.Context, account, user, service string, ageDays int) (*ServiceSpecificCredential, error) {
	if err := checkName("UserName", user, 128); err != nil {
		return nil, err
	}
	if service == "" {
		return nil, missing("ServiceName")
	}
	if !credentialServices[service] {
		// AWS's text is not documented; Rootward's.
		return nil, awserr.New(awserr.NotSupportedService, "The service %s is not supported for service specific credentials.", service)
	}
	var out *ServiceSpecificCredential
	err := s.update(ctx, account, func(t txn) error {
		name, err := t.credUser(account, user)
		if err != nil {
			return err
		}
		have, err := serviceCreds.List(t, account, fold(user)+sep, "", 0)
		if err != nil {
			return err
		}
		n := 0
		for _, c := range have {
			if c.Record.Service == service {
				n++
			}
		}
		if n >= serviceCredsPerService {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", serviceCredsPerService)
		}
		now := s.Now()
		rec := &serviceCredRecord{ID: newID("ACCA", 17), Service: service, Status: "Active", Created: now}
		if service == "bedrock.amazonaws.com" {
			rec.Alias = name + "-at-" + account
		} else {
			// IAM's form: the user's name, "-at-", the account ID (IAM User Guide, "Use IAM with
			// CodeCommit: Git credentials").
			rec.UserName = name + "-at-" + account
		}
		if ageDays > 0 {
			exp := now.AddDate(0, 0, ageDays)
			rec.Expires = &exp
		}
		c := rec.cred(name)
		c.Password = newServicePassword()
		out = &c
		return serviceCreds.Insert(t, account, fold(user)+sep+rec.ID, rec)
	})
	return out, err
}

func (t txn) serviceCred(account, user, id string) (*serviceCredRecord, error) {
	rec, ok, err := serviceCreds.Get(t, account, fold(user)+sep+id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.New(awserr.NoSuchEntity, "No such credential %s exists", id)
	}
	return rec, nil
}

// ListServiceSpecificCredentials lists a user's credentials, of one service when service is set.
func (s *Service) ListServiceSpecificCredentials(ctx context.Context, account, user, service string, o ListOpts) (Page[ServiceSpecificCredential], error) {
	var p Page[ServiceSpecificCredential]
	err := s.view(ctx, func(t txn) error {
		name, err := t.credUser(account, user)
		if err != nil {
			return err
		}
		p, err = readPage(serviceCreds.Range(t, account, fold(user)+sep), o, func(it store.Item) (ServiceSpecificCredential, bool, error) {
			r, err := serviceCreds.Decode(it.Body)
			if err != nil {
				return ServiceSpecificCredential{}, false, err
			}
			return r.cred(name), service == "" || r.Service == service, nil
		})
		return err
	})
	return p, err
}

// ResetServiceSpecificCredential issues a new password for a credential. Returns NoSuchEntity.
func (s *Service) ResetServiceSpecificCredential(ctx context.Context, account, user, id string) (*ServiceSpecificCredential, error) {
	var out *ServiceSpecificCredential
	err := s.update(ctx, account, func(t txn) error {
		name, err := t.credUser(account, user)
		if err != nil {
			return err
		}
		rec, err := t.serviceCred(account, user, id)
		if err != nil {
			return err
		}
		c := rec.cred(name)
		c.Password = newServicePassword()
		out = &c
		return nil
	})
	return out, err
}

// UpdateServiceSpecificCredential sets a credential's status. Returns NoSuchEntity.
func (s *Service) UpdateServiceSpecificCredential(ctx context.Context, account, user, id, status string) error {
	if status != "Active" && status != "Inactive" {
		return invalid("Status", status, "Member must satisfy enum value set: [Active, Inactive]")
	}
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.credUser(account, user); err != nil {
			return err
		}
		rec, err := t.serviceCred(account, user, id)
		if err != nil {
			return err
		}
		rec.Status = status
		return serviceCreds.Put(t, account, fold(user)+sep+id, rec)
	})
}

// DeleteServiceSpecificCredential deletes a credential. Returns NoSuchEntity.
func (s *Service) DeleteServiceSpecificCredential(ctx context.Context, account, user, id string) error {
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.credUser(account, user); err != nil {
			return err
		}
		if _, err := t.serviceCred(account, user, id); err != nil {
			return err
		}
		return serviceCreds.Delete(t, account, fold(user)+sep+id)
	})
}

// moveUserCreds moves a renamed user's SSH keys and service-specific credentials to its new key.
func moveUserCreds(t txn, account, oldKey, newKey string) error {
	keys, err := sshKeys.List(t, account, oldKey+sep, "", 0)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := moveRecord(t, sshKeys, account, k.Key, newKey+sep+k.Record.ID); err != nil {
			return err
		}
	}
	creds, err := serviceCreds.List(t, account, oldKey+sep, "", 0)
	if err != nil {
		return err
	}
	for _, c := range creds {
		if err := moveRecord(t, serviceCreds, account, c.Key, newKey+sep+c.Record.ID); err != nil {
			return err
		}
	}
	return nil
}
