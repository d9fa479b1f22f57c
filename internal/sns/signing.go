package sns

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SignatureVersion 1 is SHA1withRSA, as AWS defines it.
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Messages to HTTP/S and email-json endpoints are signed as the Amazon SNS Developer Guide,
// "Verifying the signatures of Amazon SNS messages", describes
// (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html): the
// signing string is the message's fields, each name and value on its own line, in the order the
// guide gives; SignatureVersion 1 signs it with SHA1withRSA, 2 with SHA256withRSA; the signature
// is base64 in Signature, and SigningCertURL names the X.509 certificate whose public key
// verifies it. Rootward serves that certificate itself (CertHandler). The signing key is RSA
// 2048, made once for the deployment and kept as a record with its private key sealed under the
// master key, so every node signs with the same key.

// signingKey is the loaded signing key.
type signingKey struct {
	id      string
	private *rsa.PrivateKey
	certPEM string
}

func keyAD(id string) string { return "sns-signing-key:" + id }

// certValidity is how long a signing certificate is valid.
const certValidity = 10 * 365 * 24 * time.Hour

// signer returns the deployment's signing key, making it on first use.
func (s *Service) signer(ctx context.Context) (*signingKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	for range 2 {
		k, err := s.loadKey(ctx)
		if err != nil || k != nil {
			s.key = k
			return k, err
		}
		if err := s.makeKey(ctx); err != nil && !errors.Is(err, store.ErrExists) {
			return nil, err
		}
		// Made here, or by another node at the same moment (ErrExists): read what won.
	}
	return nil, errors.New("sns: no signing key after making one")
}

// keyName is the record key of the deployment's one signing key record; the key's own ID (in its
// certificate's URL) is inside it.
const keyName = "current"

func (s *Service) loadKey(ctx context.Context) (*signingKey, error) {
	var r *signingKeyRecord
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		r, _, err = signingKeys.Get(tx, "", keyName)
		return err
	})
	if err != nil || r == nil {
		return nil, err
	}
	der, err := s.seal.Open(r.SealedKey, keyAD(r.ID))
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("sns: the signing key is not RSA")
	}
	return &signingKey{id: r.ID, private: rk, certPEM: r.CertPEM}, nil
}

func (s *Service) makeKey(ctx context.Context) error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Rootward SNS message signing", Organization: []string{"Rootward"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(certValidity),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(der)
	id := hex.EncodeToString(sum[:16])
	pk, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	r := &signingKeyRecord{ID: id, SealedKey: s.seal.Seal(pk, keyAD(id)), Created: now,
		CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
	return s.st.Update(ctx, func(tx store.Tx) error { return signingKeys.Insert(tx, "", keyName, r) })
}

// certPath is the path of a signing certificate under the public URL, in AWS's file name form
// (SimpleNotificationService-<id>.pem).
func certPath(id string) string { return "/sns/SimpleNotificationService-" + id + ".pem" }

// certPEM returns the PEM certificate of the key whose ID is id ("" when none).
func (s *Service) certPEM(ctx context.Context, id string) (string, error) {
	k, err := s.signer(ctx)
	if err != nil {
		return "", err
	}
	if k.id != id {
		return "", nil
	}
	return k.certPEM, nil
}

// message is an SNS message as HTTP/S and email-json endpoints receive it (Amazon SNS Developer
// Guide, "Parsing message formats"), its members in AWS's order.
type message struct {
	Type              string                        `json:"Type"`
	MessageID         string                        `json:"MessageId"`
	Token             string                        `json:"Token,omitempty"`
	TopicArn          string                        `json:"TopicArn"`
	Subject           string                        `json:"Subject,omitempty"`
	Message           string                        `json:"Message"`
	SubscribeURL      string                        `json:"SubscribeURL,omitempty"`
	Timestamp         string                        `json:"Timestamp"`
	SignatureVersion  string                        `json:"SignatureVersion"`
	Signature         string                        `json:"Signature"`
	SigningCertURL    string                        `json:"SigningCertURL"`
	UnsubscribeURL    string                        `json:"UnsubscribeURL,omitempty"`
	MessageAttributes map[string]messageAttributeJS `json:"MessageAttributes,omitempty"`
}

// messageAttributeJS is a message attribute in a JSON message: Type and Value (binary values in
// base64).
type messageAttributeJS struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// stringToSign is the guide's signing string: for a Notification, Message, MessageId, Subject
// (when the message has one), Timestamp, TopicArn and Type; for a SubscriptionConfirmation or
// UnsubscribeConfirmation, Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn and Type.
// Each is its name, a newline, its value, a newline.
func (m *message) stringToSign() string {
	var b strings.Builder
	add := func(name, value string) {
		b.WriteString(name)
		b.WriteByte('\n')
		b.WriteString(value)
		b.WriteByte('\n')
	}
	add("Message", m.Message)
	add("MessageId", m.MessageID)
	if m.Type == typeNotification {
		if m.Subject != "" {
			add("Subject", m.Subject)
		}
		add("Timestamp", m.Timestamp)
		add("TopicArn", m.TopicArn)
		add("Type", m.Type)
		return b.String()
	}
	add("SubscribeURL", m.SubscribeURL)
	add("Timestamp", m.Timestamp)
	add("Token", m.Token)
	add("TopicArn", m.TopicArn)
	add("Type", m.Type)
	return b.String()
}

// sign fills the message's signature members with k: SignatureVersion "2" signs with
// SHA256withRSA, anything else is version 1, SHA1withRSA.
func (s *Service) sign(k *signingKey, m *message, version string) error {
	data := []byte(m.stringToSign())
	var digest []byte
	var h crypto.Hash
	if version == "2" {
		sum := sha256.Sum256(data)
		digest, h = sum[:], crypto.SHA256
	} else {
		version = "1"
		sum := sha1.Sum(data) //nolint:gosec // AWS's SignatureVersion 1.
		digest, h = sum[:], crypto.SHA1
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.private, h, digest)
	if err != nil {
		return err
	}
	m.SignatureVersion, m.Signature = version, base64.StdEncoding.EncodeToString(sig)
	m.SigningCertURL = s.publicURL + certPath(k.id)
	return nil
}
