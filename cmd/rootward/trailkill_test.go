package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go/middleware"
)

// TestKillKeepsAcknowledgedRecords kills `rootward serve` with SIGKILL while 8 writers call it
// (CreateUser, TagUser, then GetUser, each with a new user), starts it again on the same data, and checks
// that every call that was answered with success has its CloudTrail record (by request ID): a call
// is answered only once its record is committed (issue 11). The kill comes after a fixed number of
// successes, not after a time, and every writer stops at its first failure after it, so the test
// is bounded by that number.
func TestKillKeepsAcknowledgedRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve twice")
	}
	const (
		writers  = 8
		killAt   = 400  // successes before the kill
		maxCalls = 5000 // per writer, should the kill never come
	)
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServe(t, dir)
	srv.waitFor(t, "initialised a new data directory")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedCredentialsFiles([]string{filepath.Join(dir, "credentials")}),
		config.WithSharedConfigProfile("rootward"), config.WithSharedConfigFiles([]string{}), config.WithRegion("us-east-1"),
		config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	client := awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(srv.endpoint) })

	var (
		successes atomic.Int64
		killOnce  sync.Once
		killed    = make(chan struct{})
		mu        sync.Mutex
		acked     = map[string]string{} // request ID → the call it answered
		wg        sync.WaitGroup
	)
	kill := func() {
		killOnce.Do(func() {
			if err := srv.cmd.Process.Kill(); err != nil { // SIGKILL
				t.Error(err)
			}
			close(killed)
		})
	}
	ack := func(md middleware.Metadata, call string) {
		id, ok := awsmiddleware.GetRequestIDMetadata(md)
		if !ok || id == "" {
			t.Errorf("%s answered without a request ID", call)
			return
		}
		mu.Lock()
		acked[id] = call
		mu.Unlock()
		if successes.Add(1) == killAt {
			kill()
		}
	}
	// failed reports whether err ends the writer: any error does, but before the kill it is a
	// failure of the test.
	failed := func(call string, err error) bool {
		if err == nil {
			return false
		}
		select {
		case <-killed:
		default:
			t.Errorf("%s before the kill: %v", call, err)
			kill()
		}
		return true
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range maxCalls / 2 {
				name := fmt.Sprintf("w%d-%d", w, n)
				cu, err := client.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)})
				if failed("CreateUser "+name, err) {
					return
				}
				ack(cu.ResultMetadata, "CreateUser "+name)
				tu, err := client.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String(name),
					Tags: []types.Tag{{Key: aws.String("writer"), Value: aws.String(fmt.Sprint(w))}}})
				if failed("TagUser "+name, err) {
					return
				}
				ack(tu.ResultMetadata, "TagUser "+name)
				// A read: its record goes to the ring (internal/store/sqlite/ring.go), not the
				// segment, and must survive the kill as well.
				gu, err := client.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String(name)})
				if failed("GetUser "+name, err) {
					return
				}
				ack(gu.ResultMetadata, "GetUser "+name)
			}
		}()
	}
	wg.Wait()
	kill()
	_ = srv.cmd.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Restarted on the same data, serve opens it (SQLite recovers the WAL) and serves.
	again := startServe(t, dir)
	again.stop(t)
	stdout, stderr, code := run(t, "events", "--data", dir, "--json", "--limit", "100000")
	if code != 0 {
		t.Fatalf("rootward events: exit %d: %s", code, stderr)
	}
	recorded := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct {
			RequestID string `json:"requestID"`
			ErrorCode string `json:"errorCode"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("events line %q: %v", sc.Text(), err)
		}
		if e.ErrorCode == "" {
			recorded[e.RequestID] = true
		}
	}
	missing := 0
	for id, call := range acked {
		if !recorded[id] {
			missing++
			if missing <= 10 {
				t.Errorf("%s (request %s) was answered with success but has no record after the kill", call, id)
			}
		}
	}
	if len(acked) < killAt {
		t.Errorf("got %d successes; want at least %d before the kill", len(acked), killAt)
	}
	t.Logf("%d calls answered with success before the kill, %d successful calls recorded, %d missing", len(acked), len(recorded), missing)
}
