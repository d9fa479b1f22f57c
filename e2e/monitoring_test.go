package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SNS SignatureVersion 1 is SHA1withRSA.
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// generous bounds each wait of the monitoring test: a bound on a hung run on a loaded machine,
// not an assertion on how fast Rootward is (the alert latency is measured by
// BenchmarkAlertLatency in cmd/rootward).
const generous = 2 * time.Minute

// buildRootward builds ./cmd/rootward into dir and returns the binary's path.
func buildRootward(t *testing.T, ctx context.Context, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "rootward")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../cmd/rootward").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestRootSignInMonitoringInChromium is issue 12's end-to-end check: a started `rootward serve`
// (built from cmd/rootward), whose root user signs in to the console in headless Chromium, and
// what that one sign-in sets off, each through the interface a user has:
//   - the built-in root-activity alert: an email in the outbox (`rootward outbox --json`) to the
//     root email, carrying the runbook set with `rootward alerts runbook --set`;
//   - an EventBridge rule on console sign-ins whose target is an SNS topic with an https
//     subscriber (an httptest TLS server here, which serve trusts through SSL_CERT_FILE, as any Go
//     program on Linux does), which verifies each message's signature with the certificate at
//     SigningCertURL;
//   - GuardDuty: a detector created through the SDK lists a Policy:IAMUser/RootCredentialUsage
//     finding.
func TestRootSignInMonitoringInChromium(t *testing.T) {
	requireBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	bin := buildRootward(t, ctx, tmp)
	data := filepath.Join(tmp, "data")
	rootward := func(args ...string) []byte {
		t.Helper()
		out, err := exec.CommandContext(ctx, bin, args...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("rootward %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
			}
			t.Fatalf("rootward %s: %v", strings.Join(args, " "), err)
		}
		return out
	}

	const email, pw = "owner@monitoring.example", "Tangerine-Walrus-42"
	const runbook = "Call the security on-call at +1 555 0100 and open ticket SEC-ROOT."
	write := func(name, body string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var acct struct {
		AccountID string `json:"account_id"`
	}
	if err := json.Unmarshal(rootward("init", "--data", data, "--email", email, "--account-name", "monitored",
		"--password-file", write("password", pw), "--json"), &acct); err != nil || acct.AccountID == "" {
		t.Fatalf("init --json: %+v, %v", acct, err)
	}
	rootward("alerts", "runbook", "--data", data, "--set", write("runbook.txt", runbook))

	// The https subscriber: it checks every message's signature, confirms its subscription, and
	// passes on the notifications.
	notes := make(chan snsMessage, 16)
	var refusedMu sync.Mutex
	var subErr []string
	sub := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m snsMessage
		err := json.Unmarshal(body, &m)
		if err == nil {
			err = verifySNS(&m)
		}
		if err != nil {
			refusedMu.Lock()
			subErr = append(subErr, fmt.Sprintf("%v in %s", err, body))
			refusedMu.Unlock()
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		switch m.Type {
		case "SubscriptionConfirmation":
			resp, err := http.Get(m.SubscribeURL)
			if err == nil {
				resp.Body.Close()
			}
		case "Notification":
			notes <- m
		}
	}))
	defer sub.Close()
	ca := write("subscriber-ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sub.Certificate().Raw})))

	srv := exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0")
	// crypto/x509 reads the roots of a Linux process from SSL_CERT_FILE when it is set: serve's SNS
	// deliveries trust the subscriber's certificate, and no other.
	srv.Env = append(os.Environ(), "SSL_CERT_FILE="+ca)
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	srv.Stderr = testWriter{t}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	endpoints := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`(?:Endpoint: +|serving \d+ account\(s\) at )(https?://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			t.Log("serve: " + sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case endpoints <- m[1]:
				default:
				}
			}
		}
	}()
	var base string
	select {
	case base = <-endpoints:
	case <-time.After(generous):
		t.Fatal("serve printed no endpoint")
	}
	waitHealthy(t, base)

	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedCredentialsFiles([]string{filepath.Join(data, "credentials")}),
		config.WithSharedConfigProfile("rootward"), config.WithSharedConfigFiles([]string{}), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	topics := sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = aws.String(base) })
	bus := eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(base) })
	gd := guardduty.NewFromConfig(cfg, func(o *guardduty.Options) { o.BaseEndpoint = aws.String(base) })

	det, err := gd.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("root-sign-ins")})
	if err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},` +
		`"Action":"sns:Publish","Resource":"` + *topic.TopicArn + `"}]}`
	if _, err := topics.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn,
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	s, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("https"),
		Endpoint: aws.String(sub.URL + "/hook"), ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatal(err)
	}
	// The subscriber confirms on its own; the subscription is ready when it is no longer pending.
	waitUntil(t, "the https subscription's confirmation", func() bool {
		refusedMu.Lock()
		refused := subErr
		refusedMu.Unlock()
		if len(refused) > 0 {
			t.Fatalf("the subscriber refused the confirmation request: %v", refused)
		}
		a, err := topics.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: s.SubscriptionArn})
		return err == nil && a.Attributes["PendingConfirmation"] == "false"
	})
	if _, err := bus.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("root-console-sign-in"),
		EventPattern: aws.String(`{"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}`)}); err != nil {
		t.Fatal(err)
	}
	pt, err := bus.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("root-console-sign-in"),
		Targets: []ebtypes.Target{{Id: aws.String("topic"), Arn: topic.TopicArn}}})
	if err != nil || pt.FailedEntryCount != 0 {
		t.Fatalf("PutTargets = %+v, %v", pt, err)
	}

	// The sign-in, in the browser.
	runCtx, stop := context.WithTimeout(ctx, 3*time.Minute)
	defer stop()
	cmd := exec.CommandContext(runCtx, "node", "rootsignin.mjs")
	cmd.Env = append(os.Environ(), "ROOTWARD_URL="+strings.Replace(base, "127.0.0.1", "localhost", 1),
		"ROOTWARD_ROOT_EMAIL="+email, "ROOTWARD_ROOT_PASSWORD="+pw)
	out, err := cmd.CombinedOutput()
	t.Logf("rootsignin.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("browser sign-in failed: %v", err)
	}

	t.Run("alert email in the outbox", func(t *testing.T) {
		type entry struct{ To, Purpose, Subject, Body string }
		var alert *entry
		waitUntil(t, "the root-activity alert email", func() bool {
			var got []entry
			if err := json.Unmarshal(rootward("outbox", "--data", data, "--json", "--purpose", "root-activity-alert"), &got); err != nil {
				t.Fatalf("outbox --json: %v", err)
			}
			for i := range got {
				if strings.HasSuffix(got[i].Subject, ": ConsoleLogin") {
					alert = &got[i]
					return true
				}
			}
			return false
		})
		if alert.To != email || !strings.Contains(alert.Body, runbook) {
			t.Errorf("alert to %q:\n%s\nwant it to %s, carrying the runbook %q", alert.To, alert.Body, email, runbook)
		}
	})

	t.Run("signed SNS delivery to the https subscriber", func(t *testing.T) {
		var n snsMessage
		select {
		case n = <-notes:
		case <-time.After(generous):
			refusedMu.Lock()
			defer refusedMu.Unlock()
			t.Fatalf("no notification reached the subscriber; refused: %v", subErr)
		}
		var ev struct {
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
			Account    string `json:"account"`
			Detail     struct {
				EventName    string `json:"eventName"`
				UserIdentity struct {
					Type string `json:"type"`
				} `json:"userIdentity"`
			} `json:"detail"`
		}
		if err := json.Unmarshal([]byte(n.Message), &ev); err != nil {
			t.Fatalf("Message %q: %v", n.Message, err)
		}
		if ev.Source != "aws.signin" || ev.DetailType != "AWS Console Sign In via CloudTrail" || ev.Account != acct.AccountID ||
			ev.Detail.EventName != "ConsoleLogin" || ev.Detail.UserIdentity.Type != "Root" || n.TopicArn != *topic.TopicArn {
			t.Errorf("delivered %+v on %s; want the root's ConsoleLogin in account %s on %s", ev, n.TopicArn, acct.AccountID, *topic.TopicArn)
		}
	})

	t.Run("GuardDuty finding", func(t *testing.T) {
		waitUntil(t, "the GuardDuty finding", func() bool {
			l, err := gd.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: det.DetectorId,
				FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{
					"type": {Equals: []string{"Policy:IAMUser/RootCredentialUsage"}}}}})
			if err != nil {
				t.Fatalf("ListFindings: %v", err)
			}
			if len(l.FindingIds) == 0 {
				return false
			}
			f, err := gd.GetFindings(ctx, &guardduty.GetFindingsInput{DetectorId: det.DetectorId, FindingIds: l.FindingIds})
			if err != nil {
				t.Fatalf("GetFindings: %v", err)
			}
			for _, x := range f.Findings {
				if aws.ToString(x.Type) == "Policy:IAMUser/RootCredentialUsage" && aws.ToString(x.AccountId) == acct.AccountID {
					return true
				}
			}
			return false
		})
	})
	refusedMu.Lock()
	defer refusedMu.Unlock()
	if len(subErr) > 0 {
		t.Errorf("the subscriber refused deliveries: %v", subErr)
	}
}

