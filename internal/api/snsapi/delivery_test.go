package snsapi_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// subscriber is a local HTTPS endpoint as a subscriber writes one: it verifies each message's
// signature with the certificate it fetches from SigningCertURL (the SNS Developer Guide's
// "Verifying the signatures of Amazon SNS messages", written here independently of Rootward's
// signer), confirms a subscription by visiting its SubscribeURL, and keeps what it received.
type subscriber struct {
	t *testing.T
	// status answers the n-th request (from 1) of path; nil answers 200.
	status func(path string, n int) int

	mu       sync.Mutex
	hits     map[string]int
	received []received
}

type received struct {
	path      string
	header    http.Header
	msg       map[string]any
	verifyErr error
	// confirmed is the answer to the visit of a SubscribeURL.
	confirmed string
}

func newSubscriber(t *testing.T) (*subscriber, *httptest.Server) {
	s := &subscriber{t: t, hits: map[string]int{}}
	hs := httptest.NewUnstartedServer(s)
	hs.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted-certificate test's handshake errors
	hs.StartTLS()
	t.Cleanup(hs.Close)
	return s, hs
}

func (s *subscriber) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	n := s.hits[r.URL.Path]
	s.mu.Unlock()
	status := http.StatusOK
	if s.status != nil {
		status = s.status(r.URL.Path, n)
	}
	if status == http.StatusFound {
		http.Redirect(w, r, "/elsewhere", status)
		return
	}
	body, _ := io.ReadAll(r.Body)
	rc := received{path: r.URL.Path, header: r.Header.Clone()}
	if r.Header.Get("x-amz-sns-rawdelivery") != "true" {
		if err := json.Unmarshal(body, &rc.msg); err != nil {
			rc.verifyErr = err
		} else {
			rc.verifyErr = verifySNS(rc.msg)
		}
	} else {
		rc.msg = map[string]any{"raw": string(body)}
	}
	if status == http.StatusOK && rc.verifyErr == nil && rc.msg["Type"] == "SubscriptionConfirmation" {
		// Confirm from the SubscribeURL, with no credentials, as a subscriber does.
		resp, err := http.Get(rc.msg["SubscribeURL"].(string))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			rc.confirmed = fmt.Sprintf("%d %s", resp.StatusCode, b)
		}
	}
	s.mu.Lock()
	s.received = append(s.received, rc)
	s.mu.Unlock()
	w.WriteHeader(status)
}

func (s *subscriber) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

func (s *subscriber) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// verifySNS verifies an SNS message's signature as the guide says: the signing string of its
// type's fields, the certificate from SigningCertURL, SHA1withRSA for SignatureVersion 1 and
// SHA256withRSA for 2.
func verifySNS(m map[string]any) error {
	str := func(k string) string { s, _ := m[k].(string); return s }
	fields := []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	if str("Type") == "Notification" {
		fields = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	}
	var b strings.Builder
	for _, f := range fields {
		if _, ok := m[f]; !ok && f == "Subject" {
			continue
		}
		b.WriteString(f + "\n" + str(f) + "\n")
	}
	resp, err := http.Get(str("SigningCertURL"))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	pemBytes, _ := io.ReadAll(resp.Body)
	block, _ := pem.Decode(pemBytes)
	if resp.StatusCode != http.StatusOK || block == nil {
		return fmt.Errorf("SigningCertURL answered %d %q", resp.StatusCode, pemBytes)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("the certificate's key is not RSA")
	}
	sig, err := base64.StdEncoding.DecodeString(str("Signature"))
	if err != nil {
		return err
	}
	switch str("SignatureVersion") {
	case "1":
		sum := sha1.Sum([]byte(b.String()))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	case "2":
		sum := sha256.Sum256([]byte(b.String()))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	}
	return fmt.Errorf("SignatureVersion %q", str("SignatureVersion"))
}

