package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/spf13/pflag"

	"github.com/rootward/rootward/internal/seal"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/sqlite"
	"github.com/rootward/rootward/internal/testutil"
)

func testStore(t *testing.T) (store.Store, *seal.Sealer) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	s := testutil.Sealer(t)
	return st, s
}

func TestOutboxByDefault(t *testing.T) {
	st, sealer := testStore(t)
	ctx := context.Background()
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	n, err := New(st, sealer, Config{}, WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []Channel{Email, SMS, Voice} {
		if got := n.Transport(ch); got != TransportOutbox {
			t.Fatalf("Transport(%s) = %s, want outbox", ch, got)
		}
	}
	msgs := []Message{
		{Channel: Email, To: "Root@Example.com", Subject: "Reset", Body: "link https://x/reset?t=SECRET1", Account: "111122223333", Purpose: "password-reset"},
		{Channel: SMS, To: "+15555550100", Body: "code 123456 SECRET2", Account: "111122223333", Purpose: "mfa-recovery-phone"},
		{Channel: Email, To: "other@example.com", Subject: "Hi", Body: "SECRET3", Account: "444455556666", Purpose: "alert"},
	}
	for _, m := range msgs {
		clock = clock.Add(time.Second)
		if err := n.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		q     Query
		bodys []string
	}{
		{"all", Query{}, []string{msgs[0].Body, msgs[1].Body, msgs[2].Body}},
		{"by account", Query{Account: "111122223333"}, []string{msgs[0].Body, msgs[1].Body}},
		{"by recipient, case-insensitive", Query{To: "root@example.com"}, []string{msgs[0].Body}},
		{"by purpose", Query{Purpose: "mfa-recovery-phone"}, []string{msgs[1].Body}},
		{"since", Query{Since: time.Date(2026, 3, 1, 9, 0, 2, 0, time.UTC)}, []string{msgs[1].Body, msgs[2].Body}},
		{"newest only", Query{Limit: 1}, []string{msgs[2].Body}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := n.Outbox(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var bodies []string
			for _, e := range got {
				bodies = append(bodies, e.Body)
				if e.Transport != TransportOutbox || e.SealedBody != nil || e.ID == "" {
					t.Errorf("entry = %+v", e)
				}
			}
			if strings.Join(bodies, "|") != strings.Join(tc.bodys, "|") {
				t.Fatalf("bodies = %q, want %q", bodies, tc.bodys)
			}
		})
	}
	// Bodies are sealed at rest: the raw rows do not contain them.
	_ = st.View(ctx, func(tx store.Tx) error {
		items, err := tx.List(kindOutbox, "", "", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if bytes.Contains(it.Body, []byte("SECRET")) {
				t.Fatalf("outbox row holds a body in the clear: %s", it.Body)
			}
		}
		return nil
	})
	// A different master key cannot open them.
	other, _ := seal.New([]byte("fedcba9876543210fedcba9876543210"))
	n2, _ := New(st, other, Config{})
	if _, err := n2.Outbox(ctx, Query{}); err == nil {
		t.Fatal("outbox opened under another master key")
	}
}

func TestInvalidMessages(t *testing.T) {
	st, sealer := testStore(t)
	n, _ := New(st, sealer, Config{})
	cases := []struct {
		name string
		m    Message
	}{
		{"email without @", Message{Channel: Email, To: "root"}},
		{"header injection in recipient", Message{Channel: Email, To: "a@b.c\r\nBcc: x@y.z"}},
		{"header injection in subject", Message{Channel: Email, To: "a@b.c", Subject: "x\nBcc: y@z"}},
		{"phone without +", Message{Channel: SMS, To: "15555550100"}},
		{"phone with letters", Message{Channel: Voice, To: "+1555CALLME"}},
		{"phone too long", Message{Channel: SMS, To: "+1234567890123456"}},
		{"unknown channel", Message{Channel: "pigeon", To: "a@b.c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := n.Send(context.Background(), tc.m); err == nil || errors.Is(err, ErrDelivery) {
				t.Fatalf("Send = %v, want a validation error", err)
			}
		})
	}
}

// smtpSink is a real SMTP server on loopback (emersion/go-smtp) that keeps what it receives.
type smtpSink struct {
	mu       sync.Mutex
	messages []sinkMessage
	authUser string
	authPass string
	authed   []string
}

type sinkMessage struct {
	from string
	to   []string
	data string
}

