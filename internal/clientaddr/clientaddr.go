// Package clientaddr finds the address of the client behind an HTTP request. By default it is the
// TCP peer: X-Forwarded-For is written by whoever sends the request, so trusting it would let any
// client pick the address its throttling counters, aws:SourceIp conditions and CloudTrail records
// see. Behind a reverse proxy the peer is the proxy; `serve --trusted-proxy CIDR` names the
// proxies, and only a request whose peer is one of them has its client taken from
// X-Forwarded-For: the right-most entry that is not itself a trusted proxy, the last hop a
// trusted proxy vouched for (entries to its left were written by the client and may be forged).
package clientaddr

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds client addresses; its zero value trusts no proxy.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a Resolver that trusts X-Forwarded-For from peers inside the given prefixes.
func New(trusted []netip.Prefix) *Resolver {
	out := make([]netip.Prefix, len(trusted))
	for i, p := range trusted {
		out[i] = p.Masked()
	}
	return &Resolver{trusted: out}
}

// ParsePrefixes parses CIDR ranges (or single addresses) as `--trusted-proxy` takes them: each
// value may be a comma-separated list.
func ParsePrefixes(values []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if !strings.Contains(f, "/") {
				a, err := netip.ParseAddr(f)
				if err != nil {
					return nil, fmt.Errorf("trusted proxy %q is not an address or CIDR range", f)
				}
				out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
				continue
			}
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an address or CIDR range", f)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	if r == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Addr returns the client address of req as text ("" when the peer address is unusable).
func (r *Resolver) Addr(req *http.Request) string {
	peer := peerAddr(req)
	a, err := netip.ParseAddr(peer)
	if err != nil || !r.isTrusted(a) {
		return peer
	}
	hops := forwarded(req)
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(hops[i])
		if err != nil {
			// A hop that is not an address cannot be vouched for: stop at the last good one.
			break
		}
		if !r.isTrusted(h) {
			return h.Unmap().String()
		}
		a = h
	}
	// Every hop was a trusted proxy (or none was given): the left-most one reached us.
	return a.Unmap().String()
}

// forwarded lists the X-Forwarded-For entries of every such header, left to right.
func forwarded(req *http.Request) []string {
	var out []string
	for _, v := range req.Header.Values("X-Forwarded-For") {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

func peerAddr(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}

type ctxKey struct{}

// With returns req with its client address (resolved by r) recorded in its context, for handlers
// further in (the console) to read with From.
func (r *Resolver) With(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), ctxKey{}, r.Addr(req)))
}

// Recorded reports whether With recorded req's client address, so that a handler mounted behind
// one that did (internal/httpmux) need not resolve it again.
func Recorded(req *http.Request) bool {
	_, ok := req.Context().Value(ctxKey{}).(string)
	return ok
}

// From returns the client address With recorded, or the TCP peer's when none was.
func From(req *http.Request) string {
	if a, ok := req.Context().Value(ctxKey{}).(string); ok {
		return a
	}
	return peerAddr(req)
}