// TestHTTPSSubscriber subscribes a local HTTPS endpoint, which confirms from the SubscribeURL and
// verifies a notification's signature with the certificate fetched from SigningCertURL, for
// both signature versions; the notification carries AWS's headers and JSON members.
func TestHTTPSSubscriber(t *testing.T) {
	for _, version := range []string{"1", "2"} {
		t.Run("SignatureVersion "+version, func(t *testing.T) {
			sub, hs := newSubscriber(t)
			e := newEnv(t, withTransport(hs.Client().Transport))
			ctx := servertest.Ctx(t)
			arn := e.createTopic("root-activity")
			if version == "2" {
				if _, err := e.admin.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(arn),
					AttributeName: aws.String("SignatureVersion"), AttributeValue: aws.String("2")}); err != nil {
					t.Fatal(err)
				}
			}
			out, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("https"), Endpoint: aws.String(hs.URL + "/hook")})
			if err != nil {
				t.Fatal(err)
			}
			if *out.SubscriptionArn != "pending confirmation" {
				t.Fatalf("SubscriptionArn = %s, want pending confirmation", *out.SubscriptionArn)
			}
			if n := e.deliver(); n != 1 {
				t.Fatalf("delivered %d, want the confirmation request", n)
			}
			got := sub.messages()
			if len(got) != 1 || got[0].verifyErr != nil || got[0].msg["Type"] != "SubscriptionConfirmation" {
				t.Fatalf("received %+v, want one verified SubscriptionConfirmation", got)
			}
			if !strings.HasPrefix(got[0].confirmed, "200 ") || !strings.Contains(got[0].confirmed, "<SubscriptionArn>"+arn+":") {
				t.Fatalf("visiting SubscribeURL answered %q, want 200 with the subscription's ARN", got[0].confirmed)
			}
			if c := got[0].msg["SigningCertURL"].(string); !strings.HasPrefix(c, e.url+"/sns/SimpleNotificationService-") {
				t.Fatalf("SigningCertURL = %s, want one on Rootward's own listener %s", c, e.url)
			}
			if a := e.topicAttributes(arn); a["SubscriptionsConfirmed"] != "1" || a["SubscriptionsPending"] != "0" {
				t.Fatalf("confirmed/pending = %s/%s, want 1/0", a["SubscriptionsConfirmed"], a["SubscriptionsPending"])
			}
			subs, err := e.admin.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
			if err != nil || len(subs.Subscriptions) != 1 {
				t.Fatalf("ListSubscriptionsByTopic: %v %v", subs, err)
			}
			subARN := *subs.Subscriptions[0].SubscriptionArn

			msg := `{"alert":"root signed in <from> 192.0.2.1 & more"}`
			pub, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String("Root sign-in"), Message: aws.String(msg),
				MessageAttributes: map[string]types.MessageAttributeValue{"severity": {DataType: aws.String("String"), StringValue: aws.String("high")}}})
			if err != nil {
				t.Fatal(err)
			}
			if n := e.deliver(); n != 1 {
				t.Fatalf("delivered %d, want the notification", n)
			}
			got = sub.messages()
			n := got[len(got)-1]
			if n.verifyErr != nil {
				t.Fatalf("notification signature: %v (%v)", n.verifyErr, n.msg)
			}
			wantHeaders := map[string]string{"x-amz-sns-message-type": "Notification", "x-amz-sns-message-id": *pub.MessageId,
				"x-amz-sns-topic-arn": arn, "x-amz-sns-subscription-arn": subARN, "Content-Type": "text/plain; charset=UTF-8"}
			for h, v := range wantHeaders {
				if got := n.header.Get(h); got != v {
					t.Errorf("header %s = %q, want %q", h, got, v)
				}
			}
			wantMembers := map[string]string{"Type": "Notification", "MessageId": *pub.MessageId, "TopicArn": arn, "Subject": "Root sign-in",
				"Message": msg, "SignatureVersion": version}
			for k, v := range wantMembers {
				if n.msg[k] != v {
					t.Errorf("%s = %v, want %q", k, n.msg[k], v)
				}
			}
			if u, _ := n.msg["UnsubscribeURL"].(string); !strings.HasPrefix(u, e.url+"/sns/?Action=Unsubscribe&SubscriptionArn=") {
				t.Errorf("UnsubscribeURL = %q", u)
			}
			attrs, _ := n.msg["MessageAttributes"].(map[string]any)
			if sev, _ := attrs["severity"].(map[string]any); sev["Type"] != "String" || sev["Value"] != "high" {
				t.Errorf("MessageAttributes = %v, want severity String high", n.msg["MessageAttributes"])
			}
			ds, err := e.svc.Deliveries(ctx, subARN)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 2 || ds[0].State != "delivered" || ds[1].State != "delivered" || len(ds[1].Attempts) != 1 || ds[1].Attempts[0].Status != 200 {
				t.Fatalf("deliveries = %+v, want the confirmation and the notification delivered at the first attempt", ds)
			}
		})
	}
}

