package trail

import (
	"encoding/json"
	"errors"
	"slices"
	"time"
	"unicode/utf8"
)

// The recorder encodes each event with appendEvent rather than json.Marshal: the same bytes
// (encode_test.go compares the two on every field, escape and omission), written without
// reflection into a reused buffer, and the offset of the eventID's value known without searching
// for it. encoding/json still encodes the free-form maps (requestParameters, responseElements,
// additionalEventData, serviceEventDetails) when they hold anything.
//
// Keep it in step with Event and its parts: a field added to them must be added here, or
// TestAppendEventMatchesJSON fails.

// appendEvent appends e encoded as json.Marshal encodes it, and returns where in dst the value of
// eventID (its text, inside the quotes) begins.
func appendEvent(dst []byte, e *Event) (out []byte, idAt int, err error) {
	if y := e.EventTime.Year(); y < 0 || y >= 10000 {
		// As time.Time.MarshalJSON refuses it.
		return dst, 0, errors.New("Time.MarshalJSON: year outside of range [0,9999]")
	}
	dst = append(dst, `{"eventVersion":`...)
	dst = appendString(dst, e.EventVersion)
	dst = append(dst, `,"userIdentity":`...)
	dst = appendUserIdentity(dst, &e.UserIdentity)
	dst = append(dst, `,"eventTime":"`...)
	dst = e.EventTime.AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","eventSource":`...)
	dst = appendString(dst, e.EventSource)
	dst = append(dst, `,"eventName":`...)
	dst = appendString(dst, e.EventName)
	dst = append(dst, `,"awsRegion":`...)
	dst = appendString(dst, e.AWSRegion)
	dst = appendOmit(dst, `,"sourceIPAddress":`, e.SourceIPAddress)
	dst = appendOmit(dst, `,"userAgent":`, e.UserAgent)
	dst = appendOmit(dst, `,"errorCode":`, e.ErrorCode)
	dst = appendOmit(dst, `,"errorMessage":`, e.ErrorMessage)
	dst = append(dst, `,"requestParameters":`...)
	if dst, err = appendMap(dst, e.RequestParameters); err != nil {
		return dst, 0, err
	}
	dst = append(dst, `,"responseElements":`...)
	if dst, err = appendMap(dst, e.ResponseElements); err != nil {
		return dst, 0, err
	}
	if len(e.AdditionalEventData) > 0 {
		dst = append(dst, `,"additionalEventData":`...)
		if dst, err = appendMap(dst, e.AdditionalEventData); err != nil {
			return dst, 0, err
		}
	}
	if len(e.ServiceEventDetails) > 0 {
		dst = append(dst, `,"serviceEventDetails":`...)
		if dst, err = appendMap(dst, e.ServiceEventDetails); err != nil {
			return dst, 0, err
		}
	}
	dst = appendOmit(dst, `,"requestID":`, e.RequestID)
	dst = append(dst, `,"eventID":`...)
	idAt = len(dst) + 1
	dst = appendString(dst, e.EventID)
	if e.ReadOnly != nil {
		dst = append(dst, `,"readOnly":`...)
		dst = appendBool(dst, *e.ReadOnly)
	}
	dst = append(dst, `,"eventType":`...)
	dst = appendString(dst, e.EventType)
	dst = append(dst, `,"managementEvent":`...)
	dst = appendBool(dst, e.ManagementEvent)
	dst = append(dst, `,"recipientAccountId":`...)
	dst = appendString(dst, e.RecipientAccountID)
	dst = append(dst, `,"eventCategory":`...)
	dst = appendString(dst, e.EventCategory)
	return append(dst, '}'), idAt, nil
}

func appendUserIdentity(dst []byte, u *UserIdentity) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendString(dst, u.Type)
	dst = appendOmit(dst, `,"principalId":`, u.PrincipalID)
	dst = appendOmit(dst, `,"arn":`, u.ARN)
	dst = appendOmit(dst, `,"accountId":`, u.AccountID)
	if u.AccessKeyID != nil {
		dst = append(dst, `,"accessKeyId":`...)
		dst = appendString(dst, *u.AccessKeyID)
	}
	dst = appendOmit(dst, `,"userName":`, u.UserName)
	if sc := u.SessionContext; sc != nil {
		dst = append(dst, `,"sessionContext":{`...)
		start := len(dst)
		if si := sc.SessionIssuer; si != nil {
			dst = append(dst, `"sessionIssuer":{`...)
			at := len(dst)
			dst = appendOmit(dst, `,"type":`, si.Type)
			dst = appendOmit(dst, `,"principalId":`, si.PrincipalID)
			dst = appendOmit(dst, `,"arn":`, si.ARN)
			dst = appendOmit(dst, `,"accountId":`, si.AccountID)
			dst = appendOmit(dst, `,"userName":`, si.UserName)
			dst = append(dropComma(dst, at), '}')
		}
		if wf := sc.WebIDFederationData; wf != nil {
			dst = append(dst, `,"webIdFederationData":{`...)
			at := len(dst)
			dst = appendOmit(dst, `,"federatedProvider":`, wf.FederatedProvider)
			if wf.Attributes != nil {
				dst = appendStringMap(append(dst, `,"attributes":`...), *wf.Attributes)
			}
			dst = append(dropComma(dst, at), '}')
		}
		if len(sc.Attributes) > 0 {
			dst = appendStringMap(append(dst, `,"attributes":`...), sc.Attributes)
		}
		dst = appendOmit(dst, `,"sourceIdentity":`, sc.SourceIdentity)
		dst = appendOmit(dst, `,"assumedRoot":`, sc.AssumedRoot)
		dst = append(dropComma(dst, start), '}')
	}
	dst = appendOmit(dst, `,"invokedBy":`, u.InvokedBy)
	dst = appendOmit(dst, `,"identityProvider":`, u.IdentityProvider)
	if o := u.OnBehalfOf; o != nil {
		dst = appendString(append(dst, `,"onBehalfOf":{"userId":`...), o.UserID)
		dst = append(appendString(append(dst, `,"identityStoreArn":`...), o.IdentityStoreARN), '}')
	}
	dst = appendOmit(dst, `,"credentialId":`, u.CredentialID)
	return append(dst, '}')
}

// appendStringMap appends m as encoding/json does: its keys in order, null for a nil map.
func appendStringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, m[k])
	}
	return append(dst, '}')
}

// dropComma removes the comma at dst[at], where the first member of an object whose every member
// may be omitted was appended (with its leading comma), if any was.
func dropComma(dst []byte, at int) []byte {
	if len(dst) > at && dst[at] == ',' {
		return append(dst[:at], dst[at+1:]...)
	}
	return dst
}

// appendOmit appends a string member (key holds its leading comma, name and colon) unless s is
// empty (omitempty).
func appendOmit(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	return appendString(append(dst, key...), s)
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// appendMap appends a free-form map as encoding/json does: null for nil, {} for empty.
func appendMap(dst []byte, m map[string]any) ([]byte, error) {
	switch {
	case m == nil:
		return append(dst, "null"...), nil
	case len(m) == 0:
		return append(dst, "{}"...), nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json does with its default HTML
// escaping: ", \ and control characters escaped (\b, \f, \n, \r and \t by name), <, > and &
// as \u003c, \u003e and \u0026, U+2028 and U+2029 as \u2028 and \u2029, and each byte of
// invalid UTF-8 as \ufffd.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsonSafe marks the ASCII bytes a JSON string holds as they are (encoding/json's htmlSafeSet).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()
