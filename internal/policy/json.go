package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
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

var errDuplicateKey = errors.New("duplicate key")

// maxDepth bounds nesting; no valid policy nests deeper than Statement/Condition/op/key/values.
const maxDepth = 32

// decodeJSON parses doc into a jvalue. It refuses trailing data and duplicate object keys.
func decodeJSON(doc string) (jvalue, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	v, err := readValue(dec, []byte(doc), 0)
	if err != nil {
		return jvalue{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jvalue{}, errors.New("trailing data after JSON value")
	}
	return v, nil
}

func readValue(dec *json.Decoder, src []byte, depth int) (jvalue, error) {
	if depth > maxDepth {
		return jvalue{}, errors.New("JSON nested too deeply")
	}
	// InputOffset before Token points at the end of the previous token; skip separators and
	// whitespace to find where this value starts.
	start := skipSep(src, dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return jvalue{}, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := jvalue{kind: jObject, start: start}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jvalue{}, err
				}
				key, ok := kt.(string)
				if !ok {
					return jvalue{}, errors.New("object key is not a string")
				}
				for _, m := range v.obj {
					if m.key == key {
						return jvalue{}, errDuplicateKey
					}
				}
				mv, err := readValue(dec, src, depth+1)
				if err != nil {
					return jvalue{}, err
				}
				v.obj = append(v.obj, jmember{key: key, val: mv})
			}
			if _, err := dec.Token(); err != nil {
				return jvalue{}, err
			}
			v.end = dec.InputOffset()
			return v, nil
		case '[':
			v := jvalue{kind: jArray, start: start}
			for dec.More() {
				ev, err := readValue(dec, src, depth+1)
				if err != nil {
					return jvalue{}, err
				}
				v.arr = append(v.arr, ev)
			}
			if _, err := dec.Token(); err != nil {
				return jvalue{}, err
			}
			v.end = dec.InputOffset()
			return v, nil
		}
		return jvalue{}, errors.New("unexpected delimiter")
	case string:
		return jvalue{kind: jString, s: t, start: start, end: dec.InputOffset()}, nil
	case json.Number:
		return jvalue{kind: jNumber, s: t.String(), start: start, end: dec.InputOffset()}, nil
	case bool:
		s := "false"
		if t {
			s = "true"
		}
		return jvalue{kind: jBool, s: s, start: start, end: dec.InputOffset()}, nil
	case nil:
		return jvalue{kind: jNull, start: start, end: dec.InputOffset()}, nil
	}
	return jvalue{}, errors.New("unexpected token")
}

func skipSep(src []byte, off int64) int64 {
	for off < int64(len(src)) {
		switch src[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
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
// ARNs and condition values survive a round trip byte for byte.
func appendJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // encoding a string cannot fail
	buf.Truncate(buf.Len() - 1) // Encode adds a newline
}
