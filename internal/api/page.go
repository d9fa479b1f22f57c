package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"reflect"

	"github.com/rootward/rootward/internal/awserr"
)

// Pagination tokens (IAM's Marker, Organizations' NextToken) are opaque to clients and
// authenticated by the server. The services page as before and hand back their own position (the
// last key returned); the Runner sends the client that position under an HMAC that binds it to the
// service, the operation, the caller's account and every member of the input but the token and the
// page size, and answers the service's invalid-token error for a token it did not issue for that
// same call: a made-up token, one edited, one from another operation (a ListUsers Marker passed to
// ListAccessKeys), another account, or other filters (another PathPrefix, UserName or ParentId).
// The page size may change from page to page, as AWS allows.
//
// An input names its token member with the tag `page:"token"` and its page size with
// `page:"size"`; an output names its token member with `page:"token"` (in the struct or one it
// embeds).
//
// The MAC key is derived from the master key (seal.Sealer.Subkey), so every node of a deployment
// accepts the tokens of the others and a token outlives a restart. The position inside is not
// encrypted: it is the key of an item the caller has just been shown.

// PageTokenPurpose names the MAC key's derivation.
const PageTokenPurpose = "rootward pagination token v1"

// pageTagSize is the length of the MAC kept in a token: 128 bits.
const pageTagSize = 16

// pageScope is what a token of this call is bound to: service, operation, account and the other
// members of the input, each length-prefixed so that no two different scopes write the same bytes.
func pageScope(c *Call, in any) ([]byte, error) {
	var b []byte
	put := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	put(c.Service)
	put(c.Action)
	put(c.Account())
	// Every member counts, also those a restJson1 input binds to its path, query or headers
	// (json:"-" there): a token of one detector is not another's.
	members := map[string]any{}
	scopeMembers(reflect.ValueOf(in).Elem(), members)
	rest, err := json.Marshal(members)
	if err != nil {
		return nil, err
	}
	put(string(rest))
	return b, nil
}

func (r *Runner) pageMAC(scope []byte, position string) []byte {
	m := hmac.New(sha256.New, r.cfg.PageKey)
	m.Write(scope)
	m.Write([]byte(position))
	return m.Sum(nil)[:pageTagSize]
}

func (r *Runner) sealPosition(scope []byte, position string) string {
	tok := append(r.pageMAC(scope, position), position...)
	return base64.RawURLEncoding.EncodeToString(tok)
}

func (r *Runner) openToken(scope []byte, token string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < pageTagSize {
		return "", false
	}
	position := string(raw[pageTagSize:])
	return position, hmac.Equal(raw[:pageTagSize], r.pageMAC(scope, position))
}

// openPageToken checks the input's token, if any, and replaces it with the position it carries, so
// the operation sees the position its service issued. It returns the call's scope (nil for an input
// without a token member), for sealPageToken.
func (r *Runner) openPageToken(c *Call, in any) ([]byte, error) {
	v := reflect.ValueOf(in).Elem()
	tok, ok := pageField(v, "token")
	if !ok {
		return nil, nil
	}
	// The scope is the input without its token and page size.
	scoped := reflect.New(v.Type())
	scoped.Elem().Set(v)
	token := stringOf(tok)
	if f, _ := pageField(scoped.Elem(), "token"); f.IsValid() {
		f.Set(reflect.Zero(f.Type()))
	}
	if f, ok := pageField(scoped.Elem(), "size"); ok {
		f.Set(reflect.Zero(f.Type()))
	}
	scope, err := pageScope(c, scoped.Interface())
	if err != nil {
		return nil, err
	}
	if token == "" {
		return scope, nil
	}
	position, ok := r.openToken(scope, token)
	if !ok {
		if c.svc != nil && c.svc.InvalidPageToken != nil {
			return nil, c.svc.InvalidPageToken()
		}
		return nil, awserr.New(awserr.InvalidInput, "Invalid pagination token.")
	}
	setString(tok, position)
	return scope, nil
}

// sealPageToken replaces the position in an operation's output with the token for this call.
func (r *Runner) sealPageToken(scope []byte, out any) any {
	if scope == nil || out == nil {
		return out
	}
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return out
	}
	if f, ok := pageField(v.Elem(), "token"); ok && stringOf(f) != "" {
		setString(f, r.sealPosition(scope, stringOf(f)))
	}
	return out
}

// pageField finds the field tagged page:"role" in v or a struct it embeds.
func pageField(v reflect.Value, role string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("page") == role {
			return v.Field(i), true
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if fv, ok := pageField(v.Field(i), role); ok {
				return fv, true
			}
		}
	}
	return reflect.Value{}, false
}

func stringOf(f reflect.Value) string {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		return f.Elem().String()
	}
	return f.String()
}

func setString(f reflect.Value, s string) {
	if f.Kind() == reflect.Pointer {
		f.Set(reflect.ValueOf(&s))
		return
	}
	f.SetString(s)
}

// scopeMembers adds v's exported fields by Go name, those of embedded structs included.
func scopeMembers(v reflect.Value, out map[string]any) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			scopeMembers(v.Field(i), out)
			continue
		}
		if f.IsExported() {
			out[f.Name] = v.Field(i).Interface()
		}
	}
}
