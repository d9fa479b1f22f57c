package server_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootward/rootward/internal/api/services"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/httpmux"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/postgres"
	"github.com/rootward/rootward/internal/store/postgres/pgtest"
	"github.com/rootward/rootward/internal/store/storetest"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// during returns what the Updates of fn wrote through w.
func during(t testing.TB, w *storetest.WriteLog, fn func() error) []store.Change {
	t.Helper()
	w.Take()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	return w.Take()
}

// twoNodes are two servers on two handles of one PostgreSQL schema, as two `serve` processes
// would be. Their clock stands still, so nothing either caches could ever expire by age: only
// the change feed can tell node B that node A changed something.
type twoNodes struct {
	a    *servertest.Env
	logA *storetest.WriteLog
	urlB string
	stB  store.Store
}

func newTwoNodes(t testing.TB) *twoNodes {
	t.Helper()
	dsn := pgtest.FreshSchema(t, pgtest.DSN(t))
	open := func() store.Store {
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	started := time.Now().UTC()
	now := func() time.Time { return started }
	n := &twoNodes{logA: &storetest.WriteLog{Store: open()}, stB: open()}
	n.a = servertest.Build(t, n.logA, now)
	svcB := iam.New(n.stB, testutil.Sealer(t), iam.WithClock(now), iam.WithPasswordCost(password.Params{Memory: 64, Time: 1, Threads: 1}))
	rec := trail.NewRecorder(n.stB, nil)
	t.Cleanup(rec.Close)
	srv := server.New(server.Config{IAM: svcB, Trail: rec, Now: now, Services: services.All()})
	hs := httptest.NewServer(httpmux.New(httpmux.Config{API: srv, Metrics: srv.Metrics()}))
	t.Cleanup(hs.Close)
	n.urlB = hs.URL
	return n
}

// user creates a user with AdministratorAccess and an access key through node A's service, and
// returns the key and IAM clients signing with it on node A and on node B.
func (n *twoNodes) user(t testing.TB, name string) (key *iam.AccessKey, onA, onB *awsiam.Client) {
	t.Helper()
	ctx := context.Background()
	acct := n.a.Account.ID
	if _, err := n.a.Svc.CreateUser(ctx, acct, iam.CreateUserInput{UserName: name}); err != nil {
		t.Fatal(err)
	}
	if err := n.a.Svc.AttachPolicy(ctx, acct, "user", name, servertest.AdminPolicyARN); err != nil {
		t.Fatal(err)
	}
	k, err := n.a.Svc.CreateAccessKey(ctx, acct, name)
	if err != nil {
		t.Fatal(err)
	}
	onA, _ = n.a.Clients(k.AccessKeyID, k.Secret, "")
	cfg := n.a.Config(k.AccessKeyID, k.Secret, "")
	cfg.BaseEndpoint = aws.String(n.urlB)
	return k, onA, awsiam.NewFromConfig(cfg)
}

// delivered returns a channel closed once node B's feed has delivered every change of want. The
// subscription is made now, before the write, and after node B's server subscribed its caches:
// subscribers get a batch in the order they subscribed, so when the channel closes node B's
// caches have dropped what the changes made stale.
func (n *twoNodes) delivered(t testing.TB) (arm func(want []store.Change) <-chan struct{}) {
	t.Helper()
	var mu sync.Mutex
	var got []store.Change
	var pending []store.Change
	done := make(chan struct{})
	check := func() {
		if pending == nil {
			return
		}
		for _, w := range pending {
			if !slices.Contains(got, w) {
				return
			}
		}
		pending = nil
		close(done)
	}
	cancel := n.stB.Changes().Subscribe(func(b []store.Change) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, b...)
		check()
	})
	t.Cleanup(cancel)
	return func(want []store.Change) <-chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		pending = want
		check()
		return done
	}
}

func wait(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second): // a guard against a broken feed, not a timing assertion
		t.Fatalf("node B's feed never delivered %s", what)
	}
}

