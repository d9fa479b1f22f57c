package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// OAuth 2.0 grant types CreateToken accepts (IAM Identity Center OIDC API Reference, CreateToken).
const (
	GrantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	GrantRefreshToken = "refresh_token"
	// grantAuthorizationCode is registered by clients of the authorization code flow, which
	// Rootward does not serve (CreateToken answers UnsupportedGrantTypeException).
	grantAuthorizationCode = "authorization_code"
)

// Lifetimes. AWS documents a client registration of 90 days ("clientSecretExpiresAt") and a
// device authorization of 600 seconds polled every second (the values StartDeviceAuthorization
// answers); an access token lasts an hour when the client may refresh it and otherwise the
// portal session, whose default IAM Identity Center sets at 8 hours ("Set session duration" in
// the IAM Identity Center User Guide); a refresh token lives until that session ends.
const (
	clientLifetime  = 90 * 24 * time.Hour
	deviceLifetime  = 600 * time.Second
	deviceInterval  = 1
	slowDownStep    = 5 // seconds added to the interval by each slow_down (RFC 8628 section 3.5)
	accessLifetime  = time.Hour
	sessionLifetime = 8 * time.Hour
	// maxClientName and maxScopes bound RegisterClient's input (AWS documents no bounds; these
	// are Rootward's).
	maxClientName = 256
	maxScopes     = 25
)

// Store kinds (global: an OIDC client, device code or token is not an account's).
type clientRecord struct {
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	SecretHash string    `json:"secret"` // SHA-256 of the client secret, hex
	Scopes     []string  `json:"scopes,omitempty"`
	Grants     []string  `json:"grants,omitempty"`
	IssuedAt   time.Time `json:"issued"`
	ExpiresAt  time.Time `json:"expires"`
}

// Device authorization states.
const (
	devicePending  = "pending"
	deviceApproved = "approved"
	deviceDenied   = "denied"
	deviceSpent    = "spent"
)

type deviceRecord struct {
	ClientID  string    `json:"client"`
	UserCode  string    `json:"user_code"`
	StartURL  string    `json:"start_url"`
	ExpiresAt time.Time `json:"expires"`
	Interval  int       `json:"interval"`
	LastPoll  time.Time `json:"last_poll,omitzero"`
	State     string    `json:"state"`
	// The approving user, once approved.
	Account  string `json:"account,omitempty"`
	Instance string `json:"instance,omitempty"`
	StoreID  string `json:"store,omitempty"`
	UserID   string `json:"user,omitempty"`
	UserName string `json:"user_name,omitempty"`
	// SessionEnd is the end of the approving user's portal session.
	SessionEnd time.Time `json:"session_end,omitzero"`
}

// Token kinds.
const (
	tokenAccess  = "access"
	tokenRefresh = "refresh"
)

type tokenRecord struct {
	Kind      string    `json:"kind"`
	ClientID  string    `json:"client"`
	Instance  string    `json:"instance"`
	StoreID   string    `json:"store"`
	UserID    string    `json:"user"`
	UserName  string    `json:"user_name"`
	Account   string    `json:"account"` // the instance's account
	IssuedAt  time.Time `json:"issued"`
	ExpiresAt time.Time `json:"expires"`
	// SessionEnd bounds every token of the session that refreshing rotates.
	SessionEnd time.Time `json:"session_end"`
	// Session names the portal session the token belongs to, for Logout to end all its tokens.
	Session string `json:"session"`
}

var (
	clients = store.Define(store.Kind[clientRecord]{Name: "portal.client", Version: 1})
	devices = store.Define(store.Kind[deviceRecord]{Name: "portal.device", Version: 1, Indexes: []store.Index[deviceRecord]{
		{Name: "user_code", Unique: true, Values: func(_ string, r *deviceRecord) []string { return []string{r.UserCode} }},
	}})
	tokens = store.Define(store.Kind[tokenRecord]{Name: "portal.token", Version: 1, Indexes: []store.Index[tokenRecord]{
		{Name: "session", Values: func(_ string, r *tokenRecord) []string { return []string{r.Session} }},
	}})
)

// RegisteredClient is a registered client, as RegisterClient answers it (the secret only there).
type RegisteredClient struct {
	ClientID, ClientSecret string
	IssuedAt, ExpiresAt    time.Time
}

// RegisterClientInput is RegisterClient's request.
type RegisterClientInput struct {
	ClientName, ClientType string
	Scopes, GrantTypes     []string
	// RedirectURIs and IssuerURL belong to the authorization code flow and trusted token
	// issuers, which Rootward does not serve.
	RedirectURIs []string
	IssuerURL    string
}