type sinkSession struct {
	sink *smtpSink
	msg  sinkMessage
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

func (s *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.sink.authUser || pass != s.sink.authPass {
			return errors.New("bad credentials")
		}
		s.sink.mu.Lock()
		s.sink.authed = append(s.sink.authed, user)
		s.sink.mu.Unlock()
		return nil
	}), nil
}
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.msg.from = from; return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = string(b)
	s.sink.mu.Lock()
	s.sink.messages = append(s.sink.messages, s.msg)
	s.sink.mu.Unlock()
	return nil
}
func (s *sinkSession) Reset()        { s.msg = sinkMessage{} }
func (s *sinkSession) Logout() error { return nil }

// startSMTP runs the sink on a loopback port and returns its host and port.
func startSMTP(t *testing.T, sink *smtpSink) (string, int) {
	t.Helper()
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
}

// parseMail returns the subject and the decoded body of a received message.
func parseMail(t *testing.T, data string) (string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return msg.Header.Get("Subject"), string(b)
}

func TestSMTP(t *testing.T) {
	sink := &smtpSink{authUser: "rootward", authPass: "relay-pass"}
	host, port := startSMTP(t, sink)
	st, sealer := testStore(t)
	ctx := context.Background()
	n, err := New(st, sealer, Config{SMTPHost: host, SMTPPort: port, SMTPTLS: "none", SMTPUsername: "rootward",
		SMTPPassword: "relay-pass", SMTPAuth: "plain", SMTPFrom: "rootward@example.net"})
	if err != nil {
		t.Fatal(err)
	}
	if n.Transport(Email) != TransportSMTP || n.Transport(SMS) != TransportOutbox {
		t.Fatalf("transports = %s/%s", n.Transport(Email), n.Transport(SMS))
	}
	m := Message{Channel: Email, To: "root@example.com", Subject: "Reset your root password", Body: "Open https://console/reset?t=SECRET", Account: "111122223333", Purpose: "password-reset"}
	if err := n.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	sink.mu.Lock()
	got := sink.messages
	authed := sink.authed
	sink.mu.Unlock()
	if len(got) != 1 || got[0].from != "rootward@example.net" || len(got[0].to) != 1 || got[0].to[0] != "root@example.com" {
		t.Fatalf("received %+v", got)
	}
	subject, body := parseMail(t, got[0].data)
	if subject != m.Subject || strings.TrimSpace(body) != m.Body {
		t.Fatalf("received subject %q body %q", subject, body)
	}
	if len(authed) != 1 {
		t.Fatalf("SMTP AUTH calls = %v", authed)
	}
	// The outbox holds the delivery record, without the body.
	entries, err := n.Outbox(ctx, Query{})
	if err != nil || len(entries) != 1 || entries[0].Transport != TransportSMTP || entries[0].Body != "" || entries[0].Error != "" {
		t.Fatalf("outbox = %+v, %v", entries, err)
	}
	// SMS still goes to the outbox.
	if err := n.Send(ctx, Message{Channel: SMS, To: "+15555550100", Body: "code"}); err != nil {
		t.Fatal(err)
	}
	if e, _ := n.Outbox(ctx, Query{To: "+15555550100"}); len(e) != 1 || e[0].Body != "code" {
		t.Fatalf("sms outbox = %+v", e)
	}
}