// waitHealthy waits until base answers /healthz.
func waitHealthy(t *testing.T, base string) {
	t.Helper()
	waitUntil(t, base+"/healthz", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// waitUntil polls ok until it holds, for at most generous.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(generous)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s never came", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// snsMessage is an SNS HTTP/S delivery's JSON body (Amazon SNS Developer Guide, "Parsing message
// formats").
type snsMessage struct {
	Type, MessageId, Token, TopicArn, Subject, Message, Timestamp string //nolint:revive,stylecheck // AWS's member names
	SubscribeURL, SignatureVersion, Signature, SigningCertURL     string
}

// verifySNS checks m's signature as the Amazon SNS Developer Guide, "Verifying the signatures of
// Amazon SNS messages", tells a subscriber to: the certificate fetched from SigningCertURL, the
// string to sign of the message's type, SHA1withRSA for SignatureVersion 1 and SHA256withRSA for 2.
func verifySNS(m *snsMessage) error {
	resp, err := http.Get(m.SigningCertURL)
	if err != nil {
		return fmt.Errorf("fetching SigningCertURL: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("SigningCertURL %s: %d, %v", m.SigningCertURL, resp.StatusCode, err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return fmt.Errorf("SigningCertURL %s is not PEM", m.SigningCertURL)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("the signing certificate's key is not RSA")
	}
	var b bytes.Buffer
	add := func(k, v string) { b.WriteString(k + "\n" + v + "\n") }
	add("Message", m.Message)
	add("MessageId", m.MessageId)
	if m.Type == "Notification" {
		if m.Subject != "" {
			add("Subject", m.Subject)
		}
		add("Timestamp", m.Timestamp)
	} else {
		add("SubscribeURL", m.SubscribeURL)
		add("Timestamp", m.Timestamp)
		add("Token", m.Token)
	}
	add("TopicArn", m.TopicArn)
	add("Type", m.Type)
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("Signature: %w", err)
	}
	switch m.SignatureVersion {
	case "1":
		sum := sha1.Sum(b.Bytes()) //nolint:gosec // SignatureVersion 1.
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	case "2":
		sum := sha256.Sum256(b.Bytes())
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	default:
		return fmt.Errorf("SignatureVersion %q", m.SignatureVersion)
	}
	if err != nil {
		return fmt.Errorf("signature does not verify: %w", err)
	}
	return nil
}
