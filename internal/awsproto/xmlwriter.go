package awsproto

import (
	"bufio"
	"strconv"
	"time"
)

// ResultWriter is an awsQuery result that writes its own XML: the members encoding/xml would
// marshal for it inside the Result element, byte for byte, without reflection. The answers of the
// hottest operations (GetCallerIdentity, GetUser, ListUsers) implement it; each implementation's
// tests compare its bytes with encoding/xml's for the same value. A result is never a nil pointer
// (api.Op's run hands the encoders a nil interface for no result).
type ResultWriter interface {
	WriteResultXML(w *XMLWriter)
}

// XMLWriter writes XML elements as encoding/xml's Encoder writes them for struct fields: text
// escaped as xml.EscapeText escapes it, a time.Time as its MarshalText, a bool as "true" or
// "false". Its first error (a time MarshalText refuses) is kept and ends the answer.
type XMLWriter struct {
	bw  *bufio.Writer
	err error
	buf [64]byte
}

// Start writes <name>.
func (w *XMLWriter) Start(name string) {
	w.bw.WriteByte('<')
	w.bw.WriteString(name)
	w.bw.WriteByte('>')
}

// End writes </name>.
func (w *XMLWriter) End(name string) {
	w.bw.WriteString("</")
	w.bw.WriteString(name)
	w.bw.WriteByte('>')
}

// String writes <name>v</name>, v escaped.
func (w *XMLWriter) String(name, v string) {
	w.Start(name)
	escapeXML(w.bw, v)
	w.End(name)
}

// Bool writes <name>true</name> or <name>false</name>.
func (w *XMLWriter) Bool(name string, v bool) {
	w.Start(name)
	w.bw.Write(strconv.AppendBool(w.buf[:0], v))
	w.End(name)
}

// Time writes <name>t</name> in time.Time's MarshalText form (RFC 3339 with the nanoseconds it
// has), as encoding/xml writes a time.Time member.
func (w *XMLWriter) Time(name string, t time.Time) {
	b, err := t.AppendText(w.buf[:0])
	if err != nil {
		if w.err == nil {
			w.err = err
		}
		return
	}
	w.Start(name)
	w.bw.Write(b) // RFC 3339 holds nothing to escape
	w.End(name)
}

// AWSTime writes <name>t</name> in Time's form (ISO 8601 to the second).
func (w *XMLWriter) AWSTime(name string, t Time) {
	w.Start(name)
	w.bw.Write(time.Time(t).UTC().AppendFormat(w.buf[:0], "2006-01-02T15:04:05Z"))
	w.End(name)
}
