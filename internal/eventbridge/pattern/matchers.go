package pattern

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// op is a matcher's operator.
type op uint8

const (
	opExact               op = iota // a string value
	opIP                            // a string value that is an IP address: the same address in any notation
	opExactNumber                   // a number value: the same number, or the same text
	opLiteral                       // true, false or null
	opPrefix                        // {"prefix": s}
	opPrefixFold                    // {"prefix": {"equals-ignore-case": s}}
	opSuffix                        // {"suffix": s}
	opSuffixFold                    // {"suffix": {"equals-ignore-case": s}}
	opEqualsFold                    // {"equals-ignore-case": s}
	opWildcard                      // {"wildcard": s}
	opNumeric                       // {"numeric": [">", a, "<=", b]}
	opNumberEquals                  // {"numeric": ["=", n]}
	opCIDR                          // {"cidr": "10.0.0.0/24"}
	opExists                        // {"exists": true|false}
	opAnythingBut                   // {"anything-but": s | [s...]}
	opAnythingButNumber             // {"anything-but": n | [n...]}
	opAnythingButPrefix             // {"anything-but": {"prefix": s}}
	opAnythingButSuffix             // {"anything-but": {"suffix": s}}
	opAnythingButFold               // {"anything-but": {"equals-ignore-case": s | [s...]}}
	opAnythingButWildcard           // {"anything-but": {"wildcard": s | [s...]}}
)

// matcher is one value or match expression of a leaf key.
type matcher struct {
	op      op
	kind    kind    // opLiteral
	s       string  // the string of exact, prefix, suffix and equals-ignore-case matches
	numeric bool    // opExactNumber: lo holds the number's value
	lo, hi  float64 // numeric bounds (opNumberEquals and opExactNumber: lo)
	loOpen  bool
	hiOpen  bool
	set     []string
	nums    []float64
	wild    []wildcard
	addr    netip.Addr // opIP
	cidr    ipRange    // opCIDR
	exists  bool
}

// match decides the matcher against one leaf value. exists is decided by matchLeaf.
func (m *matcher) match(v scalar) bool {
	switch m.op {
	case opExact:
		return v.kind == kindString && v.s == m.s
	case opIP:
		if v.kind != kindString {
			return false
		}
		if v.s == m.s {
			return true
		}
		a, ok := parseIP(v.s)
		return ok && a == m.addr
	case opExactNumber:
		return v.kind == kindNumber && (v.s == m.s || m.numeric && v.numeric && v.f == m.lo)
	case opLiteral:
		return v.kind == m.kind
	case opPrefix:
		return v.kind == kindString && strings.HasPrefix(v.s, m.s)
	case opPrefixFold:
		return v.kind == kindString && hasPrefixFold(v.s, m.s)
	case opSuffix:
		return v.kind == kindString && strings.HasSuffix(v.s, m.s)
	case opSuffixFold:
		return v.kind == kindString && hasSuffixFold(v.s, m.s)
	case opEqualsFold:
		return v.kind == kindString && strings.EqualFold(v.s, m.s)
	case opWildcard:
		return v.kind == kindString && m.wild[0].matches(v.s)
	case opNumeric:
		return v.kind == kindNumber && v.numeric && m.inRange(v.f)
	case opNumberEquals:
		return v.kind == kindNumber && v.numeric && v.f == m.lo
	case opCIDR:
		if v.kind != kindString {
			return false
		}
		a, ok := parseIP(v.s)
		return ok && m.cidr.contains(a)
	case opAnythingBut:
		return v.kind != kindString || !contains(m.set, v.s)
	case opAnythingButNumber:
		if v.kind != kindNumber || !v.numeric {
			return true
		}
		for _, n := range m.nums {
			if n == v.f {
				return false
			}
		}
		return true
	case opAnythingButPrefix:
		return v.kind != kindString || !strings.HasPrefix(v.s, m.s)
	case opAnythingButSuffix:
		return v.kind != kindString || !strings.HasSuffix(v.s, m.s)
	case opAnythingButFold:
		if v.kind != kindString {
			return true
		}
		for _, s := range m.set {
			if strings.EqualFold(v.s, s) {
				return false
			}
		}
		return true
	case opAnythingButWildcard:
		if v.kind != kindString {
			return true
		}
		for _, w := range m.wild {
			if w.matches(v.s) {
				return false
			}
		}
		return true
	}
	return false
}

func (m *matcher) inRange(f float64) bool {
	if f < m.lo || m.loOpen && f == m.lo {
		return false
	}
	if f > m.hi || m.hiOpen && f == m.hi {
		return false
	}
	return true
}

func contains(set []string, s string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s starts with prefix regardless of case: its first runes, as many
// as prefix has, equal prefix under Unicode simple case folding (which maps rune to rune).
func hasPrefixFold(s, prefix string) bool {
	n := utf8.RuneCountInString(prefix)
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return n == 0 && strings.EqualFold(s[:i], prefix)
}

// hasSuffixFold is hasPrefixFold at the end of s.
func hasSuffixFold(s, suffix string) bool {
	n := utf8.RuneCountInString(suffix)
	i := len(s)
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return n == 0 && strings.EqualFold(s[i:], suffix)
}

// wildcard is a compiled wildcard pattern: the literal parts between its '*'s.
type wildcard struct {
	parts []string
	// leading and trailing say whether the pattern starts and ends with '*'.
	leading, trailing bool
}

// compileWildcard compiles a wildcard pattern: '*' matches any run of characters, "\*" is a
// literal '*' and "\\" a literal '\'. Refused as AWS refuses them: two '*' in a row, and any other
// backslash ("Content filtering", "Wildcard matching").
func compileWildcard(s string) (wildcard, error) {
	var w wildcard
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return w, fail("Consecutive wildcard characters at pos " + strconv.Itoa(i))
			}
			if i == 0 {
				w.leading = true
			} else {
				w.parts = append(w.parts, cur.String())
				cur.Reset()
			}
			if i == len(s)-1 {
				w.trailing = true
			}
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				cur.WriteByte(s[i+1])
				i++
				continue
			}
			return w, fail("Invalid escape character at pos " + strconv.Itoa(i))
		default:
			cur.WriteByte(c)
		}
	}
	if !w.trailing {
		w.parts = append(w.parts, cur.String())
	}
	return w, nil
}

// matches reports whether s matches the pattern. Without '?' or character classes, taking each
// middle part at its leftmost place after the one before is exact.
func (w wildcard) matches(s string) bool {
	parts := w.parts
	if !w.leading {
		if len(parts) == 0 || !strings.HasPrefix(s, parts[0]) {
			return len(parts) == 0 && s == ""
		}
		s, parts = s[len(parts[0]):], parts[1:]
		if len(parts) == 0 {
			return w.trailing || s == ""
		}
	}
	if !w.trailing {
		if len(parts) == 0 {
			return true
		}
		last := parts[len(parts)-1]
		if !strings.HasSuffix(s, last) {
			return false
		}
		s, parts = s[:len(s)-len(last)], parts[:len(parts)-1]
	}
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}
