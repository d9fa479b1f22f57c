package server_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// internalDetail is what a failing database says: it must reach the log, never a client.
const internalDetail = "disk /var/lib/rootward/db.sqlite: I/O error at page 4711"

// leaked is the part of internalDetail a client must never see. Not the page number alone: the
// hexadecimal request ID in the client's error can hold "4711".
const leaked = "I/O error at page"

// failingStore is a store whose transactions fail with internalDetail once broken is set.
type failingStore struct {
	store.Store
	broken atomic.Bool
}

func (s *failingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(failingTx{tx, s}) })
}

func (s *failingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error { return fn(failingTx{tx, s}) })
}

type failingTx struct {
	store.Tx
	s *failingStore
}

func (t failingTx) err() error {
	if t.s.broken.Load() {
		return errors.New(internalDetail)
	}
	return nil
}

func (t failingTx) Get(kind, account, key string) ([]byte, error) {
	if err := t.err(); err != nil {
		return nil, err
	}
	return t.Tx.Get(kind, account, key)
}

func (t failingTx) GetMany(kind, account string, keys []string) ([][]byte, error) {
	if err := t.err(); err != nil {
		return nil, err
	}
	return t.Tx.GetMany(kind, account, keys)
}

func (t failingTx) List(kind, account, prefix, after string, limit int) ([]store.Item, error) {
	if err := t.err(); err != nil {
		return nil, err
	}
	return t.Tx.List(kind, account, prefix, after, limit)
}

func (t failingTx) Count(kind, account, prefix string) (int, error) {
	if err := t.err(); err != nil {
		return 0, err
	}
	return t.Tx.Count(kind, account, prefix)
}

// syncBuffer is a log sink the server's goroutines write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// An error that is not an AWS error (here the database failing) reaches the client as the
// service's internal failure code with a fixed message, over every protocol and through Invoke,
// while its text goes to the log with the request ID the client was given.
func TestInternalErrorStaysInTheLog(t *testing.T) {
	t.Parallel()
	fs := &failingStore{Store: testbackend.Open(t)}
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	e := servertest.Build(t, fs, nil, func(c *server.Config, _ *iam.Service, _ store.Store) { c.Logger = logger })
	c := e.Admin()
	srv := server.New(server.Config{IAM: e.Svc, Trail: e.Trail, Logger: logger})
	ctx := context.Background()
	fs.broken.Store(true)

	const wantMessage = "An internal error occurred. Retry the request."
	tests := []struct {
		name     string
		call     func() error
		wantCode string
	}{
		{"iam (awsQuery)", func() error { _, err := c.IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); return err }, "ServiceFailure"},
		{"sts (awsQuery)", func() error { _, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err }, "InternalFailure"},
		{"organizations (awsJson)", func() error {
			_, err := c.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}, "InternalFailure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("got error %v, want an API error", err)
			}
			if ae.ErrorCode() != tc.wantCode || ae.ErrorMessage() != wantMessage {
				t.Fatalf("got %s %q, want %s %q", ae.ErrorCode(), ae.ErrorMessage(), tc.wantCode, wantMessage)
			}
			if strings.Contains(err.Error(), leaked) {
				t.Fatalf("the client got the internal detail: %v", err)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.ServiceRequestID() == "" {
				t.Fatalf("got error %v without a request ID", err)
			}
			wantLogged(t, logs.String(), re.ServiceRequestID())
		})
	}

	t.Run("Invoke", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/", nil)
		_, err := api.Invoke(srv.Runner(), r, authz.Principal{Account: e.Account.ID, UserName: "admin"}, iamapi.ListUsers, &iamapi.ListUsersInput{})
		if err == nil || strings.Contains(err.Error(), leaked) {
			t.Fatalf("got error %v, want one without the internal detail", err)
		}
		if err.Error() != "ServiceFailure: "+wantMessage {
			t.Fatalf("got error %q, want %q", err, "ServiceFailure: "+wantMessage)
		}
		if !strings.Contains(logs.String(), internalDetail) {
			t.Fatalf("got log %s, want the internal detail", logs.String())
		}
	})
}

// wantLogged fails unless some log line holds both the request ID and the internal detail.
func wantLogged(t *testing.T, logs, requestID string) {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, requestID) && strings.Contains(line, internalDetail) {
			return
		}
	}
	t.Fatalf("got log %s, want a line with request ID %s and the internal detail", logs, requestID)
}
