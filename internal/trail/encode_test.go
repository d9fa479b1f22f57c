package trail

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// appendEvent encodes every event exactly as json.Marshal does (the stored record's bytes do not
// depend on which of the two wrote them), and says where the eventID's value is.
func TestAppendEventMatchesJSON(t *testing.T) {
	str := func(s string) *string { return &s }
	yes, no := true, false
	at := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	// tricky holds every ASCII byte, invalid UTF-8, the two line separators JavaScript does not
	// allow in strings, and characters of more than one byte.
	var tricky strings.Builder
	for b := 0; b < 128; b++ {
		tricky.WriteByte(byte(b))
	}
	tricky.WriteString("\xff\xfe \xe2\x80 \u2028\u2029 é 日本 🙂 <script>&amp;</script>")
	full := func() *Event {
		return &Event{
			EventVersion: "1.08",
			UserIdentity: UserIdentity{Type: "AssumedRole", PrincipalID: "AROAEXAMPLE:s", ARN: "arn:aws:sts::111122223333:assumed-role/r/s",
				AccountID: "111122223333", AccessKeyID: str("ASIAEXAMPLE"), UserName: "u",
				SessionContext: &SessionContext{
					SessionIssuer:  &SessionIssuer{Type: "Role", PrincipalID: "AROAEXAMPLE", ARN: "arn:aws:iam::111122223333:role/r", AccountID: "111122223333", UserName: "r"},
					Attributes:     map[string]string{"mfaAuthenticated": "false", "creationDate": "2026-12-06T20:00:00Z", "z": "<&>"},
					SourceIdentity: "src", AssumedRoot: "true"},
				InvokedBy: "sts.amazonaws.com", IdentityProvider: "accounts.google.com"},
			EventTime: at, EventSource: "iam.amazonaws.com", EventName: "CreateUser", AWSRegion: "us-east-1",
			SourceIPAddress: "127.0.0.1", UserAgent: "aws-cli/2", ErrorCode: "EntityAlreadyExists", ErrorMessage: "User with name a already exists.",
			RequestParameters:   map[string]any{"userName": "a", "tags": []any{map[string]any{"key": "k", "value": "<v>"}}, "n": 3, "f": 1.5, "nil": nil},
			ResponseElements:    map[string]any{"user": map[string]any{"arn": "arn:aws:iam::111122223333:user/a", "createDate": at}},
			AdditionalEventData: map[string]any{"MFAUsed": "No"},
			RequestID:           "req", EventID: "01890a5d-ac96-774b-bcce-b302099a8057", ReadOnly: &no,
			EventType: AwsAPICall, ManagementEvent: true, RecipientAccountID: "111122223333", EventCategory: "Management",
		}
	}
	cases := []struct {
		name string
		edit func(e *Event)
	}{
		{"every field", func(*Event) {}},
		{"zero event", func(e *Event) { *e = Event{} }},
		{"Identity Center user", func(e *Event) {
			e.UserIdentity = UserIdentity{Type: "IdentityCenterUser", AccountID: "111122223333", CredentialID: "c<&>",
				OnBehalfOf: &OnBehalfOf{UserID: "u-1", IdentityStoreARN: "arn:aws:identitystore::111122223333:identitystore/d-1234567890"}}
		}},
		{"Identity Center user, empty onBehalfOf", func(e *Event) { e.UserIdentity.OnBehalfOf = &OnBehalfOf{} }},
		{"GetCallerIdentity as recorded", func(e *Event) {
			e.UserIdentity = UserIdentity{Type: "IAMUser", PrincipalID: "AIDA", ARN: "arn:aws:iam::111122223333:user/admin", AccountID: "111122223333", AccessKeyID: str("AKIA"), UserName: "admin"}
			e.ErrorCode, e.ErrorMessage, e.RequestParameters, e.ResponseElements, e.AdditionalEventData = "", "", nil, nil, nil
			e.ReadOnly = &yes
		}},
		{"empty maps", func(e *Event) {
			e.RequestParameters, e.ResponseElements, e.AdditionalEventData = map[string]any{}, map[string]any{}, map[string]any{}
			e.UserIdentity.SessionContext.Attributes = map[string]string{}
		}},
		{"empty access key", func(e *Event) { e.UserIdentity.AccessKeyID = str("") }},
		{"empty session context", func(e *Event) { e.UserIdentity.SessionContext = &SessionContext{} }},
		{"empty session issuer", func(e *Event) { e.UserIdentity.SessionContext = &SessionContext{SessionIssuer: &SessionIssuer{}} }},
		{"session issuer user name only", func(e *Event) {
			e.UserIdentity.SessionContext = &SessionContext{SessionIssuer: &SessionIssuer{UserName: "u"}, AssumedRoot: "true"}
		}},
		{"web identity federation data", func(e *Event) {
			e.UserIdentity.SessionContext.WebIDFederationData = &WebIDFederationData{FederatedProvider: "arn:aws:iam::111122223333:oidc-provider/example.com",
				Attributes: &map[string]string{"example.com:sub": "u", "example.com:aud": "<a&b>"}}
		}},
		{"web identity federation data, empty attributes", func(e *Event) {
			e.UserIdentity.SessionContext.WebIDFederationData = &WebIDFederationData{Attributes: &map[string]string{}}
		}},
		{"web identity federation data, nil attributes map", func(e *Event) {
			var m map[string]string
			e.UserIdentity.SessionContext.WebIDFederationData = &WebIDFederationData{Attributes: &m}
		}},
		{"SAML: empty web identity federation data", func(e *Event) {
			e.UserIdentity.SessionContext = &SessionContext{WebIDFederationData: &WebIDFederationData{}}
		}},
		{"attributes only", func(e *Event) {
			e.UserIdentity.SessionContext = &SessionContext{Attributes: map[string]string{"b": "1", "a": "2"}}
		}},
		{"no read-only", func(e *Event) { e.ReadOnly = nil }},
		{"tricky strings", func(e *Event) {
			s := tricky.String()
			e.EventName, e.UserAgent, e.ErrorMessage, e.EventID = s, s, s, s
			e.UserIdentity.UserName, e.UserIdentity.SessionContext.Attributes = s, map[string]string{s: s}
			e.RequestParameters = map[string]any{s: s}
		}},
		{"time with nanoseconds and a zone", func(e *Event) {
			e.EventTime = time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", -5*3600))
		}},
		{"zero time", func(e *Event) { e.EventTime = time.Time{} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := full()
			tc.edit(e)
			checkAppendEvent(t, e)
		})
	}
	t.Run("every field set by reflection", func(t *testing.T) {
		// Catches a field added to Event or its parts that appendEvent does not know.
		e := &Event{}
		fill(reflect.ValueOf(e).Elem(), "v")
		e.EventTime = at
		checkAppendEvent(t, e)
	})
}

