package eventsapi_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// env is an in-process Rootward with EventBridge following its trail, a test clock, a recording
// target handler for ARNs of service "rootward", and an EventBridge client signing as the admin.
type env struct {
	*servertest.Env
	t     *testing.T
	clock *testutil.Clock
	eb    *eventbridge.Service
	c     *ebsdk.Client

	mu       sync.Mutex
	got      chan delivered // every delivery the handler accepted
	attempts chan eventbridge.Delivery
	waits    []time.Duration // the retry waits the bus asked for
	fail     func(n int) error
	calls    int
}

// delivered is one call of the test's target handler.
type delivered struct {
	arn, rule string
	payload   []byte
}

func newEnv(t *testing.T, opts ...eventbridge.Option) *env {
	t.Helper()
	en := &env{t: t, got: make(chan delivered, 64), attempts: make(chan eventbridge.Delivery, 256)}
	en.clock = testutil.NewClock(time.Now().UTC().Truncate(time.Second))
	after := func(d time.Duration) <-chan time.Time {
		// Retries run at once; the waits asked for are kept for the test to check.
		en.mu.Lock()
		en.waits = append(en.waits, d)
		en.mu.Unlock()
		ch := make(chan time.Time, 1)
		ch <- en.clock.Now()
		return ch
	}
	base := []eventbridge.Option{eventbridge.WithClock(en.clock.Now), eventbridge.WithAfter(after),
		eventbridge.WithObserver(func(d eventbridge.Delivery) { en.attempts <- d })}
	en.Env = servertest.Build(t, nil, en.clock.Now, func(cfg *server.Config, _ *iam.Service, st store.Store) {
		en.eb = eventbridge.New(st, append(base, opts...)...)
		cfg.EventBridge = en.eb
	})
	en.eb.FollowTrail(en.Trail)
	en.eb.HandleTargets("rootward", func(ctx context.Context, targetARN string, payload []byte) error {
		en.mu.Lock()
		en.calls++
		n, fail := en.calls, en.fail
		en.mu.Unlock()
		if fail != nil {
			if err := fail(n); err != nil {
				return err
			}
		}
		_, rule, _ := eventbridge.RuleFrom(ctx)
		en.got <- delivered{arn: targetARN, rule: rule, payload: payload}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	en.eb.Start(ctx)
	t.Cleanup(func() { cancel(); en.eb.Close() })
	en.c = en.client(en.AdminKey.AccessKeyID, en.AdminKey.Secret)
	return en
}

func (en *env) client(id, secret string) *ebsdk.Client {
	return ebsdk.NewFromConfig(en.Config(id, secret, ""))
}

// targetARN is an ARN the test's handler receives.
func (en *env) targetARN(name string) string {
	return "arn:aws:rootward:us-east-1:" + en.Account.ID + ":alert/" + name
}

// wait returns the next delivery the handler accepted, failing the test after 10 s without one
// (a bound on a hung bus, not a wait for time to pass).
func (en *env) wait() delivered {
	en.t.Helper()
	select {
	case d := <-en.got:
		return d
	case <-time.After(10 * time.Second):
		en.t.Fatal("no delivery within 10 s")
	}
	return delivered{}
}

// attempt returns the next recorded delivery attempt.
func (en *env) attempt() eventbridge.Delivery {
	en.t.Helper()
	select {
	case d := <-en.attempts:
		return d
	case <-time.After(10 * time.Second):
		en.t.Fatal("no delivery attempt within 10 s")
	}
	return eventbridge.Delivery{}
}

// putRule creates a rule with a pattern and, if any, targets of the test's handler.
func (en *env) putRule(name, pattern, state string, targets ...string) {
	en.t.Helper()
	ctx := servertest.Ctx(en.t)
	in := &ebsdk.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern)}
	if state != "" {
		in.State = ebTypesState(state)
	}
	if _, err := en.c.PutRule(ctx, in); err != nil {
		en.t.Fatalf("PutRule(%s): %v", name, err)
	}
	if len(targets) == 0 {
		return
	}
	out, err := en.c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String(name), Targets: sdkTargets(en, targets...)})
	if err != nil || out.FailedEntryCount != 0 {
		en.t.Fatalf("PutTargets(%s) = %+v, %v", name, out, err)
	}
}
