package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"sync"
)

// maxCachedKeys bounds the signing-key cache. Entries are added only after a signature verified,
// so only holders of a secret can fill it, but the region and service in a scope are the client's
// choice; the bound keeps a misbehaving client from growing it without end.
const maxCachedKeys = 4096

// scopeKey identifies a derived signing key apart from the secret, which is checked separately.
type scopeKey struct {
	accessKeyID, date, region, service string
}

// cachedKey is a derived signing key and the fingerprint of the secret it was derived from. The
// fingerprint, not the secret, is kept, so the cache holds no long-term secret; a derived key is
// only good for its one day, region and service.
type cachedKey struct {
	secretSum [sha256.Size]byte
	key       [sha256.Size]byte
}

// keyCache maps credential scopes to derived signing keys.
type keyCache struct {
	mu   sync.RWMutex
	keys map[scopeKey]cachedKey
}

// lookup returns the cached key for scope if it was derived from the secret whose fingerprint is
// secretSum. A rotated secret therefore never meets its predecessor's key.
func (c *keyCache) lookup(scope scopeKey, secretSum *[sha256.Size]byte) ([sha256.Size]byte, bool) {
	c.mu.RLock()
	e, ok := c.keys[scope]
	c.mu.RUnlock()
	// Neither fingerprint is chosen by the client, so an ordinary comparison leaks nothing useful;
	// hmac.Equal keeps the habit anyway.
	if !ok || !hmac.Equal(e.secretSum[:], secretSum[:]) {
		return [sha256.Size]byte{}, false
	}
	return e.key, true
}

// store remembers key for scope, replacing any entry derived from an older secret.
func (c *keyCache) store(scope scopeKey, secretSum *[sha256.Size]byte, key *[sha256.Size]byte) {
	// The scope strings point into the request's header; copies keep the request collectable.
	scope = scopeKey{
		accessKeyID: strings.Clone(scope.accessKeyID),
		date:        strings.Clone(scope.date),
		region:      strings.Clone(scope.region),
		service:     strings.Clone(scope.service),
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil {
		c.keys = make(map[scopeKey]cachedKey)
	}
	if _, ok := c.keys[scope]; !ok && len(c.keys) >= maxCachedKeys {
		for k := range c.keys { // map order is unspecified: this drops an arbitrary entry
			delete(c.keys, k)
			break
		}
	}
	c.keys[scope] = cachedKey{secretSum: *secretSum, key: *key}
}

// len reports how many keys are cached (for tests).
func (c *keyCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.keys)
}

// deriveSigningKey is the SigV4 key chain: HMAC("AWS4"+secret, date) → region → service →
// "aws4_request" (IAM User Guide, "Calculate the signature", step 1). It runs only on a cache miss,
// so it uses crypto/hmac plainly.
func deriveSigningKey(secret, date, region, service string) [sha256.Size]byte {
	k := hmacSum([]byte("AWS4"+secret), date)
	k = hmacSum(k[:], region)
	k = hmacSum(k[:], service)
	return hmacSum(k[:], scopeTerminator)
}

func hmacSum(key []byte, data string) [sha256.Size]byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	var out [sha256.Size]byte
	m.Sum(out[:0])
	return out
}

// signStringToSign computes HMAC-SHA256(key, string to sign) (RFC 2104) on the hot path without
// crypto/hmac's per-call allocations: the 32-byte key is shorter than SHA-256's 64-byte block, so
// it is zero-padded and XORed with ipad/opad, and both passes are one-shot sha256.Sum256 calls over
// pooled or stack memory. The string to sign is written straight after the inner pad.
func signStringToSign(ws *workspace, key *[sha256.Size]byte, a *Auth, canonicalHash *[sha256.Size]byte) [sha256.Size]byte {
	const blockSize = 64
	var pad [blockSize]byte
	copy(pad[:], key[:])
	b := ws.sts[:0]
	for _, k := range pad {
		b = append(b, k^0x36)
	}
	b = buildStringToSign(b, a, canonicalHash)
	inner := sha256.Sum256(b)
	clear(b[:blockSize]) // the padded key stays out of pooled memory
	ws.sts = b

	var outer [blockSize + sha256.Size]byte
	for i, k := range pad {
		outer[i] = k ^ 0x5c
	}
	copy(outer[blockSize:], inner[:])
	return sha256.Sum256(outer[:])
}