func checkAppendEvent(t *testing.T, e *Event) {
	t.Helper()
	want, werr := json.Marshal(e)
	prefix := []byte("prefix")
	got, idAt, err := appendEvent(prefix, e)
	if (err != nil) != (werr != nil) {
		t.Fatalf("appendEvent error %v; json.Marshal error %v", err, werr)
	}
	if err != nil {
		return
	}
	if !bytes.HasPrefix(got, []byte("prefix")) {
		t.Fatalf("appendEvent did not append to dst: %q", got)
	}
	idAt -= len("prefix")
	got = got[len("prefix"):]
	if !bytes.Equal(got, want) {
		t.Fatalf("appendEvent:\n got %s\nwant %s", got, want)
	}
	id, _ := json.Marshal(e.EventID)
	if idAt < 1 || !bytes.HasPrefix(got[idAt-1:], id) || !bytes.HasSuffix(got[:idAt], []byte(`"eventID":"`)) {
		t.Errorf("eventID at %d: %q; want the value of eventID %s", idAt, got[max(0, idAt-12):min(len(got), idAt+40)], id)
	}
}

// fill sets every settable field of v, recursively, to a non-zero value.
func fill(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		val := reflect.New(v.Type().Elem()).Elem()
		if val.Kind() == reflect.Interface {
			val.Set(reflect.ValueOf(s))
		} else {
			fill(val, s)
		}
		m.SetMapIndex(reflect.ValueOf(s), val)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s+"."+v.Type().Field(i).Name)
			}
		}
	}
}

