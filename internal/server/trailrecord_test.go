package server_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// trailDetail is what a failing event log says: it must reach the log, never a client.
const trailDetail = "event log /var/lib/rootward/db.sqlite: disk I/O error"

// gatedLog is a store whose event log appends can be held (entered/release) or made to fail.
type gatedLog struct {
	store.Store
	fail    atomic.Bool
	hold    atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (g *gatedLog) AppendEvents(ctx context.Context, events []*store.StoredEvent) error {
	if g.fail.Load() {
		return errors.New(trailDetail)
	}
	if g.hold.Load() {
		g.entered <- struct{}{}
		<-g.release
	}
	return g.Store.AppendEvents(ctx, events)
}

func gatedEnv(t *testing.T, logger *slog.Logger) (*servertest.Env, *gatedLog) {
	g := &gatedLog{Store: testbackend.Open(t), entered: make(chan struct{}), release: make(chan struct{})}
	e := servertest.Build(t, g, nil, func(c *server.Config, _ *iam.Service, _ store.Store) {
		if logger != nil {
			c.Logger = logger
		}
	})
	return e, g
}

// A call is answered only once its trail record has been committed: while the commit is held, the
// call does not return; once it is released the call succeeds and its record, with the request ID
// the client got, is stored.
func TestCallAnsweredAfterItsRecord(t *testing.T) {
	t.Parallel()
	e, g := gatedEnv(t, nil)
	ctx := context.Background()
	g.hold.Store(true)
	type result struct {
		out *sts.GetCallerIdentityOutput
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := e.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		done <- result{out, err}
	}()
	<-g.entered // the call's record is being committed
	select {
	case r := <-done:
		t.Fatalf("the call returned (%v, %v) while its record was not yet committed", r.out, r.err)
	default:
	}
	g.hold.Store(false)
	close(g.release)
	r := <-done
	if r.err != nil {
		t.Fatalf("GetCallerIdentity = %v; want success", r.err)
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(r.out.ResultMetadata)
	p, err := trail.List(ctx, e.Store, trail.Query{Account: e.Account.ID, Match: func(ev *trail.Event) bool { return ev.RequestID == id }})
	if err != nil || len(p.Events) != 1 || p.Events[0].EventName != "GetCallerIdentity" || p.Events[0].ErrorCode != "" {
		t.Fatalf("records of request %s = %+v, %v; want one successful GetCallerIdentity", id, p.Events, err)
	}
}

// When the trail cannot store a call's record, the call answers the service's internal failure
// (HTTP 500, the fixed message), whatever its own outcome, and the cause goes to the log only.
func TestRecordFailureAnswersInternalError(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	e, g := gatedEnv(t, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	denied, _ := e.UserClients("nobody", "")
	g.fail.Store(true)
	const wantMessage = "An internal error occurred. Retry the request."
	tests := []struct {
		name     string
		call     func() error
		wantCode string
	}{
		{"a write that succeeded", func() error {
			_, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("recorded-or-not")})
			return err
		}, "ServiceFailure"},
		{"a read", func() error { _, err := e.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err }, "InternalFailure"},
		{"a call that failed", func() error {
			_, err := denied.ListUsers(ctx, &awsiam.ListUsersInput{})
			return err
		}, "ServiceFailure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantCode || ae.ErrorMessage() != wantMessage {
				t.Fatalf("got %v; want %s %q", err, tc.wantCode, wantMessage)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusInternalServerError {
				t.Fatalf("got %v; want HTTP 500", err)
			}
			if strings.Contains(err.Error(), "disk I/O") {
				t.Fatalf("the client got the internal detail: %v", err)
			}
			if !strings.Contains(logs.String(), re.ServiceRequestID()) || !strings.Contains(logs.String(), "disk I/O error") {
				t.Fatalf("the log lacks request %s with the cause:\n%s", re.ServiceRequestID(), logs.String())
			}
		})
	}
	// The trail back, calls answer as before.
	g.fail.Store(false)
	if _, err := e.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity after the trail recovered = %v", err)
	}
}
