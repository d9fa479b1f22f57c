package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"reflect"
	"sort"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// Pagination tokens of the legacy awsQuery operations (IAM's Marker; the operations of
// internal/api have theirs sealed by the Runner, internal/api/page.go) are opaque to clients and
// authenticated by the server. The services page as before and hand the server their own position
// (the last key returned); the server sends the client that position under an HMAC that binds it
// to the service, the operation, the caller's account and every parameter of the request but the
// token and the page size, and answers the service's invalid-token error for a token it did not
// issue for that same call: a made-up token, one edited, one from another operation (a ListUsers
// Marker passed to ListAccessKeys), another account, or other filters (another PathPrefix,
// UserName or ParentId). The page size may change from page to page, as AWS allows.
//
// The MAC key is derived from the master key (seal.Sealer.Subkey), so every node of a deployment
// accepts the tokens of the others and a token outlives a restart. The position inside is not
// encrypted: it is the key of an item the caller has just been shown.

// pageTokenPurpose names the MAC key's derivation.

// pageTagSize is the length of the MAC kept in a token: 128 bits.
const pageTagSize = 16

// The parameters a token does not bind: the token itself and the page size.
var queryPageParams = map[string]bool{"Marker": true, "MaxItems": true}

// invalidPageToken is the answer to a Marker the server did not issue for this call. IAM documents
// no error for a bad Marker; it answers "Invalid Marker." (AWS's wording as reported by users, e.g.
// trek10inc/awsets#21, where a ListUsers Marker given to ListAccessKeys was refused), with the code
// InvalidInput, Rootward's choice: the exact code is not documented.
func (c *call) invalidPageToken() error {
	return awserr.New(awserr.InvalidInput, "Invalid Marker.")
}

// pageScope is what a token of this call is bound to: service, operation, account and the other
// parameters, each length-prefixed so that no two different scopes write the same bytes.
func (c *call) pageScope(params [][2]string) []byte {
	var b []byte
	put := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	put(c.Service)
	put(c.Action)
	put(c.Account())
	for _, p := range params {
		put(p[0])
		put(p[1])
	}
	return b
}

func (s *Server) pageMAC(scope []byte, position string) []byte {
	m := hmac.New(sha256.New, s.pageKey)
	m.Write(scope)
	m.Write([]byte(position))
	return m.Sum(nil)[:pageTagSize]
}

// sealPosition turns a service's position into the token sent to the client.
func (s *Server) sealPosition(scope []byte, position string) string {
	tok := append(s.pageMAC(scope, position), position...)
	return base64.RawURLEncoding.EncodeToString(tok)
}

// openToken returns the position inside a token issued for scope.
func (s *Server) openToken(scope []byte, token string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < pageTagSize {
		return "", false
	}
	position := string(raw[pageTagSize:])
	return position, hmac.Equal(raw[:pageTagSize], s.pageMAC(scope, position))
}

// checkPageSize checks the page size of every list operation, also of those that answer in one
// page and never read it: IAM's MaxItems is 1–1000 (IAM API reference, maxItemsType).
func (c *call) checkPageSize() error {
	if c.Service != "iam" {
		return nil
	}
	_, err := c.params.Int("MaxItems", 0, 1, 1000)
	return err
}

// scopeParams lists a request's parameters that a token binds, in a canonical order, and the
// token it carries.
func (c *call) scopeParams() (params [][2]string, token string) {
	for k, v := range c.params {
		switch {
		case k == "Marker":
			token = v
		case queryPageParams[k], k == "Action", k == "Version", strings.HasPrefix(k, "X-Amz-"):
		default:
			params = append(params, [2]string{k, v})
		}
	}
	sort.Slice(params, func(i, j int) bool { return params[i][0] < params[j][0] })
	return params, token
}

// openPageToken checks the request's token, if any, and replaces it with the position it carries,
// so the operation sees the position its service issued. It returns the call's scope, for
// sealPageToken.
func (s *Server) openPageToken(c *call) ([]byte, error) {
	if err := c.checkPageSize(); err != nil {
		return nil, err
	}
	params, token := c.scopeParams()
	scope := c.pageScope(params)
	if token == "" {
		return scope, nil
	}
	position, ok := s.openToken(scope, token)
	if !ok {
		return nil, c.invalidPageToken()
	}
	c.params["Marker"] = position
	return scope, nil
}

// sealPageToken replaces the position in an operation's result (the Marker member of the result
// struct, or of a struct it embeds) with the token for this call. Results are the
// operations' own structs; a result without the member is returned unchanged.
func (s *Server) sealPageToken(c *call, scope []byte, result any) any {
	v := reflect.ValueOf(result)
	if !v.IsValid() {
		return result
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return result
		}
		v = v.Elem()
	} else if v.Kind() == reflect.Struct {
		cp := reflect.New(v.Type()).Elem()
		cp.Set(v)
		v, result = cp, nil
	} else {
		return result
	}
	f := v.FieldByName("Marker")
	switch {
	case !f.IsValid() || !f.CanSet():
	case f.Kind() == reflect.String && f.String() != "":
		f.SetString(s.sealPosition(scope, f.String()))
	case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.String && !f.IsNil() && f.Elem().String() != "":
		tok := s.sealPosition(scope, f.Elem().String())
		f.Set(reflect.ValueOf(&tok))
	}
	if result == nil {
		return v.Interface()
	}
	return result
}