func oidcErr(code awserr.Code, format string) *awserr.Error { return awserr.OIDCError(code, 0, format) }

// RegisterClient registers a public client. Returns InvalidRequestException (a type other than
// "public", a name out of bounds), InvalidClientMetadataException, InvalidScopeException.
func (s *Service) RegisterClient(ctx context.Context, in RegisterClientInput) (*RegisteredClient, error) {
	// The messages are Rootward's: AWS documents the shapes, not their descriptions.
	if in.ClientType != "public" {
		return nil, oidcErr(awserr.SSOInvalidRequest, "Invalid client type: only public clients are supported.")
	}
	if in.ClientName == "" || len(in.ClientName) > maxClientName || strings.ContainsFunc(in.ClientName, isControl) {
		return nil, oidcErr(awserr.SSOInvalidRequest, "Invalid client name.")
	}
	if len(in.RedirectURIs) > 0 || in.IssuerURL != "" {
		return nil, oidcErr(awserr.OIDCInvalidClientMetadata, "Redirect URIs and issuer URLs are not supported: register a device authorization client.")
	}
	if len(in.Scopes) > maxScopes {
		return nil, oidcErr(awserr.OIDCInvalidScope, "Too many scopes.")
	}
	for _, sc := range in.Scopes {
		if !validScope(sc) {
			return nil, oidcErr(awserr.OIDCInvalidScope, "Invalid scope: "+sanitize(sc))
		}
	}
	for _, g := range in.GrantTypes {
		if g != GrantDeviceCode && g != GrantRefreshToken && g != grantAuthorizationCode {
			return nil, oidcErr(awserr.OIDCInvalidClientMetadata, "Invalid grant type: "+sanitize(g))
		}
	}
	now := s.Now()
	c := &RegisteredClient{ClientID: newSecret("", 16), ClientSecret: newSecret("", 48), IssuedAt: now, ExpiresAt: now.Add(clientLifetime)}
	rec := &clientRecord{Name: in.ClientName, Type: in.ClientType, SecretHash: secretKey(c.ClientSecret),
		Scopes: in.Scopes, Grants: in.GrantTypes, IssuedAt: now, ExpiresAt: c.ExpiresAt}
	if err := s.update(ctx, func(t txn) error { return clients.Insert(t, "", c.ClientID, rec) }); err != nil {
		return nil, err
	}
	return c, nil
}

// validScope accepts the scopes AWS documents, "sso:account:access" and the like: a few
// printable characters without spaces.
func validScope(sc string) bool {
	return sc != "" && len(sc) <= 256 && !strings.ContainsFunc(sc, func(r rune) bool { return r <= ' ' || r > '~' })
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// sanitize bounds a client-supplied value quoted back in an error description.
func sanitize(v string) string {
	v = strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, v)
	if len(v) > 64 {
		v = v[:64] + "…"
	}
	return v
}

var errBadClient = oidcErr(awserr.OIDCInvalidClient, "Invalid client or client secret.")

// client checks a client ID and secret: the secret's digest against the stored one in constant
// time. Returns InvalidClientException for an unknown client, a wrong secret or an expired
// registration, all alike.
func (s *Service) client(t txn, id, secret string) (*clientRecord, error) {
	if id == "" || len(id) > 128 {
		return nil, errBadClient
	}
	c, ok, err := clients.Get(t, "", id)
	if err != nil {
		return nil, err
	}
	want := secretKey("\x00 no client")
	if ok {
		want = c.SecretHash
	}
	match := subtle.ConstantTimeCompare([]byte(secretKey(secret)), []byte(want)) == 1
	if !ok || !match || !s.Now().Before(c.ExpiresAt) {
		return nil, errBadClient
	}
	return c, nil
}

// DeviceAuthorization is StartDeviceAuthorization's answer.
type DeviceAuthorization struct {
	DeviceCode, UserCode                     string
	VerificationURI, VerificationURIComplete string
	ExpiresIn, Interval                      int
}

