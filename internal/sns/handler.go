package sns

import (
	"io"
	"net/http"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
)

// Namespace is the XML namespace of SNS's answers (the xmlNamespace trait of the SNS Smithy
// model).
const Namespace = "http://sns.amazonaws.com/doc/2010-03-31/"

// CertHandler serves what SNS messages link to on Rootward's own listener, without AWS
// credentials, under /sns/ (mount it for that path prefix, GET and HEAD):
//
//   - /sns/SimpleNotificationService-<id>.pem: the signing certificate of SigningCertURL;
//   - /sns/?Action=ConfirmSubscription&TopicArn=…&Token=…: the SubscribeURL of a confirmation
//     request, answered with ConfirmSubscriptionResponse as AWS's;
//   - /sns/?Action=Unsubscribe&SubscriptionArn=…: the UnsubscribeURL of a notification.
//
// Errors are SNS's XML error answers. Nothing here needs the caller's identity: the token and
// the subscription ARN are the capabilities, as in AWS.
//
// A visit of these links is not recorded in CloudTrail, as AWS does not record it: "When you are
// not logged in to Amazon Web Services (unauthenticated mode) and either the ConfirmSubscription
// or Unsubscribe actions are invoked, then they will not be logged to CloudTrail" (Amazon SNS
// Developer Guide, "Logging Amazon SNS API calls using AWS CloudTrail",
// https://docs.aws.amazon.com/sns/latest/dg/sns-logging-using-cloudtrail.html). What tells an
// endpoint that it was unsubscribed is the UnsubscribeConfirmation it is sent (HTTP/S and
// email-json). The server's log gets a line for each successful visit (the action, the topic and
// the visitor's address; never the token or the subscription ARN, which are capabilities).
func (s *Service) CertHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		path := r.URL.Path
		switch {
		case strings.HasPrefix(path, "/sns/SimpleNotificationService-") && strings.HasSuffix(path, ".pem"):
			s.serveCert(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/sns/SimpleNotificationService-"), ".pem"))
		case path == "/sns/" || path == "/sns":
			s.serveAction(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

func (s *Service) serveCert(w http.ResponseWriter, r *http.Request, id string) {
	pemText, err := s.certPEM(r.Context(), id)
	if err != nil {
		s.log.Error("sns: reading the signing certificate", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if pemText == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = io.WriteString(w, pemText)
}

// serveAction answers a SubscribeURL or UnsubscribeURL.
func (s *Service) serveAction(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	reqID := newID()
	var err error
	switch q.Get("Action") {
	case "ConfirmSubscription":
		var sub *Subscription
		if sub, err = s.ConfirmSubscription(r.Context(), q.Get("TopicArn"), q.Get("Token"), false, false); err == nil {
			s.log.Info("sns: subscription confirmed through its SubscribeURL", "request_id", reqID, "topic", sub.TopicARN, "remote_addr", r.RemoteAddr)
			_ = awsproto.Response(w, Namespace, "ConfirmSubscription", reqID, &struct {
				SubscriptionArn string
			}{sub.ARN})
			return
		}
	case "Unsubscribe":
		if err = s.unsubscribeByURL(r.Context(), q.Get("SubscriptionArn")); err == nil {
			topic, _, _ := s.parseSubscriptionARN(q.Get("SubscriptionArn"))
			s.log.Info("sns: unsubscribe through an UnsubscribeURL", "request_id", reqID, "topic", topic, "remote_addr", r.RemoteAddr)
			_ = awsproto.Response(w, Namespace, "Unsubscribe", reqID, nil)
			return
		}
	default:
		err = invalid("Action")
	}
	e, ok := awserr.As(err)
	if !ok {
		s.log.Error("sns: answering a subscriber link", "request_id", reqID, "err", err)
		e = awserr.New(awserr.InternalFailure, "An internal error occurred. Retry the request.")
	}
	awsproto.ErrorResponse(w, Namespace, reqID, e)
}
