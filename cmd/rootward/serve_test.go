package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// freePort is a loopback port nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// noRedirects is a client that shows redirects instead of following them.
func noRedirects(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// serve prints one URL everywhere (the endpoint, the AWS CLI command, the claim link, the console),
// the --public-url given or http://localhost:PORT; the console sends a browser that came by
// 127.0.0.1 (where Chromium refuses passkeys) to it; and the printed set-password command works as
// printed.
func TestServePublicURL(t *testing.T) {
	cases := []struct{ name, flag string }{
		{"default", ""},
		{"--public-url", "--public-url"},
		{"--console-url (deprecated alias)", "--console-url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			port := freePort(t)
			public := "http://localhost:" + port
			args := []string{"--addr", "127.0.0.1:" + port}
			if tc.flag != "" {
				args = append(args, tc.flag, public)
			}
			s := startServe(t, data, args...)
			if s.endpoint != public {
				t.Fatalf("endpoint = %q, want %q", s.endpoint, public)
			}
			q := regexp.QuoteMeta
			for _, want := range []string{
				`Endpoint: +` + q(public) + `\n`,
				`--endpoint-url ` + q(public) + ` sts get-caller-identity`,
				q(public) + `/console/claim/[A-Za-z0-9_-]+\n`,
				`Console: ` + q(public) + `/console/\n`,
			} {
				s.waitFor(t, want)
			}
			if out := s.output(); strings.Contains(out, "127.0.0.1") {
				t.Fatalf("the banner names 127.0.0.1:\n%s", out)
			}

			c := noRedirects(http.DefaultClient)
			resp, err := c.Get("http://127.0.0.1:" + port + "/console/signin?x=1")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got, want := resp.Header.Get("Location"), public+"/console/signin?x=1"; resp.StatusCode != http.StatusFound || got != want {
				t.Fatalf("GET via 127.0.0.1: %d Location %q, want 302 %q", resp.StatusCode, got, want)
			}

			// The printed command, pasted into a shell, sets the password.
			line := s.waitFor(t, `(?m)^  \S+ root set-password --data \S+$`)
			pw := writeFile(t, "Quartz-Lantern-Orbit-93\n")
			out, err := exec.Command("sh", "-c", strings.TrimSpace(line)+" --password-file "+shellQuote(pw)).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Root password of account") {
				t.Fatalf("printed command %q: %v\n%s", line, err, out)
			}
			s.stop(t)
		})
	}
}

// On all interfaces without --public-url, serve cannot know the name remote browsers use: the
// console serves every host name (a redirect would send them to their own localhost) and the
// banner says that passkeys need --public-url.
func TestServeAllInterfacesWithoutPublicURL(t *testing.T) {
	s := startServe(t, filepath.Join(t.TempDir(), "data"), "--addr", "0.0.0.0:0")
	s.waitFor(t, `Passkeys work only at http://localhost:\d+: pass --public-url`)
	port := s.endpoint[strings.LastIndex(s.endpoint, ":")+1:]
	resp, err := noRedirects(http.DefaultClient).Get("http://127.0.0.1:" + port + "/console/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET via 127.0.0.1: %d Location %q, want 200", resp.StatusCode, resp.Header.Get("Location"))
	}
	s.stop(t)
}

// selfSigned writes a self-signed certificate for localhost and 127.0.0.1 and its key, as
// openssl req -x509 makes one, and returns their paths and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// serve --tls-cert/--tls-key serves HTTPS (TLS 1.2 at least) at https://localhost:PORT: the health
// endpoint, SigV4 calls of the SDK with the printed credentials, the console's redirect; plain HTTP
// gets nothing useful, and the printed AWS CLI command names the certificate as its CA bundle.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	data := filepath.Join(t.TempDir(), "data")
	s := startServeClient(t, data, client, "--tls-cert", certFile, "--tls-key", keyFile)
	if !regexp.MustCompile(`^https://localhost:\d+$`).MatchString(s.endpoint) {
		t.Fatalf("endpoint = %q, want https://localhost:PORT", s.endpoint)
	}
	port := s.endpoint[strings.LastIndex(s.endpoint, ":")+1:]
	s.waitFor(t, regexp.QuoteMeta(s.endpoint)+`/console/claim/[A-Za-z0-9_-]+`)
	cli := s.waitFor(t, `AWS_CA_BUNDLE=\S+ AWS_SHARED_CREDENTIALS_FILE=\S+ aws .*--endpoint-url `+regexp.QuoteMeta(s.endpoint)+` sts get-caller-identity`)
	if !strings.HasPrefix(cli, "AWS_CA_BUNDLE="+certFile+" ") {
		t.Fatalf("printed CLI command %q, want AWS_CA_BUNDLE=%s first", cli, certFile)
	}

	ctx := context.Background()
	// The SDK trusts the certificate as a user's configuration would make it: as its CA bundle.
	pemCert, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedCredentialsFiles([]string{filepath.Join(data, "credentials")}),
		config.WithSharedConfigProfile("rootward"), config.WithSharedConfigFiles([]string{}), config.WithRegion("us-east-1"),
		config.WithRetryMaxAttempts(1), config.WithCustomCABundle(bytes.NewReader(pemCert)))
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(s.endpoint) }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity over TLS: %v", err)
	}
	if !strings.HasSuffix(aws.ToString(id.Arn), ":user/admin") {
		t.Fatalf("GetCallerIdentity ARN = %q, want the admin user", aws.ToString(id.Arn))
	}

	// The console sends https://127.0.0.1:PORT to https://localhost:PORT.
	resp, err := noRedirects(client).Get("https://127.0.0.1:" + port + "/console/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || got != s.endpoint+"/console/signin" {
		t.Fatalf("GET via 127.0.0.1 over TLS: %d Location %q, want 302 %s/console/signin", resp.StatusCode, got, s.endpoint)
	}
	// The page at the public URL; no HSTS for localhost, which would hold every port of it to
	// HTTPS in the browser for a year.
	resp, err = client.Get(s.endpoint + "/console/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") != "" {
		t.Fatalf("GET %s/console/signin: %d, Strict-Transport-Security %q; want 200 without it", s.endpoint, resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	// Plain HTTP on the TLS port is answered with an error, never a page or an API response.
	if resp, err := http.Get("http://127.0.0.1:" + port + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP on the TLS port answered 200")
		}
	}
	// A client that does not trust the certificate, and TLS 1.1, are refused.
	if _, err := http.Get(s.endpoint + "/healthz"); err == nil {
		t.Fatal("a client without the certificate in its roots connected")
	}
	if c, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11, ServerName: "localhost"}); err == nil {
		c.Close()
		t.Fatal("a TLS 1.1 handshake succeeded")
	}
	// The AWS CLI command as printed works (when the CLI is installed).
	if _, err := exec.LookPath(awsPath()); err == nil {
		cmd := exec.Command("sh", "-c", cli)
		cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), ":user/admin") {
			t.Fatalf("printed AWS CLI command: %v\n%s", err, out)
		}
	}
	s.stop(t)
}

