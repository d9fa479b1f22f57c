package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// jsonReaderCases are documents at the edges of JSON's grammar and of encoding/json's string
// decoding, with whether decodeJSON accepts them. They seed FuzzJSONReader too.
var jsonReaderCases = []struct {
	name string
	doc  string
	ok   bool
}{
	{"empty", ``, false},
	{"only whitespace", " \t\r\n", false},
	{"object", `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`, true},
	{"whitespace everywhere", " \r\n\t{ \"a\" :\n[ 1 , 2 ] , \"b\"\t: { } }\n ", true},
	{"empty array and object", `[[],{},[{}]]`, true},
	{"top-level scalar", `"x"`, true},
	{"top-level number", `-0.5e+10`, true},
	{"literals", `[true,false,null]`, true},
	{"literal prefix", `[tru]`, false},
	{"literal followed by letter", `truex`, false},
	{"literal in capitals", `True`, false},
	{"trailing value", `{} {}`, false},
	{"trailing garbage", `{}x`, false},
	{"trailing comma in array", `[1,]`, false},
	{"trailing comma in object", `{"a":1,}`, false},
	{"missing comma", `[1 2]`, false},
	{"missing colon", `{"a" 1}`, false},
	{"non-string key", `{1:2}`, false},
	{"unclosed array", `[1`, false},
	{"unclosed object", `{"a":1`, false},
	{"unclosed string", `"abc`, false},
	{"single quotes", `'a'`, false},
	{"duplicate key", `{"a":1,"a":2}`, false},
	{"duplicate key after unescaping", `{"a":1,"\u0061":2}`, false},
	{"same key in sibling objects", `[{"a":1},{"a":2}]`, true},
	{"number zero", `0`, true},
	{"number leading zero", `01`, false},
	{"number negative zero", `-0`, true},
	{"number minus alone", `-`, false},
	{"number plus sign", `+1`, false},
	{"number trailing dot", `1.`, false},
	{"number leading dot", `.5`, false},
	{"number exponent without digits", `1e`, false},
	{"number exponent sign without digits", `1e+`, false},
	{"number exponent capital", `1E-07`, true},
	{"number literal kept", `[1.50,1e3,-0.0,12345678901234567890123]`, true},
	{"number hex", `0x10`, false},
	{"escapes", `"\" \\ \/ \b \f \n \r \t"`, true},
	{"escape single quote", `"\'"`, false},
	{"escape unknown", `"\x41"`, false},
	{"escape at end", `"\`, false},
	{"unicode escape", `"\u0041\u00e9\u20AC"`, true},
	{"unicode escape short", `"\u004"`, false},
	{"unicode escape not hex", `"\u00g1"`, false},
	{"surrogate pair", `"\ud83d\ude00"`, true},
	{"lone high surrogate", `"\ud83d"`, true},
	{"lone low surrogate", `"\ude00"`, true},
	{"high surrogate then letter", `"\ud83dx"`, true},
	{"two high surrogates then pair", `"\ud83d\ud83d\ude00"`, true},
	{"high surrogate then bad escape", `"\ud83d\uZZZZ"`, false},
	{"high surrogate then non-surrogate escape", `"\ud83d\u0041"`, true},
	{"control character in string", "\"a\x01b\"", false},
	{"newline in string", "\"a\nb\"", false},
	{"tab in string", "\"a\tb\"", false},
	{"DEL in string", "\"a\x7fb\"", true},
	{"invalid UTF-8 in string", "\"a\xffb\xc3\"", true},
	{"encoded surrogate in string", "\"\xed\xa0\x80\"", true},
	{"invalid UTF-8 after escape", "\"\\n\xff\"", true},
	{"invalid UTF-8 in key", "{\"\xff\":1,\"\xfe\":2}", false}, // both keys are U+FFFD
	{"invalid UTF-8 outside string", "[\xff]", false},
	{"byte order mark", "\xef\xbb\xbf{}", false},
	{"U+2028 in string", "\"a\u2028b\"", true},
	{"nested to the bound", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), true},
	{"nested past the bound", strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2), false},
	{"scalar at the bound", strings.Repeat("[", maxDepth) + "1" + strings.Repeat("]", maxDepth), true},
	{"scalar past the bound", strings.Repeat("[", maxDepth+1) + "1" + strings.Repeat("]", maxDepth+1), false},
	{"policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, true},
}

func TestJSONReader(t *testing.T) {
	for _, tc := range jsonReaderCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeJSON(tc.doc)
			if (err == nil) != tc.ok {
				t.Errorf("decodeJSON(%q): got error %v, want accepted=%v", tc.doc, err, tc.ok)
			}
			checkJSONReader(t, tc.doc)
		})
	}
}

func TestJSONReaderValues(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"escapes", `"\" \\ \/ \b \f \n \r \t"`, "\" \\ / \b \f \n \r \t"},
		{"surrogate pair", `"\ud83d\ude00"`, "\U0001F600"},
		{"lone surrogate", `"\ud83dx"`, "\uFFFDx"},
		{"two high surrogates then pair", `"\ud83d\ud83d\ude00"`, "\uFFFD\U0001F600"},
		{"invalid UTF-8", "\"a\xffb\xed\xa0\x80\"", "a\uFFFDb\uFFFD\uFFFD\uFFFD"},
		{"number literal", `1.50E+3`, "1.50E+3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := decodeJSON(tc.doc)
			if err != nil {
				t.Fatalf("decodeJSON(%q): %v", tc.doc, err)
			}
			if v.s != tc.want {
				t.Errorf("decodeJSON(%q): got %q, want %q", tc.doc, v.s, tc.want)
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "arn:aws:s3:::b/*", `"arn:aws:s3:::b/*"`},
		{"HTML kept", "<a&b>", `"<a&b>"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"named controls", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other controls", "\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"DEL", "\x7f", "\"\x7f\""},
		{"line and paragraph separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"invalid UTF-8", "a\xffb\xc3", `"a\ufffdb\ufffd"`},
		{"multibyte", "é€😀", `"é€😀"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			appendJSONString(&b, tc.in)
			if b.String() != tc.want {
				t.Errorf("appendJSONString(%q): got %s, want %s", tc.in, b.String(), tc.want)
			}
			checkJSONString(t, tc.in)
		})
	}
}

// FuzzJSONReader holds decodeJSON and appendJSONString to encoding/json: the same documents
// accepted (except duplicate keys and nesting deeper than maxDepth, which only decodeJSON refuses),
// the same values with the same offsets as the token-stream reader decodeJSON replaced, and the
// same bytes as json.Encoder with SetEscapeHTML(false) for the document and every string in it. Run
// with go test ./internal/policy -fuzz=^FuzzJSONReader$
func FuzzJSONReader(f *testing.F) {
	for _, tc := range jsonReaderCases {
		f.Add(tc.doc)
	}
	for _, doc := range policyCorpusDocs(f) {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		checkJSONReader(t, doc)
		checkJSONString(t, doc)
	})
}

// BenchmarkDecodeJSON compares decodeJSON with the encoding/json token-stream reader it replaced,
// on each policy of the corpus in turn.
func BenchmarkDecodeJSON(b *testing.B) {
	docs := policyCorpusDocs(b)
	for _, bc := range []struct {
		name   string
		decode func(string) (jvalue, error)
	}{{"rootward", decodeJSON}, {"encoding-json-tokens", decodeJSONStd}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := bc.decode(docs[i%len(docs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// checkJSONReader compares decodeJSON(doc) with the oracles: json.Valid and decodeJSONStd.
func checkJSONReader(t *testing.T, doc string) {
	t.Helper()
	got, err := decodeJSON(doc)
	want, wantErr := decodeJSONStd(doc)
	valid := json.Valid([]byte(doc))
	switch {
	case err == nil && !valid:
		t.Fatalf("decodeJSON(%q) accepted what encoding/json refuses", doc)
	case err != nil && valid && !errors.Is(err, errDuplicateKey) && !errors.Is(err, errJSONDepth):
		t.Fatalf("decodeJSON(%q) refused what encoding/json accepts: %v", doc, err)
	case (err == nil) != (wantErr == nil):
		t.Fatalf("decodeJSON(%q): got error %v, encoding/json's token reader got %v", doc, err, wantErr)
	}
	if err != nil {
		return
	}
	if g, w := describeJValue(got), describeJValue(want); g != w {
		t.Fatalf("decodeJSON(%q):\n got %s\nwant %s", doc, g, w)
	}
	forEachJSONString(got, func(s string) { checkJSONString(t, s) })
}

// checkJSONString compares appendJSONString(s) with json.Encoder with SetEscapeHTML(false).
func checkJSONString(t *testing.T, s string) {
	t.Helper()
	var got, want bytes.Buffer
	appendJSONString(&got, s)
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	want.Truncate(want.Len() - 1) // Encode adds a newline
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("appendJSONString(%q): got %s, want %s", s, got.Bytes(), want.Bytes())
	}
}

// describeJValue renders v with its kinds, values and offsets, for comparing trees.
func describeJValue(v jvalue) string {
	var b strings.Builder
	var walk func(v jvalue)
	walk = func(v jvalue) {
		b.WriteString(strconv.Itoa(int(v.kind)) + "@" + strconv.FormatInt(v.start, 10) + "-" + strconv.FormatInt(v.end, 10))
		switch v.kind {
		case jArray:
			b.WriteString("[")
			for _, e := range v.arr {
				walk(e)
				b.WriteString(",")
			}
			b.WriteString("]")
		case jObject:
			b.WriteString("{")
			for _, m := range v.obj {
				b.WriteString(strconv.Quote(m.key) + ":")
				walk(m.val)
				b.WriteString(",")
			}
			b.WriteString("}")
		default:
			b.WriteString(strconv.Quote(v.s))
		}
	}
	walk(v)
	return b.String()
}

func forEachJSONString(v jvalue, fn func(string)) {
	switch v.kind {
	case jString:
		fn(v.s)
	case jArray:
		for _, e := range v.arr {
			forEachJSONString(e, fn)
		}
	case jObject:
		for _, m := range v.obj {
			fn(m.key)
			forEachJSONString(m.val, fn)
		}
	}
}

// policyCorpusDocs returns the corpus files of testdata and every policy in them.
func policyCorpusDocs(tb testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus files in testdata/: %v", err)
	}
	var docs []string
	var add func(raw json.RawMessage)
	add = func(raw json.RawMessage) {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			for _, r := range list {
				add(r)
			}
			return
		}
		docs = append(docs, string(raw))
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, string(data))
		var file struct {
			Policies map[string]json.RawMessage `json:"policies"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		for _, raw := range file.Policies {
			if raw[0] == '{' || raw[0] == '[' {
				add(raw)
			}
		}
	}
	return docs
}

// decodeJSONStd is the reader decodeJSON replaced, on encoding/json's token stream: the oracle of
// FuzzJSONReader for values and offsets.
func decodeJSONStd(doc string) (jvalue, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	v, err := readValueStd(dec, []byte(doc), 0)
	if err != nil {
		return jvalue{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jvalue{}, errJSONTrailing
	}
	return v, nil
}

func readValueStd(dec *json.Decoder, src []byte, depth int) (jvalue, error) {
	if depth > maxDepth {
		return jvalue{}, errJSONDepth
	}
	// InputOffset before Token points at the end of the previous token; skip separators and
	// whitespace to find where this value starts.
	start := dec.InputOffset()
	for start < int64(len(src)) && strings.IndexByte(" \t\r\n,:", src[start]) >= 0 {
		start++
	}
	tok, err := dec.Token()
	if err != nil {
		return jvalue{}, err
	}
	switch t := tok.(type) {
	case json.Delim:
		v := jvalue{kind: jArray, start: start}
		switch t {
		case '{':
			v.kind = jObject
		case '[':
		default:
			return jvalue{}, errJSONSyntax
		}
		for dec.More() {
			if v.kind == jObject {
				kt, err := dec.Token()
				if err != nil {
					return jvalue{}, err
				}
				key, ok := kt.(string)
				if !ok {
					return jvalue{}, errJSONSyntax
				}
				for _, m := range v.obj {
					if m.key == key {
						return jvalue{}, errDuplicateKey
					}
				}
				mv, err := readValueStd(dec, src, depth+1)
				if err != nil {
					return jvalue{}, err
				}
				v.obj = append(v.obj, jmember{key: key, val: mv})
				continue
			}
			ev, err := readValueStd(dec, src, depth+1)
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
	case string:
		return jvalue{kind: jString, s: t, start: start, end: dec.InputOffset()}, nil
	case json.Number:
		return jvalue{kind: jNumber, s: t.String(), start: start, end: dec.InputOffset()}, nil
	case bool:
		return jvalue{kind: jBool, s: strconv.FormatBool(t), start: start, end: dec.InputOffset()}, nil
	}
	return jvalue{kind: jNull, start: start, end: dec.InputOffset()}, nil
}

// Duplicate keys are found among many members too, past the scan of the first sixteen (the set
// takes over there), and an object of many distinct keys is read whole.
func TestJSONReaderManyKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 200000; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":0`)
	}
	doc := b.String() + "}"
	v, err := decodeJSON(doc)
	if err != nil || len(v.obj) != 200000 {
		t.Fatalf("decodeJSON of 200000 keys: %d members, err %v", len(v.obj), err)
	}
	for _, dup := range []int{3, 16, 17, 199999} {
		d := doc[:len(doc)-1] + `,"k` + strconv.Itoa(dup) + `":1}`
		if _, err := decodeJSON(d); err != errDuplicateKey {
			t.Errorf("key k%d twice: err = %v, want errDuplicateKey", dup, err)
		}
	}
}
