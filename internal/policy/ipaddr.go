package policy

import (
	"encoding/binary"
	"net/netip"
	"strings"
)

// IP address condition operators: IpAddress and NotIpAddress (Condition operators page, "IP address
// condition operators"). Policy values are IPv4 or IPv6 CIDR blocks (RFC 4632); a bare address
// means that single address. Prefixes are parsed once, at compile time; an IPv4-mapped IPv6 request
// address matches IPv4 blocks.
//
// Both sides are kept as 128-bit integers (ipBits, ipPrefix), so that a test is two masked
// compares with no call: netip.Prefix.Contains, which checks zones and families and is not inlined,
// was a fifth of the cost of a statement with an IpAddress condition.

// ipBits is an address in its 16-byte form (IPv4 as ::ffff:a.b.c.d) as two big-endian words, and
// whether it is IPv4, since an IPv4 address never matches an IPv6 block nor the reverse
// (netip.Prefix.Contains).
type ipBits struct {
	hi, lo uint64
	v4     bool
}

func addrBits(a netip.Addr) ipBits {
	b := a.As16()
	return ipBits{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:]), v4: a.Is4()}
}

// ipPrefix is a block: the masked address and the mask, in the 16-byte form.
type ipPrefix struct {
	addr     ipBits
	mhi, mlo uint64
}

func prefixBits(p netip.Prefix) ipPrefix {
	if !p.IsValid() {
		return ipPrefix{addr: ipBits{hi: 1}} // a.hi&0 is never 1: contains nothing
	}
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	var mhi, mlo uint64
	switch {
	case bits >= 128:
		mhi, mlo = ^uint64(0), ^uint64(0)
	case bits > 64:
		mhi, mlo = ^uint64(0), ^uint64(0)<<(128-bits)
	case bits > 0:
		mhi = ^uint64(0) << (64 - bits)
	}
	return ipPrefix{addr: addrBits(p.Masked().Addr()), mhi: mhi, mlo: mlo}
}

func (p *ipPrefix) contains(a *ipBits) bool {
	return a.v4 == p.addr.v4 && a.hi&p.mhi == p.addr.hi && a.lo&p.mlo == p.addr.lo
}

func compileIP(c *cond, values []string) string {
	c.prefix = make([]ipPrefix, 0, len(values))
	for _, v := range values {
		var p netip.Prefix
		var err error
		if strings.Contains(v, "/") {
			p, err = netip.ParsePrefix(v)
		} else {
			var a netip.Addr
			a, err = netip.ParseAddr(v)
			if err == nil {
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil {
			return "Invalid Condition value for " + opName(c) + ": " + quote(v)
		}
		// An IPv4-mapped block (::ffff:10.0.0.0/104) is the IPv4 block it maps; a shorter one
		// (::ffff:0:0/80 masks to ::/80) is an IPv6 block.
		if p = p.Masked(); p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		c.prefix = append(c.prefix, prefixBits(p))
	}
	return ""
}

// matchIP compares the request address, parsed (unmapped, zone dropped) by Context.Set.
func matchIP(c *cond, tv *typedValue) (match, ok bool) {
	if tv.has&hasIP == 0 {
		return false, false
	}
	for k := range c.prefix {
		if c.prefix[k].contains(&tv.ip) {
			return true, true
		}
	}
	return false, true
}
