package policy

import (
	"net/netip"
	"strings"
)

// IP address condition operators: IpAddress and NotIpAddress (Condition operators page, "IP address
// condition operators"). Policy values are IPv4 or IPv6 CIDR blocks (RFC 4632); a bare address
// means that single address. Prefixes are parsed once, at compile time; an IPv4-mapped IPv6 request
// address matches IPv4 blocks.

func compileIP(c *cond, values []string) string {
	c.prefix = make([]netip.Prefix, 0, len(values))
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
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		c.prefix = append(c.prefix, p.Masked())
	}
	return ""
}

// matchIP compares the request address, parsed (unmapped, zone dropped) by Context.Set.
func matchIP(c *cond, tv *typedValue) (match, ok bool) {
	if tv.has&hasIP == 0 {
		return false, false
	}
	a := tv.ip
	for _, p := range c.prefix {
		if p.Contains(a) {
			return true, true
		}
	}
	return false, true
}