func TestSMTPFailures(t *testing.T) {
	sink := &smtpSink{authUser: "rootward", authPass: "relay-pass"}
	host, port := startSMTP(t, sink)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := closed.Addr().(*net.TCPAddr).Port
	_ = closed.Close()
	cases := []struct {
		name string
		cfg  Config
	}{
		// The sink offers no STARTTLS: the default policy must refuse to send in the clear.
		{"starttls required but not offered", Config{SMTPHost: host, SMTPPort: port, SMTPFrom: "r@example.net"}},
		{"wrong password", Config{SMTPHost: host, SMTPPort: port, SMTPTLS: "none", SMTPUsername: "rootward", SMTPPassword: "nope", SMTPAuth: "plain", SMTPFrom: "r@example.net"}},
		{"nothing listening", Config{SMTPHost: host, SMTPPort: closedPort, SMTPTLS: "none", SMTPFrom: "r@example.net"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, sealer := testStore(t)
			n, err := New(st, sealer, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = n.Send(context.Background(), Message{Channel: Email, To: "root@example.com", Subject: "s", Body: "SECRET"})
			if !errors.Is(err, ErrDelivery) {
				t.Fatalf("Send = %v, want ErrDelivery", err)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Fatal("error shows the body")
			}
			entries, _ := n.Outbox(context.Background(), Query{})
			if len(entries) != 1 || entries[0].Error == "" || entries[0].Body != "" {
				t.Fatalf("outbox = %+v", entries)
			}
		})
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.messages) != 0 {
		t.Fatalf("sink received %d messages", len(sink.messages))
	}
}

func TestWebhook(t *testing.T) {
	secret := []byte("hook-secret")
	var mu sync.Mutex
	var got []WebhookPayload
	status := http.StatusNoContent
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !VerifyWebhook(secret, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, clock, 5*time.Minute) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
		w.WriteHeader(status)
	}))
	defer hs.Close()
	st, sealer := testStore(t)
	ctx := context.Background()
	n, err := New(st, sealer, Config{WebhookURL: hs.URL, WebhookSecret: string(secret)}, WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	if n.Transport(SMS) != TransportWebhook || n.Transport(Voice) != TransportWebhook || n.Transport(Email) != TransportOutbox {
		t.Fatal("wrong transports")
	}
	if err := n.Send(ctx, Message{Channel: Voice, To: "+442079460000", Body: "Your code is 1 2 3 4 5 6", Purpose: "mfa-recovery-phone"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(got) != 1 || got[0].Channel != Voice || got[0].To != "+442079460000" || got[0].Body != "Your code is 1 2 3 4 5 6" || got[0].ID == "" {
		t.Fatalf("webhook got %+v", got)
	}
	mu.Unlock()
	status = http.StatusBadGateway
	if err := n.Send(ctx, Message{Channel: SMS, To: "+442079460000", Body: "x"}); !errors.Is(err, ErrDelivery) {
		t.Fatalf("Send with a failing webhook = %v", err)
	}
	// A receiver with another secret refuses the request: the signature binds the secret.
	secret = []byte("other")
	status = http.StatusOK
	if err := n.Send(ctx, Message{Channel: SMS, To: "+442079460000", Body: "x"}); !errors.Is(err, ErrDelivery) {
		t.Fatalf("Send to a receiver with another secret = %v", err)
	}
}

func TestVerifyWebhook(t *testing.T) {
	secret := []byte("s")
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"id":"1"}`)
	ts := "1700000000"
	good := Sign(secret, ts, body)
	cases := []struct {
		name     string
		ts, sig  string
		body     []byte
		now      time.Time
		expected bool
	}{
		{"valid", ts, good, body, now, true},
		{"tampered body", ts, good, []byte(`{"id":"2"}`), now, false},
		{"other timestamp", "1700000001", good, body, now, false},
		{"stale", ts, good, body, now.Add(10 * time.Minute), false},
		{"future", ts, good, body, now.Add(-10 * time.Minute), false},
		{"garbage timestamp", "x", good, body, now, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := VerifyWebhook(secret, tc.ts, tc.sig, tc.body, tc.now, 5*time.Minute); got != tc.expected {
				t.Fatalf("VerifyWebhook = %v", got)
			}
		})
	}
}

func TestFlagsAndEnv(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		EnvSMTPHost: "env-host", EnvSMTPPort: "2525", EnvSMTPFrom: "env@example.net", EnvSMTPPassword: "env-pass",
		EnvWebhookURL: "https://hooks.example.net/sms", EnvWebhookSecret: "env-secret",
	}
	cases := []struct {
		name    string
		args    []string
		check   func(Config) bool
		wantErr bool
	}{
		{"environment only", nil, func(c Config) bool {
			return c.SMTPHost == "env-host" && c.SMTPPort == 2525 && c.SMTPPassword == "env-pass" && c.WebhookSecret == "env-secret"
		}, false},
		{"flags win over environment", []string{"--smtp-host", "flag-host", "--smtp-port", "25", "--smtp-password-file", pwFile}, func(c Config) bool {
			return c.SMTPHost == "flag-host" && c.SMTPPort == 25 && c.SMTPPassword == "from-file" && c.SMTPFrom == "env@example.net"
		}, false},
		{"bad port", []string{"--smtp-port", "x"}, nil, true},
		{"bad tls mode", []string{"--smtp-tls", "maybe"}, nil, true},
		{"bad auth mechanism", []string{"--smtp-auth", "rot13"}, nil, true},
		{"webhook must be http(s)", []string{"--sms-webhook-url", "ftp://x/y"}, nil, true},
		{"missing secret file", []string{"--sms-webhook-secret-file", filepath.Join(dir, "none")}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var f Flags
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			f.RegisterFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			c, err := f.Config(func(k string) string { return env[k] })
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Config = %+v, want an error", c)
				}
				return
			}
			if err != nil || !tc.check(c) {
				t.Fatalf("Config = %+v, %v", c, err)
			}
		})
	}
	var f Flags
	f.RegisterFlags(pflag.NewFlagSet("empty", pflag.ContinueOnError))
	if c, err := f.Config(func(string) string { return "" }); err != nil || c != (Config{}) {
		t.Fatalf("empty config = %+v, %v", c, err)
	}
}