// StartDeviceAuthorization opens a device authorization for a registered client. startURL must be
// the portal's start URL. Returns InvalidClientException, InvalidRequestException.
func (s *Service) StartDeviceAuthorization(ctx context.Context, clientID, secret, startURL string) (*DeviceAuthorization, error) {
	var out *DeviceAuthorization
	err := s.update(ctx, func(t txn) error {
		c, err := s.client(t, clientID, secret)
		if err != nil {
			return err
		}
		if !slices.Contains(c.Grants, GrantDeviceCode) && len(c.Grants) > 0 {
			return oidcErr(awserr.OIDCUnauthorizedClient, "The client is not registered for the device code grant.")
		}
		if strings.TrimRight(startURL, "/") != s.StartURL() {
			// AWS's description for a start URL of another instance is not documented; Rootward's.
			return oidcErr(awserr.SSOInvalidRequest, "Invalid start URL.")
		}
		now := s.Now()
		rec := &deviceRecord{ClientID: clientID, StartURL: s.StartURL(), ExpiresAt: now.Add(deviceLifetime), Interval: deviceInterval, State: devicePending}
		code := newSecret("", 48)
		// A new user code until one is free: 20^8 codes make a clash among the live ones rare.
		for range 8 {
			rec.UserCode = newUserCode()
			if _, _, taken, err := devices.Lookup(t, "user_code", "", rec.UserCode); err != nil {
				return err
			} else if !taken {
				break
			}
		}
		if err := devices.Insert(t, "", secretKey(code), rec); err != nil {
			return err
		}
		out = &DeviceAuthorization{DeviceCode: code, UserCode: rec.UserCode, VerificationURI: s.DeviceURL(),
			VerificationURIComplete: s.DeviceURL() + "?user_code=" + rec.UserCode,
			ExpiresIn:               int(deviceLifetime / time.Second), Interval: deviceInterval}
		return nil
	})
	return out, err
}

// userCodeAlphabet has no vowels and no look-alikes (RFC 8628 section 6.1 suggests such a set):
// 20 letters, so a code of 8 holds 34 bits.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

func newUserCode() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("portal: no randomness: " + err.Error())
	}
	out := make([]byte, 0, 9)
	for i, v := range b {
		if i == 4 {
			out = append(out, '-')
		}
		// 256 is not a multiple of 20: the first 240 values map evenly, the rest are folded, a
		// bias of well under a bit that a 10-minute, rate-limited code does not feel.
		out = append(out, userCodeAlphabet[int(v)%len(userCodeAlphabet)])
	}
	return string(out)
}

// NormalizeUserCode folds what a person typed into a user code's form: upper case, the dash
// where it belongs, spaces dropped. It returns "" when the result cannot be a code.
func NormalizeUserCode(v string) string {
	v = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, v))
	if len(v) != 8 || strings.Trim(v, userCodeAlphabet) != "" {
		return ""
	}
	return v[:4] + "-" + v[4:]
}

// DeviceRequest is a pending device authorization as the verification page shows it.
type DeviceRequest struct {
	UserCode   string
	ClientName string
	ExpiresAt  time.Time
}

var errNoDevice = awserr.New(awserr.SSOInvalidRequest, "The code is not valid or has expired.")

// PendingDevice returns the pending device authorization of a user code, for the verification
// page to name its client. Returns InvalidRequestException when there is none (unknown,
// expired, or already answered).
func (s *Service) PendingDevice(ctx context.Context, userCode string) (*DeviceRequest, error) {
	code := NormalizeUserCode(userCode)
	if code == "" {
		return nil, errNoDevice
	}
	var out *DeviceRequest
	err := s.view(ctx, func(t txn) error {
		_, d, ok, err := devices.Lookup(t, "user_code", "", code)
		if err != nil {
			return err
		}
		if !ok || d.State != devicePending || !s.Now().Before(d.ExpiresAt) {
			return errNoDevice
		}
		c, ok, err := clients.Get(t, "", d.ClientID)
		if err != nil {
			return err
		}
		if !ok {
			return errNoDevice
		}
		out = &DeviceRequest{UserCode: code, ClientName: c.Name, ExpiresAt: d.ExpiresAt}
		return nil
	})
	return out, err
}

// AnswerDevice records a signed-in user's answer to a device authorization: approve or deny.
// sessionEnd is the end of the user's portal session, which the tokens issued for it will not
// outlive. Returns InvalidRequestException when the code is unknown, expired or answered.
func (s *Service) AnswerDevice(ctx context.Context, userCode string, u *User, approve bool, sessionEnd time.Time) error {
	code := NormalizeUserCode(userCode)
	if code == "" || u == nil {
		return errNoDevice
	}
	return s.update(ctx, func(t txn) error {
		key, d, ok, err := devices.Lookup(t, "user_code", "", code)
		if err != nil {
			return err
		}
		if !ok || d.State != devicePending || !s.Now().Before(d.ExpiresAt) {
			return errNoDevice
		}
		d.State = deviceDenied
		if approve {
			d.State, d.Account, d.Instance, d.StoreID, d.UserID, d.UserName, d.SessionEnd = deviceApproved, u.InstanceAccount, u.InstanceID, u.IdentityStoreID, u.UserID, u.UserName, sessionEnd
		}
		return devices.Put(t, "", key, d)
	})
}