// A value encoding/json cannot encode fails appendEvent as it fails json.Marshal; so does a time
// outside the years RFC 3339 can write.
func TestAppendEventErrors(t *testing.T) {
	for name, e := range map[string]*Event{
		"NaN parameter": {RequestParameters: map[string]any{"x": math.NaN()}},
		"channel":       {ResponseElements: map[string]any{"x": make(chan int)}},
		"year 10000":    {EventTime: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"year -1":       {EventTime: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := json.Marshal(e); err == nil {
				t.Fatal("json.Marshal: nil error; the case is meant to fail")
			}
			if _, _, err := appendEvent(nil, e); err == nil {
				t.Error("appendEvent: nil error; want one, as json.Marshal gives")
			}
		})
	}
}

// FuzzAppendString checks appendString against encoding/json on any text.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x00\x1f\"\\<>&\b\f\n\r\t", "\xff", "\u2028\u2029", "é🙂", "a\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s; want %s", s, got, want)
		}
	})
}

// BenchmarkEncodeEvent compares the recorder's encoding of an event (encodeStored: appendEvent
// into a reused buffer) with json.Marshal, which it replaced, for the record of a signed
// GetCallerIdentity (the end-to-end benchmark's call) and of a CreateUser with parameters.
func BenchmarkEncodeEvent(b *testing.B) {
	key, ro := "AKIAEXAMPLE000000001", true
	gci := &Event{EventVersion: "1.08",
		UserIdentity: UserIdentity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE0000000001", ARN: "arn:aws:iam::111122223333:user/admin",
			AccountID: "111122223333", AccessKeyID: &key, UserName: "admin"},
		EventTime: time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC), EventSource: "sts.amazonaws.com", EventName: "GetCallerIdentity",
		AWSRegion: "us-east-1", SourceIPAddress: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/sts#1.33.19 m/E,g",
		RequestID: "5f2c6c3e-8d0a-4a43-9a53-7c1b0e3d2f10", EventID: idPlaceholder, ReadOnly: &ro, EventType: AwsAPICall,
		ManagementEvent: true, RecipientAccountID: "111122223333", EventCategory: "Management"}
	cu := *gci
	cu.EventSource, cu.EventName, cu.ReadOnly = "iam.amazonaws.com", "CreateUser", new(bool)
	cu.RequestParameters = map[string]any{"userName": "alice", "path": "/", "tags": []any{map[string]any{"key": "team", "value": "a"}}}
	cu.ResponseElements = map[string]any{"user": map[string]any{"userName": "alice", "arn": "arn:aws:iam::111122223333:user/alice"}}
	for _, ev := range []struct {
		name string
		e    *Event
	}{{"GetCallerIdentity", gci}, {"CreateUser", &cu}} {
		b.Run(ev.name+"/json.Marshal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				body, err := json.Marshal(ev.e)
				if err != nil {
					b.Fatal(err)
				}
				_ = bytes.LastIndex(body, []byte(`"eventID":"`+idPlaceholder+`"`))
			}
		})
		b.Run(ev.name+"/appendEvent", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				row, _, err := encodeStored(ev.e)
				if err != nil {
					b.Fatal(err)
				}
				recycle(row)
			}
		})
	}
}
