package pattern

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
)

// ipRange is a CIDR block as AWS's matcher reads it: from the address given to that address with
// every host bit set ("10.0.0.5/24" is 10.0.0.5–10.0.0.255), in one address family.
type ipRange struct {
	v4     bool
	lo, hi [16]byte
}

// parseCIDR reads a cidr match's value, refusing it with AWS's reasons.
func parseCIDR(s string) (ipRange, error) {
	ip, bits, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(bits, "/") {
		return ipRange{}, fail("Malformed CIDR, one '/' required")
	}
	n, err := strconv.Atoi(bits)
	if err != nil {
		return ipRange{}, fail("Malformed CIDR, mask bits must be an integer")
	}
	if n < 0 {
		return ipRange{}, fail("Malformed CIDR, mask bits must not be negative")
	}
	addr, ok := parseIP(ip)
	if !ok {
		return ipRange{}, fail("Invalid IP address: " + ip)
	}
	r := ipRange{v4: addr.Is4()}
	width := 128
	if r.v4 {
		// AWS's compiler refuses a full-length mask: "IPv4 mask bits must be < 32".
		if n > 31 {
			return ipRange{}, fail("IPv4 mask bits must be < 32")
		}
		width = 32
	} else if n > 127 {
		return ipRange{}, fail("IPv6 mask bits must be < 128")
	}
	r.lo = addr.As16()
	r.hi = r.lo
	// Set the host bits of hi: the last width-n bits of the address.
	for bit := n; bit < width; bit++ {
		pos := 128 - width + bit
		r.hi[pos/8] |= 0x80 >> (pos % 8)
	}
	return r, nil
}

func (r ipRange) contains(a netip.Addr) bool {
	if a.Is4() != r.v4 {
		return false
	}
	b := a.As16()
	return bytes.Compare(b[:], r.lo[:]) >= 0 && bytes.Compare(b[:], r.hi[:]) <= 0
}

// parseIP reads an IPv4 or IPv6 address literal (no zone), an IPv4-mapped IPv6 address as IPv4.
func parseIP(s string) (netip.Addr, bool) {
	if !looksLikeIP(s) {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
