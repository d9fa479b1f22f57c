// Package seal encrypts secrets at rest — access-key secrets, MFA seeds — with AES-256-GCM under a
// master key that lives outside the database (a file, or an environment variable). Each sealed value
// is bound to its purpose and owner through the GCM additional data, so a ciphertext copied from one
// row to another does not open.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// KeySize is the master key length: AES-256.
const KeySize = 32

// ErrOpen is returned when a sealed value does not authenticate: wrong master key, wrong additional
// data, or a tampered ciphertext.
var ErrOpen = errors.New("seal: message authentication failed")

// Sealer seals and opens values under one master key. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
	key  []byte // the master key, for Subkey
}

// New returns a Sealer for a 32-byte master key.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: master key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return &Sealer{aead: aead, key: append([]byte(nil), key...)}, nil
}

// Subkey derives a 32-byte key for one purpose from the master key with HKDF-SHA256 (RFC 5869), so
// that a feature needing a key of its own (a MAC over values handed to clients, say) never uses
// the master key itself, and keys of different purposes are independent. Every node sharing the
// master key derives the same subkey.
func (s *Sealer) Subkey(purpose string) []byte {
	k, err := hkdf.Key(sha256.New, s.key, nil, purpose, KeySize)
	if err != nil {
		// hkdf.Key fails only for an output longer than 255 hash lengths.
		panic(err)
	}
	return k
}

// Seal encrypts plaintext bound to ad and returns nonce‖ciphertext.
func (s *Sealer) Seal(plaintext []byte, ad string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+ panics itself instead).
		panic(err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, []byte(ad))
}

// Open decrypts a value made by Seal with the same ad.
func (s *Sealer) Open(sealed []byte, ad string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrOpen
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(ad))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// LoadKeyFile reads a master key file holding the key base64-encoded (standard encoding, trailing
// newline allowed). It refuses a file that group or others can read, as ssh does for private keys.
func LoadKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key file %s has mode %#o: it must be readable by its owner only (chmod 600)", path, fi.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return DecodeKey(string(raw))
}

// DecodeKey decodes a base64 master key, as kept in the key file or ROOTWARD_MASTER_KEY.
func DecodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("master key must be %d bytes encoded in base64", KeySize)
	}
	return key, nil
}

// CreateKeyFile makes a new random master key and writes it to path with mode 0600. It fails if
// the file exists, so an existing key is never overwritten.
func CreateKeyFile(path string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return key, nil
}

// LoadOrCreateKeyFile loads the key at path, creating it first if it does not exist.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	key, err := LoadKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return CreateKeyFile(path)
	}
	return key, err
}
