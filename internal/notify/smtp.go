package notify

import (
	"context"
	"time"

	mail "github.com/wneessen/go-mail"
)

// smtpTransport sends email through a relay with go-mail.
type smtpTransport struct {
	cfg Config
	now func() time.Time
}

func newSMTP(cfg Config, now func() time.Time) *smtpTransport {
	if cfg.SMTPTLS == "" {
		cfg.SMTPTLS = "starttls"
	}
	if cfg.SMTPPort == 0 {
		cfg.SMTPPort = 587
		if cfg.SMTPTLS == "tls" {
			cfg.SMTPPort = 465
		}
	}
	return &smtpTransport{cfg: cfg, now: now}
}

func (t *smtpTransport) send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(t.cfg.SMTPFrom); err != nil {
		return err
	}
	if err := msg.To(m.To); err != nil {
		return err
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(t.now())
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, m.Body)

	opts := []mail.Option{mail.WithPort(t.cfg.SMTPPort), mail.WithTimeout(20 * time.Second)}
	switch t.cfg.SMTPTLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		// Mandatory: a relay that does not offer STARTTLS (or a man in the middle stripping it)
		// must not receive a reset link in the clear.
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if t.cfg.SMTPUsername != "" {
		// Auto-discovery picks the strongest mechanism the server offers (SCRAM, then CRAM-MD5, then
		// PLAIN/LOGIN over TLS); go-mail refuses PLAIN and LOGIN unencrypted to a remote host.
		mech := mail.SMTPAuthAutoDiscover
		if t.cfg.SMTPAuth != "" {
			if err := mech.UnmarshalString(t.cfg.SMTPAuth); err != nil {
				return err
			}
		}
		opts = append(opts, mail.WithSMTPAuth(mech),
			mail.WithUsername(t.cfg.SMTPUsername), mail.WithPassword(t.cfg.SMTPPassword))
	}
	c, err := mail.NewClient(t.cfg.SMTPHost, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}
