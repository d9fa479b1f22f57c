package notify

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	mail "github.com/wneessen/go-mail"
)

// Config selects the transports. The zero Config sends everything to the outbox.
type Config struct {
	// SMTPHost enables email over SMTP. SMTPPort defaults to 587 (submission with STARTTLS), or 465
	// when SMTPTLS is "tls".
	SMTPHost string
	SMTPPort int
	// SMTPTLS is "starttls" (the default: STARTTLS is required, a server without it is refused),
	// "tls" (implicit TLS, RFC 8314) or "none" (plain text, for a relay on the same host).
	SMTPTLS      string
	SMTPUsername string
	SMTPPassword string
	// SMTPAuth is the SASL mechanism used when SMTPUsername is set: "auto" (the default: the
	// strongest the server offers among SCRAM-SHA-256/1, CRAM-MD5, and PLAIN/LOGIN over TLS only),
	// or one of go-mail's names: plain, login, cram-md5, scram-sha-256, scram-sha-1, xoauth2….
	// go-mail sends PLAIN and LOGIN in the clear only to localhost.
	SMTPAuth string
	// SMTPFrom is the sender address.
	SMTPFrom string

	// WebhookURL enables SMS and voice messages: each is POSTed there as JSON (see webhook.go).
	WebhookURL string
	// WebhookSecret signs each POST with HMAC-SHA256 so the receiver can check its origin.
	WebhookSecret string
}

// Environment variables read by FromEnv, for settings given no flag.
const (
	EnvSMTPHost      = "ROOTWARD_SMTP_HOST"
	EnvSMTPPort      = "ROOTWARD_SMTP_PORT"
	EnvSMTPTLS       = "ROOTWARD_SMTP_TLS"
	EnvSMTPUsername  = "ROOTWARD_SMTP_USERNAME"
	EnvSMTPPassword  = "ROOTWARD_SMTP_PASSWORD"
	EnvSMTPAuth      = "ROOTWARD_SMTP_AUTH"
	EnvSMTPFrom      = "ROOTWARD_SMTP_FROM"
	EnvWebhookURL    = "ROOTWARD_SMS_WEBHOOK_URL"
	EnvWebhookSecret = "ROOTWARD_SMS_WEBHOOK_SECRET"
)

// Flags holds the command-line form of a Config. Secrets are read from files named by flags, or
// from the environment, never from a flag's value, which any user of the machine can read in the
// process list.
type Flags struct {
	cfg               Config
	port              string
	passwordFile      string
	webhookSecretFile string
}

// RegisterFlags adds the --smtp-* and --sms-webhook-* flags to fs.
func (f *Flags) RegisterFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.cfg.SMTPHost, "smtp-host", "", "SMTP relay host for email (env "+EnvSMTPHost+"); empty: email goes to the outbox")
	fs.StringVar(&f.port, "smtp-port", "", "SMTP port (env "+EnvSMTPPort+"; default 587, or 465 with --smtp-tls=tls)")
	fs.StringVar(&f.cfg.SMTPTLS, "smtp-tls", "", "starttls (default, required), tls (implicit) or none (env "+EnvSMTPTLS+")")
	fs.StringVar(&f.cfg.SMTPUsername, "smtp-username", "", "SMTP user name (env "+EnvSMTPUsername+")")
	fs.StringVar(&f.cfg.SMTPAuth, "smtp-auth", "", "SMTP AUTH mechanism: auto (default), plain, login, cram-md5, scram-sha-256… (env "+EnvSMTPAuth+")")
	fs.StringVar(&f.passwordFile, "smtp-password-file", "", "file holding the SMTP password (or env "+EnvSMTPPassword+")")
	fs.StringVar(&f.cfg.SMTPFrom, "smtp-from", "", "sender address of Rootward's email (env "+EnvSMTPFrom+")")
	fs.StringVar(&f.cfg.WebhookURL, "sms-webhook-url", "", "URL receiving SMS and voice messages as signed JSON POSTs (env "+EnvWebhookURL+"); empty: they go to the outbox")
	fs.StringVar(&f.webhookSecretFile, "sms-webhook-secret-file", "", "file holding the webhook's HMAC secret (or env "+EnvWebhookSecret+")")
}

// Config returns the configuration: flags first, then the environment (getenv, os.Getenv when nil)
// for what no flag set, then the secret files.
func (f *Flags) Config(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := f.cfg
	for _, v := range []struct {
		dst *string
		env string
	}{
		{&c.SMTPHost, EnvSMTPHost}, {&c.SMTPTLS, EnvSMTPTLS}, {&c.SMTPUsername, EnvSMTPUsername}, {&c.SMTPAuth, EnvSMTPAuth},
		{&c.SMTPFrom, EnvSMTPFrom}, {&c.WebhookURL, EnvWebhookURL},
	} {
		if *v.dst == "" {
			*v.dst = getenv(v.env)
		}
	}
	port := f.port
	if port == "" {
		port = getenv(EnvSMTPPort)
	}
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil {
			return c, fmt.Errorf("smtp port %q: %w", port, err)
		}
		c.SMTPPort = p
	}
	var err error
	if c.SMTPPassword, err = secret(f.passwordFile, getenv(EnvSMTPPassword)); err != nil {
		return c, fmt.Errorf("smtp password: %w", err)
	}
	if c.WebhookSecret, err = secret(f.webhookSecretFile, getenv(EnvWebhookSecret)); err != nil {
		return c, fmt.Errorf("webhook secret: %w", err)
	}
	return c, c.validate()
}

func secret(file, env string) (string, error) {
	if file == "" {
		return env, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func (c *Config) validate() error {
	if c.SMTPHost != "" {
		switch c.SMTPTLS {
		case "", "starttls", "tls", "none":
		default:
			return fmt.Errorf("notify: smtp tls mode %q: want starttls, tls or none", c.SMTPTLS)
		}
		if c.SMTPPort < 0 || c.SMTPPort > 65535 {
			return fmt.Errorf("notify: smtp port %d out of range", c.SMTPPort)
		}
		if c.SMTPAuth != "" {
			var mech mail.SMTPAuthType
			if err := mech.UnmarshalString(c.SMTPAuth); err != nil {
				return fmt.Errorf("notify: smtp auth mechanism %q: %w", c.SMTPAuth, err)
			}
		}
		if !strings.Contains(c.SMTPFrom, "@") {
			return errors.New("notify: SMTP needs a sender address (--smtp-from)")
		}
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("notify: webhook URL must be an http(s) URL")
		}
		if c.WebhookSecret == "" {
			return errors.New("notify: the SMS webhook needs a secret to sign its requests")
		}
	}
	return nil
}