// TestDeliveryRetries fails an HTTP/S endpoint twice and checks the retries follow the delivery
// policy on the injected clock (20 s apart), with every attempt recorded; a redirect is a failed
// attempt whose target is never fetched; attempts end with the policy's retries.
func TestDeliveryRetries(t *testing.T) {
	sub, hs := newSubscriber(t)
	sub.status = func(path string, n int) int {
		switch path {
		case "/flaky":
			if n == 2 || n == 3 { // the confirmation passes, then two failures
				return http.StatusInternalServerError
			}
		case "/down":
			if n > 1 {
				return http.StatusServiceUnavailable
			}
		case "/moved":
			if n > 1 {
				return http.StatusFound
			}
		}
		return http.StatusOK
	}
	e := newEnv(t, withTransport(hs.Client().Transport))
	ctx := servertest.Ctx(t)
	arn := e.createTopic("retries")
	subARNs := map[string]string{}
	for _, path := range []string{"/flaky", "/down", "/moved"} {
		out, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("https"),
			Endpoint: aws.String(hs.URL + path), ReturnSubscriptionArn: true})
		if err != nil {
			t.Fatal(err)
		}
		subARNs[path] = *out.SubscriptionArn
	}
	// One retry only for /down.
	if _, err := e.admin.SetSubscriptionAttributes(ctx, &awssns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(subARNs["/down"]),
		AttributeName: aws.String("DeliveryPolicy"), AttributeValue: aws.String(`{"http":{"defaultHealthyRetryPolicy":{"numRetries":1,"minDelayTarget":20,"maxDelayTarget":20}}}`)}); err != nil {
		t.Fatal(err)
	}
	if n := e.deliver(); n != 3 {
		t.Fatalf("delivered %d confirmations, want 3", n)
	}
	if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		advance time.Duration
		want    int
	}{{0, 3}, {0, 0}, {19 * time.Second, 0}, {time.Second, 3}, {20 * time.Second, 2}, {20 * time.Second, 1}, {time.Hour, 0}}
	for i, st := range steps {
		e.clock.Advance(st.advance)
		if n := e.deliver(); n != st.want {
			t.Fatalf("step %d (+%v): attempted %d, want %d", i, st.advance, n, st.want)
		}
	}
	want := map[string]struct {
		state    string
		statuses []int
	}{
		"/flaky": {"delivered", []int{500, 500, 200}},
		"/down":  {"failed", []int{503, 503}},
		"/moved": {"failed", []int{302, 302, 302, 302}},
	}
	for path, w := range want {
		ds, err := e.svc.Deliveries(ctx, subARNs[path])
		if err != nil {
			t.Fatal(err)
		}
		d := ds[len(ds)-1]
		var statuses []int
		for _, a := range d.Attempts {
			statuses = append(statuses, a.Status)
		}
		if d.State != w.state || fmt.Sprint(statuses) != fmt.Sprint(w.statuses) {
			t.Errorf("%s: state %s, attempts %v; want %s, %v", path, d.State, statuses, w.state, w.statuses)
		}
		if len(d.Attempts) > 1 {
			if gap := d.Attempts[1].Time.Sub(d.Attempts[0].Time); gap != 20*time.Second {
				t.Errorf("%s: %v between attempts, want 20s", path, gap)
			}
		}
	}
	if n := sub.hitsOf("/elsewhere"); n != 0 {
		t.Fatalf("the redirect's target was fetched %d times, want never", n)
	}
}

// TestDeliveriesTrustOnlyTheirTransport checks the test above trusts its subscriber only through
// the transport it gave: a service with the default transport refuses the test certificate.
func TestDeliveriesTrustOnlyTheirTransport(t *testing.T) {
	sub, hs := newSubscriber(t)
	e := newEnv(t)
	ctx := servertest.Ctx(t)
	arn := e.createTopic("untrusted")
	out, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("https"), Endpoint: aws.String(hs.URL + "/x"), ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatal(err)
	}
	e.deliver()
	ds, err := e.svc.Deliveries(ctx, *out.SubscriptionArn)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || len(ds[0].Attempts) != 1 || ds[0].Attempts[0].OK || !strings.Contains(ds[0].Attempts[0].Error, "certificate") {
		t.Fatalf("deliveries %+v, want one failed attempt for the unknown certificate", ds)
	}
	if len(sub.messages()) != 0 {
		t.Fatal("the subscriber received a message over an untrusted connection")
	}
}

// TestRawMessageDelivery sends a raw message (no JSON envelope) with x-amz-sns-rawdelivery.
func TestRawMessageDelivery(t *testing.T) {
	sub, hs := newSubscriber(t)
	e := newEnv(t, withTransport(hs.Client().Transport))
	ctx := servertest.Ctx(t)
	arn := e.createTopic("raw")
	out, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("https"), Endpoint: aws.String(hs.URL + "/raw"),
		Attributes: map[string]string{"RawMessageDelivery": "true"}, ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatal(err)
	}
	e.deliver()
	a, err := e.admin.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: out.SubscriptionArn})
	if err != nil {
		t.Fatal(err)
	}
	if a.Attributes["RawMessageDelivery"] != "true" || a.Attributes["PendingConfirmation"] != "false" || a.Attributes["Protocol"] != "https" {
		t.Fatalf("attributes %v", a.Attributes)
	}
	if _, err := e.admin.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("plain text")}); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	got := sub.messages()
	if last := got[len(got)-1]; last.msg["raw"] != "plain text" || last.header.Get("x-amz-sns-message-type") != "Notification" {
		t.Fatalf("received %+v, want the raw message", last)
	}
	// Raw delivery is for HTTP/S (and queues) only.
	e2, err := e.admin.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String("a@example.com"),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	testutil.WantCode(t, err, "InvalidParameter")
	if e2 != nil {
		t.Fatalf("Subscribe answered %v", e2)
	}
}