// A key deactivated through node A stops working on node B, which had it cached, as soon as
// node B's feed delivers the change; a new explicit Deny through node A likewise. A user whose
// objects did not change keeps working on node B throughout.
func TestTwoNodesRevocation(t *testing.T) {
	n := newTwoNodes(t)
	ctx := context.Background()
	aliceKey, _, aliceB := n.user(t, "alice")
	_, _, bobB := n.user(t, "bob")
	listUsers := func(c *awsiam.Client) error {
		_, err := c.ListUsers(ctx, &awsiam.ListUsersInput{})
		return err
	}
	for _, c := range []*awsiam.Client{aliceB, bobB} {
		if err := listUsers(c); err != nil {
			t.Fatalf("before any change, on node B: got %v, want nil", err)
		}
	}
	arm := n.delivered(t)

	t.Run("explicit deny", func(t *testing.T) {
		deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`
		wrote := during(t, n.logA, func() error {
			_, err := n.a.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(deny)})
			return err
		})
		wait(t, arm(wrote), "the new policy")
		testutil.WantCode(t, listUsers(aliceB), awserr.AccessDenied)
		if err := listUsers(bobB); err != nil {
			t.Errorf("bob on node B after alice's deny: got %v, want nil", err)
		}
	})

	arm = n.delivered(t)
	t.Run("key deactivated", func(t *testing.T) {
		wrote := during(t, n.logA, func() error {
			_, err := n.a.IAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(aliceKey.AccessKeyID), Status: "Inactive"})
			return err
		})
		wait(t, arm(wrote), "the key's change")
		_, err := aliceB.GetUser(ctx, &awsiam.GetUserInput{})
		testutil.WantCode(t, err, awserr.InvalidClientTokenID)
		if err := listUsers(bobB); err != nil {
			t.Errorf("bob on node B after alice's key: got %v, want nil", err)
		}
	})
}

// BenchmarkTwoNodesRevocation measures revoke-to-effect latency across two nodes on PostgreSQL:
// node A answers an UpdateAccessKey call that deactivates a key node B has cached; from that
// answer until node B refuses the key (the benchmark asks node B again and again) is the latency
// reported as p50-ms and p99-ms. call-p50-ms and call-p99-ms count from the start of the call
// instead, the revocation's own cost included. Run it with ROOTWARD_TEST_POSTGRES set:
//
//	go test ./internal/server -run '^$' -bench TwoNodesRevocation -benchtime 500x
func BenchmarkTwoNodesRevocation(b *testing.B) {
	n := newTwoNodes(b)
	ctx := context.Background()
	key, _, onB := n.user(b, "alice")
	setStatus := func(status types.StatusType) {
		if _, err := n.a.IAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(key.AccessKeyID), Status: status}); err != nil {
			b.Fatal(err)
		}
	}
	// until asks node B until its answer is refused (or not, per want), and returns when.
	until := func(refused bool) time.Time {
		guard := time.Now().Add(30 * time.Second) // against a broken feed, not a timing assertion
		for {
			_, err := onB.GetUser(ctx, &awsiam.GetUserInput{})
			at := time.Now()
			if (err != nil) == refused {
				if refused {
					testutil.WantCode(b, err, awserr.InvalidClientTokenID)
				}
				return at
			}
			if at.After(guard) {
				b.Fatalf("node B still answers %v", err)
			}
		}
	}
	latencies, calls := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		setStatus(types.StatusTypeActive)
		until(false) // node B accepts the key again, and has it cached
		b.StartTimer()
		began := time.Now()
		setStatus(types.StatusTypeInactive)
		answered := time.Now()
		refused := until(true)
		latencies, calls = append(latencies, refused.Sub(answered)), append(calls, refused.Sub(began))
	}
	b.StopTimer()
	pct := func(d []time.Duration, p float64) float64 {
		slices.Sort(d)
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(latencies, 0.50), "p50-ms")
	b.ReportMetric(pct(latencies, 0.99), "p99-ms")
	b.ReportMetric(pct(calls, 0.50), "call-p50-ms")
	b.ReportMetric(pct(calls, 0.99), "call-p99-ms")
}
