package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Webhook request format. Each SMS or voice message is one POST of
//
//	{"id": "…", "channel": "sms"|"voice", "to": "+15555550100", "body": "…", "purpose": "…"}
//
// with Content-Type application/json and two headers: X-Rootward-Timestamp (Unix seconds) and
// X-Rootward-Signature: "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + body)). The receiver
// recomputes the HMAC, compares in constant time and refuses stale timestamps, which stops forged
// and replayed requests (the scheme Stripe and Slack use for their webhooks). Any 2xx answer means
// the message was accepted; anything else is a failed delivery.
const (
	HeaderTimestamp = "X-Rootward-Timestamp"
	HeaderSignature = "X-Rootward-Signature"
)

// WebhookPayload is the JSON body of a webhook request.
type WebhookPayload struct {
	ID      string  `json:"id"`
	Channel Channel `json:"channel"`
	To      string  `json:"to"`
	Body    string  `json:"body"`
	Purpose string  `json:"purpose,omitempty"`
}

type webhookTransport struct {
	url    string
	secret []byte
	client *http.Client
	now    func() time.Time
}

// Sign returns the X-Rootward-Signature value of a request body sent at timestamp ts.
func Sign(secret []byte, ts string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifyWebhook checks a received request's signature and that its timestamp is within maxAge of
// now. Receivers written in Go (and Rootward's tests) use it.
func VerifyWebhook(secret []byte, ts, sig string, body []byte, now time.Time, maxAge time.Duration) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxAge || d < -maxAge {
		return false
	}
	return hmac.Equal([]byte(Sign(secret, ts, body)), []byte(sig))
}

func (w *webhookTransport) send(ctx context.Context, id string, m Message) error {
	body, err := json.Marshal(WebhookPayload{ID: id, Channel: m.Channel, To: m.To, Body: m.Body, Purpose: m.Purpose})
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(w.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.secret, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
