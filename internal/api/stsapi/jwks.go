package stsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/sts"
)

// The keys of OpenID Connect issuers, fetched over HTTPS by OpenID Connect Discovery 1.0: the
// document at ISSUER/.well-known/openid-configuration names the jwks_uri, whose JWKS holds the
// keys. As decided for Rootward (issue 14), the fetches use Go's default trust store, which honours
// SSL_CERT_FILE and SSL_CERT_DIR, and block no address: only administrators create providers.
// Keys are kept for an hour per issuer (and per client, so that tests with clients of their own
// never share them); a token naming a kid the kept set lacks fetches them again, at most once a
// minute per issuer.

const (
	keysFresh     = time.Hour
	keysRefetch   = time.Minute
	maxKeyDoc     = 1 << 20
	maxKeyEntries = 1024
)

// defaultWebClient is the client of a server given none.
var defaultWebClient = &http.Client{Timeout: 10 * time.Second}

type keysKey struct {
	client *http.Client
	issuer string
}

type keysEntry struct {
	keys    *sts.KeySet
	fetched time.Time
}

var keyCache = struct {
	sync.Mutex
	m map[keysKey]keysEntry
}{m: map[keysKey]keysEntry{}}

// issuerKeys returns the signing keys of issuer, for a token whose header names kid ("" for none).
// Returns sts.ErrIDPUnreachable when they cannot be fetched (the cause goes to the log).
func issuerKeys(c *api.Call, issuer, kid string) (*sts.KeySet, error) {
	client := c.WebIdentityClient
	if client == nil {
		client = defaultWebClient
	}
	k := keysKey{client, issuer}
	keyCache.Lock()
	e, ok := keyCache.m[k]
	keyCache.Unlock()
	age := c.Now.Sub(e.fetched)
	if ok && age < keysFresh && (kid == "" || e.keys.Has(kid) || age < keysRefetch) {
		return e.keys, nil
	}
	keys, err := fetchKeys(c.Ctx, client, issuer)
	if err != nil {
		c.Log.Warn("fetching an OpenID Connect issuer's keys", "request_id", c.RequestID, "issuer", issuer, "err", err)
		return nil, sts.ErrIDPUnreachable
	}
	keyCache.Lock()
	if len(keyCache.m) >= maxKeyEntries {
		clear(keyCache.m)
	}
	keyCache.m[k] = keysEntry{keys, c.Now}
	keyCache.Unlock()
	return keys, nil
}

func fetchKeys(ctx context.Context, client *http.Client, issuer string) (*sts.KeySet, error) {
	body, err := fetch(ctx, client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return nil, err
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &disc); err != nil {
		return nil, fmt.Errorf("discovery document: %w", err)
	}
	if strings.TrimSuffix(disc.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
		return nil, fmt.Errorf("discovery document names issuer %q", disc.Issuer)
	}
	if !strings.HasPrefix(disc.JWKSURI, "https://") {
		return nil, fmt.Errorf("jwks_uri %q is not https", disc.JWKSURI)
	}
	body, err = fetch(ctx, client, disc.JWKSURI)
	if err != nil {
		return nil, err
	}
	return sts.ParseJWKS(body)
}

func fetch(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxKeyDoc))
}
