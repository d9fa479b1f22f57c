package policy

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jkind is the JSON type of a jvalue.
type jkind uint8

const (
	jString jkind = iota
	jNumber
	jBool
	jNull
	jArray
	jObject
)

// jvalue is a JSON value that keeps object members in document order, so that duplicate keys can
// be refused and statement positions reported. encoding/json's map decoding loses both.
type jvalue struct {
	kind  jkind
	s     string // string contents, number literal, or "true"/"false"
	arr   []jvalue
	obj   []jmember
	start int64 // byte offset of the value's first byte
	end   int64 // byte offset just past the value
}

type jmember struct {
	key string
	val jvalue
}

var (
	errJSONSyntax   = errors.New("invalid JSON")
	errDuplicateKey = errors.New("duplicate key")
	errJSONDepth    = errors.New("JSON nested too deeply")
	errJSONTrailing = errors.New("trailing data after JSON value")
)

// maxDepth bounds nesting; no valid policy nests deeper than Statement/Condition/op/key/values.
const maxDepth = 32

// decodeJSON parses doc, one JSON value (RFC 8259) with optional whitespace around it, into a
// jvalue. It refuses trailing data, duplicate object keys and nesting deeper than maxDepth.
//
// The policy engine does no I/O, so it reads JSON itself rather than through encoding/json (which
// brings in os and fmt). What it accepts and the values it produces are encoding/json's, which
// FuzzJSONReader checks: the same grammar, numbers kept as their literal text (json.Number),
// invalid UTF-8 and unpaired surrogate escapes in strings replaced by U+FFFD.
func decodeJSON(doc string) (jvalue, error) {
	r := jreader{src: doc}
	r.skipSpace()
	v, err := r.value(0)
	if err != nil {
		return jvalue{}, err
	}
	r.skipSpace()
	if r.pos != len(r.src) {
		return jvalue{}, errJSONTrailing
	}
	return v, nil
}

// jreader is a recursive-descent JSON reader over a document held in memory.
type jreader struct {
	src string
	pos int
}

