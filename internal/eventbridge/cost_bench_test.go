package eventbridge_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// BenchmarkTrailDeliveryCost splits the trail's cost per API call into its parts (issue 12: "trail
// delivery does not slow API calls beyond the 10 % of the storage issue"): signed
// sts:GetCallerIdentity calls through the server's handler in process, 32 concurrent callers, as
// BenchmarkRecordingCost in internal/trail, with
//
//   - unrecorded: no recorder;
//   - recorded: every call recorded (the durable append before the answer);
//   - matched: recorded, and the account's default bus follows the trail with the root-activity
//     alert's rule (which sees read-only calls, and matches none of these: the caller is an IAM
//     user): the alert's matching;
//   - delivered: as matched, plus a rule matching every call of aws.sts whose target's handler
//     takes the event (encoding, matching, delivery and the record of the attempt).
//
// Each reports the process's CPU time per call (cpu-µs/call), which a loaded machine inflates less
// than wall time; the cost of each part is the difference from the line before. The delivered run
// waits for every delivery before it stops the clock, so the asynchronous work is counted.
func BenchmarkTrailDeliveryCost(b *testing.B) {
	for _, stage := range []string{"unrecorded", "recorded", "matched", "delivered"} {
		b.Run(stage, func(b *testing.B) {
			var bus *eventbridge.Service
			var delivered, want atomic.Int64
			all := make(chan struct{}, 1)
			e := servertest.Build(b, nil, nil, func(cfg *server.Config, _ *iam.Service, st store.Store) {
				switch stage {
				case "unrecorded":
					cfg.Trail = nil
				case "matched", "delivered":
					bus = eventbridge.New(st, eventbridge.WithObserver(func(d eventbridge.Delivery) {
						if d.Outcome == eventbridge.OutcomeDelivered {
							if n, w := delivered.Add(1), want.Load(); w > 0 && n >= w {
								select {
								case all <- struct{}{}:
								default:
								}
							}
						}
					}))
					cfg.EventBridge = bus
				}
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if bus != nil {
				bus.FollowTrail(e.Trail)
				bus.HandleTargets("rootward", func(context.Context, string, []byte) error { return nil })
				bus.Start(ctx)
				defer bus.Close()
				alert := eventbridge.ManagedRule{Name: "RootwardRootActivity", ManagedBy: "rootward", EventPattern: `{"detail":{"userIdentity":{"type":["Root"]}}}`,
					Targets: []eventbridge.Target{{ID: "alert", ARN: "arn:aws:rootward:us-east-1:" + e.Account.ID + ":alert/root-activity"}}}
				if err := bus.EnsureManagedRule(ctx, e.Account.ID, alert); err != nil {
					b.Fatal(err)
				}
				if stage == "delivered" {
					if _, err := bus.PutRule(ctx, e.Account.ID, eventbridge.PutRuleInput{Name: "sts-calls", EventPattern: `{"source":["aws.sts"]}`,
						State: eventbridge.StateEnabledAll}); err != nil {
						b.Fatal(err)
					}
					if failed, err := bus.PutTargets(ctx, e.Account.ID, "sts-calls", []eventbridge.Target{{ID: "sink",
						ARN: "arn:aws:rootward:us-east-1:" + e.Account.ID + ":alert/sink"}}); err != nil || len(failed) != 0 {
						b.Fatalf("PutTargets = %v, %v", failed, err)
					}
				}
			}
			creds := aws.Credentials{AccessKeyID: e.AdminKey.AccessKeyID, SecretAccessKey: e.AdminKey.Secret}
			const body = "Action=GetCallerIdentity&Version=2011-06-15"
			sum := sha256.Sum256([]byte(body))
			payloadHash := hex.EncodeToString(sum[:])
			signer := v4.NewSigner()
			b.SetParallelism(16)
			b.ReportAllocs()
			before := delivered.Load()
			b.ResetTimer()
			cpu := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "http://rootward.test/", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
					if err := signer.SignHTTP(context.Background(), creds, req, payloadHash, "sts", "us-east-1", time.Now()); err != nil {
						b.Fatal(err)
					}
					w := httptest.NewRecorder()
					e.Server.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
			if stage == "delivered" {
				// Every call's event delivered (the minute bounds a hung bus; it is not a wait for
				// time to pass).
				want.Store(before + int64(b.N))
				if delivered.Load() < want.Load() {
					select {
					case <-all:
					case <-time.After(time.Minute):
						b.Fatalf("%d of %d events delivered", delivered.Load()-before, b.N)
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/call")
		})
	}
}

// cpuTime is the CPU time the process has used so far (user + system, every goroutine).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