// Token is CreateToken's answer. RefreshToken is empty when the client did not register the
// refresh_token grant.
type Token struct {
	AccessToken, RefreshToken string
	ExpiresIn                 int
	// User is the token's user, for the call's CloudTrail record.
	User *User
}

// CreateTokenInput is CreateToken's request.
type CreateTokenInput struct {
	ClientID, ClientSecret, GrantType string
	DeviceCode, RefreshToken, Code    string
	Scope                             []string
}

// CreateToken exchanges a device code or a refresh token for tokens. Returns
// InvalidClientException, UnsupportedGrantTypeException, UnauthorizedClientException,
// InvalidRequestException, InvalidGrantException, AuthorizationPendingException,
// SlowDownException, ExpiredTokenException, AccessDeniedException.
func (s *Service) CreateToken(ctx context.Context, in CreateTokenInput) (*Token, error) {
	var out *Token
	var pollErr error // an answer that still records the poll (slow_down's longer interval)
	err := s.update(ctx, func(t txn) error {
		c, err := s.client(t, in.ClientID, in.ClientSecret)
		if err != nil {
			return err
		}
		switch in.GrantType {
		case GrantDeviceCode:
			out, pollErr, err = s.deviceGrant(t, in.ClientID, c, in.DeviceCode)
		case GrantRefreshToken:
			out, err = s.refreshGrant(t, in.ClientID, c, in.RefreshToken)
		case grantAuthorizationCode:
			err = oidcErr(awserr.OIDCUnsupportedGrantType, "The authorization code grant is not supported.")
		default:
			err = oidcErr(awserr.OIDCUnsupportedGrantType, "Unsupported grant type: "+sanitize(in.GrantType))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if pollErr != nil {
		return nil, pollErr
	}
	return out, nil
}

func (s *Service) deviceGrant(t txn, clientID string, c *clientRecord, deviceCode string) (*Token, error, error) {
	if len(c.Grants) > 0 && !slices.Contains(c.Grants, GrantDeviceCode) {
		return nil, nil, oidcErr(awserr.OIDCUnauthorizedClient, "The client is not registered for the device code grant.")
	}
	if deviceCode == "" {
		return nil, nil, oidcErr(awserr.SSOInvalidRequest, "The device code is required.")
	}
	key := secretKey(deviceCode)
	d, ok, err := devices.Get(t, "", key)
	if err != nil {
		return nil, nil, err
	}
	// A device code of another client is as unknown as one never issued.
	if !ok || subtle.ConstantTimeCompare([]byte(d.ClientID), []byte(clientID)) != 1 || d.State == deviceSpent {
		return nil, nil, oidcErr(awserr.OIDCInvalidGrant, "Invalid device code provided.")
	}
	now := s.Now()
	if !now.Before(d.ExpiresAt) {
		if err := devices.Delete(t, "", key); err != nil {
			return nil, nil, err
		}
		return nil, nil, awserr.OIDCError(awserr.OIDCExpiredToken, 0, "Device code has expired.")
	}
	switch d.State {
	case deviceDenied:
		if err := devices.Delete(t, "", key); err != nil {
			return nil, nil, err
		}
		return nil, nil, awserr.OIDCError(awserr.OIDCAccessDenied, 0, "The user denied the authorization request.")
	case devicePending:
		if !d.LastPoll.IsZero() && now.Before(d.LastPoll.Add(time.Duration(d.Interval)*time.Second)) {
			d.Interval += slowDownStep
			d.LastPoll = now
			return nil, oidcErr(awserr.OIDCSlowDown, "Client is polling too fast."), devices.Put(t, "", key, d)
		}
		d.LastPoll = now
		return nil, oidcErr(awserr.OIDCAuthorizationPending, "Authorization is still pending."), devices.Put(t, "", key, d)
	}
	// Approved: the device code is spent at once, so a second exchange is refused.
	d.State = deviceSpent
	if err := devices.Put(t, "", key, d); err != nil {
		return nil, nil, err
	}
	u := &User{InstanceAccount: d.Account, InstanceID: d.Instance, IdentityStoreID: d.StoreID, UserID: d.UserID, UserName: d.UserName}
	tok, err := s.issue(t, clientID, c, u, d.SessionEnd, newSecret("", 16))
	return tok, nil, err
}

func (s *Service) refreshGrant(t txn, clientID string, c *clientRecord, refresh string) (*Token, error) {
	if !slices.Contains(c.Grants, GrantRefreshToken) {
		return nil, oidcErr(awserr.OIDCUnauthorizedClient, "The client is not registered for the refresh token grant.")
	}
	if refresh == "" {
		return nil, oidcErr(awserr.SSOInvalidRequest, "The refresh token is required.")
	}
	key := secretKey(refresh)
	r, ok, err := tokens.Get(t, "", key)
	if err != nil {
		return nil, err
	}
	if !ok || r.Kind != tokenRefresh || subtle.ConstantTimeCompare([]byte(r.ClientID), []byte(clientID)) != 1 {
		return nil, oidcErr(awserr.OIDCInvalidGrant, "Invalid refresh token provided.")
	}
	// Spent by its use: the answer carries its successor (rotation).
	if err := tokens.Delete(t, "", key); err != nil {
		return nil, err
	}
	if !s.Now().Before(r.ExpiresAt) {
		return nil, awserr.OIDCError(awserr.OIDCExpiredToken, 0, "Refresh token has expired.")
	}
	u := &User{InstanceAccount: r.Account, InstanceID: r.Instance, IdentityStoreID: r.StoreID, UserID: r.UserID, UserName: r.UserName}
	return s.issue(t, clientID, c, u, r.SessionEnd, r.Session)
}

// issue stores and returns an access token (and a refresh token when the client registered the
// grant) for u's session ending at sessionEnd.
func (s *Service) issue(t txn, clientID string, c *clientRecord, u *User, sessionEnd time.Time, session string) (*Token, error) {
	now := s.Now()
	if sessionEnd.IsZero() {
		sessionEnd = now.Add(sessionLifetime)
	}
	if !now.Before(sessionEnd) {
		return nil, awserr.OIDCError(awserr.OIDCExpiredToken, 0, "The session has expired.")
	}
	refreshable := slices.Contains(c.Grants, GrantRefreshToken)
	expires := sessionEnd
	if refreshable && now.Add(accessLifetime).Before(sessionEnd) {
		expires = now.Add(accessLifetime)
	}
	base := tokenRecord{ClientID: clientID, Instance: u.InstanceID, StoreID: u.IdentityStoreID, UserID: u.UserID, UserName: u.UserName,
		Account: u.InstanceAccount, IssuedAt: now, SessionEnd: sessionEnd, Session: session}
	tok := &Token{AccessToken: newSecret("aoa", 48), ExpiresIn: int(expires.Sub(now) / time.Second), User: u}
	access := base
	access.Kind, access.ExpiresAt = tokenAccess, expires
	if err := tokens.Insert(t, "", secretKey(tok.AccessToken), &access); err != nil {
		return nil, err
	}
	if refreshable {
		tok.RefreshToken = newSecret("aor", 48)
		refresh := base
		refresh.Kind, refresh.ExpiresAt = tokenRefresh, sessionEnd
		if err := tokens.Insert(t, "", secretKey(tok.RefreshToken), &refresh); err != nil {
			return nil, err
		}
	}
	return tok, nil
}

// errUnauthorized is the portal API's answer to a missing, unknown, expired or revoked access
// token (AWS's text: "Session token not found or invalid").
var errUnauthorized = &awserr.Error{Code: awserr.SSOUnauthorized, Message: "Session token not found or invalid", Status: http.StatusUnauthorized}

// tokenUser returns the user of a live access token. Returns UnauthorizedException.
func (s *Service) tokenUser(ctx context.Context, accessToken string) (*tokenRecord, error) {
	if accessToken == "" || len(accessToken) > 4096 {
		return nil, errUnauthorized
	}
	var r *tokenRecord
	err := s.view(ctx, func(t txn) error {
		rec, ok, err := tokens.Get(t, "", secretKey(accessToken))
		if err != nil {
			return err
		}
		if !ok || rec.Kind != tokenAccess || !s.Now().Before(rec.ExpiresAt) {
			return errUnauthorized
		}
		r = rec
		return nil
	})
	return r, err
}

// Logout ends the session of an access token: every access and refresh token issued in it.
// Returns UnauthorizedException.
func (s *Service) Logout(ctx context.Context, accessToken string) (*User, error) {
	r, err := s.tokenUser(ctx, accessToken)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(t txn) error {
		var keys []string
		src := tokens.IndexRange(t, "session", "", r.Session+"\x00")
		for after := ""; ; {
			page, err := src(after, 256)
			if err != nil {
				return err
			}
			for _, it := range page {
				keys = append(keys, store.EntryKey(it.Key))
				after = it.Key
			}
			if len(page) < 256 {
				break
			}
		}
		for _, k := range keys {
			if err := tokens.DeleteIfExists(t, "", k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.userOf(ctx, r)
}