// skipSpace skips JSON's four whitespace bytes.
func (r *jreader) skipSpace() {
	for r.pos < len(r.src) {
		switch r.src[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// value reads the value at r.pos, which is not whitespace; depth is the number of arrays and
// objects around it.
func (r *jreader) value(depth int) (jvalue, error) {
	if depth > maxDepth {
		return jvalue{}, errJSONDepth
	}
	if r.pos >= len(r.src) {
		return jvalue{}, errJSONSyntax
	}
	start := r.pos
	switch c := r.src[r.pos]; {
	case c == '{':
		return r.object(depth)
	case c == '[':
		return r.array(depth)
	case c == '"':
		s, err := r.str()
		if err != nil {
			return jvalue{}, err
		}
		return jvalue{kind: jString, s: s, start: int64(start), end: int64(r.pos)}, nil
	case c == '-' || ('0' <= c && c <= '9'):
		if err := r.number(); err != nil {
			return jvalue{}, err
		}
		return jvalue{kind: jNumber, s: r.src[start:r.pos], start: int64(start), end: int64(r.pos)}, nil
	case c == 't':
		return r.literal("true", jBool)
	case c == 'f':
		return r.literal("false", jBool)
	case c == 'n':
		return r.literal("null", jNull)
	}
	return jvalue{}, errJSONSyntax
}

// literal reads true, false or null. The byte after it is the caller's to check (a separator,
// a closing bracket, whitespace or the end), as for every value.
func (r *jreader) literal(word string, kind jkind) (jvalue, error) {
	start := r.pos
	if len(r.src)-start < len(word) || r.src[start:start+len(word)] != word {
		return jvalue{}, errJSONSyntax
	}
	r.pos += len(word)
	v := jvalue{kind: kind, start: int64(start), end: int64(r.pos)}
	if kind == jBool {
		v.s = word
	}
	return v, nil
}

func (r *jreader) object(depth int) (jvalue, error) {
	v := jvalue{kind: jObject, start: int64(r.pos)}
	var seen map[string]bool
	if r.open('}') {
		v.end = int64(r.pos)
		return v, nil
	}
	for {
		if r.pos >= len(r.src) || r.src[r.pos] != '"' {
			return jvalue{}, errJSONSyntax
		}
		key, err := r.str()
		if err != nil {
			return jvalue{}, err
		}
		// Policies' objects have a handful of members, checked by a scan; past that, a set keeps
		// an object of many thousand keys linear.
		if seen != nil {
			if seen[key] {
				return jvalue{}, errDuplicateKey
			}
			seen[key] = true
		} else {
			for i := range v.obj {
				if v.obj[i].key == key {
					return jvalue{}, errDuplicateKey
				}
			}
			if len(v.obj) == 16 {
				seen = make(map[string]bool, 64)
				for i := range v.obj {
					seen[v.obj[i].key] = true
				}
				seen[key] = true
			}
		}
		r.skipSpace()
		if r.pos >= len(r.src) || r.src[r.pos] != ':' {
			return jvalue{}, errJSONSyntax
		}
		r.pos++
		r.skipSpace()
		mv, err := r.value(depth + 1)
		if err != nil {
			return jvalue{}, err
		}
		v.obj = append(v.obj, jmember{key: key, val: mv})
		if done, err := r.separator('}'); err != nil {
			return jvalue{}, err
		} else if done {
			v.end = int64(r.pos)
			return v, nil
		}
	}
}

func (r *jreader) array(depth int) (jvalue, error) {
	v := jvalue{kind: jArray, start: int64(r.pos)}
	if r.open(']') {
		v.end = int64(r.pos)
		return v, nil
	}
	for {
		ev, err := r.value(depth + 1)
		if err != nil {
			return jvalue{}, err
		}
		v.arr = append(v.arr, ev)
		if done, err := r.separator(']'); err != nil {
			return jvalue{}, err
		} else if done {
			v.end = int64(r.pos)
			return v, nil
		}
	}
}

// open consumes the opening bracket at r.pos and the whitespace after it, and reports whether the
// matching bracket, closing, follows at once (an empty array or object), consuming it too.
func (r *jreader) open(closing byte) bool {
	r.pos++
	r.skipSpace()
	if r.pos < len(r.src) && r.src[r.pos] == closing {
		r.pos++
		return true
	}
	return false
}

// separator consumes what follows a member or an element: a comma and whitespace (another one
// follows), or the matching bracket, closing (done).
func (r *jreader) separator(closing byte) (done bool, err error) {
	r.skipSpace()
	if r.pos >= len(r.src) {
		return false, errJSONSyntax
	}
	switch r.src[r.pos] {
	case ',':
		r.pos++
		r.skipSpace()
		return false, nil
	case closing:
		r.pos++
		return true, nil
	}
	return false, errJSONSyntax
}

// number reads a number with JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *jreader) number() error {
	if r.src[r.pos] == '-' {
		r.pos++
	}
	switch {
	case r.pos < len(r.src) && r.src[r.pos] == '0':
		r.pos++
	case r.pos < len(r.src) && '1' <= r.src[r.pos] && r.src[r.pos] <= '9':
		r.digits()
	default:
		return errJSONSyntax
	}
	if r.pos < len(r.src) && r.src[r.pos] == '.' {
		r.pos++
		if r.digits() == 0 {
			return errJSONSyntax
		}
	}
	if r.pos < len(r.src) && (r.src[r.pos] == 'e' || r.src[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.src) && (r.src[r.pos] == '+' || r.src[r.pos] == '-') {
			r.pos++
		}
		if r.digits() == 0 {
			return errJSONSyntax
		}
	}
	return nil
}

// digits skips decimal digits and returns how many.
func (r *jreader) digits() int {
	start := r.pos
	for r.pos < len(r.src) && '0' <= r.src[r.pos] && r.src[r.pos] <= '9' {
		r.pos++
	}
	return r.pos - start
}

// str reads the string at r.pos (its opening quote) and returns its contents. A string without
// escapes or invalid UTF-8, as nearly all are, is copied out of the document as it is; the others
// are decoded as encoding/json's unquote does. Copied, not sliced: a compiled policy, which
// authz caches per principal, must not keep alive a document that white space (not counted
// against the size limits) can make as large as a request body.
func (r *jreader) str() (string, error) {
	r.pos++ // "
	start := r.pos
	for r.pos < len(r.src) {
		c := r.src[r.pos]
		switch {
		case c == '"':
			r.pos++
			return strings.Clone(r.src[start : r.pos-1]), nil
		case c == '\\' || c < ' ':
			return r.unquote(start)
		case c < utf8.RuneSelf:
			r.pos++
		default:
			rr, size := utf8.DecodeRuneInString(r.src[r.pos:])
			if rr == utf8.RuneError && size == 1 {
				return r.unquote(start)
			}
			r.pos += size
		}
	}
	return "", errJSONSyntax
}

// unquote continues reading a string whose contents began at start and are plain up to r.pos.
// Escapes are the eight of RFC 8259 section 7 (\" \\ \/ \b \f \n \r \t) and \uXXXX; a \uXXXX
// surrogate followed by its pair's \uXXXX is one character, and an unpaired surrogate becomes
// U+FFFD, as does each byte of invalid UTF-8 (encoding/json's unquoteBytes does both).
func (r *jreader) unquote(start int) (string, error) {
	b := make([]byte, 0, r.pos-start+16)
	b = append(b, r.src[start:r.pos]...)
	for r.pos < len(r.src) {
		c := r.src[r.pos]
		switch {
		case c == '"':
			r.pos++
			return string(b), nil
		case c < ' ':
			return "", errJSONSyntax
		case c == '\\':
			if r.pos+1 >= len(r.src) {
				return "", errJSONSyntax
			}
			switch e := r.src[r.pos+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := hex4(r.src[r.pos:])
				if rr < 0 {
					return "", errJSONSyntax
				}
				r.pos += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, hex4(r.src[r.pos:])); dec != utf8.RuneError {
						r.pos += 6
						b = utf8.AppendRune(b, dec)
						continue
					}
					rr = utf8.RuneError
				}
				b = utf8.AppendRune(b, rr)
				continue
			default:
				return "", errJSONSyntax
			}
			r.pos += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r.pos++
		default:
			rr, size := utf8.DecodeRuneInString(r.src[r.pos:])
			b = utf8.AppendRune(b, rr) // U+FFFD for a byte of invalid UTF-8
			r.pos += size
		}
	}
	return "", errJSONSyntax
}