// serve refuses --tls-cert without --tls-key (and the reverse), and a --public-url it cannot
// serve, before it touches the data directory.
func TestServeRefusesBadTLSAndPublicURL(t *testing.T) {
	certFile, keyFile, _ := selfSigned(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"cert without key", []string{"--tls-cert", certFile}, "--tls-cert and --tls-key go together"},
		{"key without cert", []string{"--tls-key", keyFile}, "--tls-cert and --tls-key go together"},
		{"key file is not a key", []string{"--tls-cert", certFile, "--tls-key", certFile}, "--tls-cert/--tls-key"},
		{"public URL with a path", []string{"--public-url", "https://rootward.example.com/console"}, "without a path"},
		{"public URL without a scheme", []string{"--public-url", "rootward.example.com"}, "must be a scheme and host"},
		{"http public URL under TLS", []string{"--tls-cert", certFile, "--tls-key", keyFile, "--public-url", "http://localhost:4599"}, "serves HTTPS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			_, stderr, code := run(t, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("data directory written: %v", err)
			}
		})
	}
}

func TestPublicOrigin(t *testing.T) {
	cases := []struct {
		flag  string
		tls   bool
		want  string
		valid bool
	}{
		{"https://Rootward.Example.com", false, "https://rootward.example.com", true},
		{"https://rootward.example.com:443/", false, "https://rootward.example.com", true},
		{"http://localhost:80", false, "http://localhost", true},
		{"http://localhost:4599", false, "http://localhost:4599", true},
		{"https://localhost:8443", true, "https://localhost:8443", true},
		{"http://localhost:4599", true, "", false},
		{"https://rootward.example.com/rw", false, "", false},
		{"https://user@rootward.example.com", false, "", false},
		{"ftp://rootward.example.com", false, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.flag, func(t *testing.T) {
			got, err := publicOrigin(tc.flag, tc.tls)
			if (err == nil) != tc.valid || got != tc.want {
				t.Fatalf("publicOrigin(%q, %v) = %q, %v; want %q (valid %v)", tc.flag, tc.tls, got, err, tc.want, tc.valid)
			}
		})
	}
}

// The commands rootward prints start the way the running binary can be run again.
func TestCommandPrefix(t *testing.T) {
	onPath := func(p string) func(string) (string, error) {
		return func(string) (string, error) { return p, nil }
	}
	notFound := func(string) (string, error) { return "", exec.ErrNotFound }
	cases := []struct {
		name, exe string
		look      func(string) (string, error)
		want      string
	}{
		{"go run", "/tmp/go-build3349/b001/exe/rootward", onPath("/usr/local/bin/rootward"), "go run ./cmd/rootward"},
		{"go run under GOTMPDIR", "/home/me/tmp/go-build1/b001/exe/rootward", notFound, "go run ./cmd/rootward"},
		{"go run from the build cache", "/home/me/.cache/go-build/9a/9a5c97048687e0da56a0ca4b392af92dfae6664b74a9e32fb65e3a392419f0f4-d/rootward", notFound, "go run ./cmd/rootward"},
		{"installed on PATH", "/usr/local/bin/rootward", onPath("/usr/local/bin/rootward"), "rootward"},
		{"make build, not on PATH", "/home/me/rootward/bin/rootward", notFound, "/home/me/rootward/bin/rootward"},
		{"another rootward on PATH", "/home/me/rootward/bin/rootward", onPath("/usr/bin/rootward"), "/home/me/rootward/bin/rootward"},
		{"a path with a space", "/home/me/my tools/rootward", notFound, "'/home/me/my tools/rootward'"},
		{"unknown", "", notFound, "rootward"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := commandPrefix(tc.exe, tc.look); got != tc.want {
				t.Fatalf("commandPrefix(%q) = %q, want %q", tc.exe, got, tc.want)
			}
		})
	}
}