// hex4 returns the code unit of the \uXXXX escape that s starts with, or -1 if s does not start
// with one.
func hex4(s string) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for i := 2; i < 6; i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// Position is a 1-based line and column in a policy document, as the IAM policy simulator reports
// statement positions (SimulatePrincipalPolicy's StartPosition/EndPosition).
type Position struct {
	Line   int
	Column int
}

// positionCounter converts increasing byte offsets to line/column positions in one pass over the
// document (statements are visited in order, so a policy of thousands stays linear).
type positionCounter struct {
	off       int64 // offset scanned so far
	line      int   // 0-based line at off
	lineStart int64 // offset of the first byte of that line
}

func (pc *positionCounter) at(src string, off int64) Position {
	if off > int64(len(src)) {
		off = int64(len(src))
	}
	if off < pc.off { // not increasing: start again
		*pc = positionCounter{}
	}
	for i := pc.off; i < off; i++ {
		if src[i] == '\n' {
			pc.line++
			pc.lineStart = i + 1
		}
	}
	pc.off = off
	return Position{Line: pc.line + 1, Column: int(off-pc.lineStart) + 1}
}

// appendJSONString appends s as a JSON string without HTML escaping, so that '<', '>' and '&' in
// ARNs and condition values survive a round trip byte for byte. The bytes are those of
// encoding/json's Encoder with SetEscapeHTML(false) (appendString in its encode.go): '"' and '\'
// escaped with a backslash, \b \f \n \r \t by name, other control characters as \u00XX, U+2028 and
// U+2029 as \u2028 and \u2029 (they end a line in JavaScript), and each byte of invalid UTF-8 as
// \ufffd. FuzzJSONReader holds the two equal.
func appendJSONString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	start := 0 // s[start:i] is still to be written as it is
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' {
				i++
				continue
			}
			buf.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				buf.WriteByte('\\')
				buf.WriteByte(c)
			case '\b':
				buf.WriteString(`\b`)
			case '\f':
				buf.WriteString(`\f`)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[c>>4])
				buf.WriteByte(hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf.WriteString(s[start:i])
			buf.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			buf.WriteString(s[start:i])
			buf.WriteString(`\u202`)
			buf.WriteByte(hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}
