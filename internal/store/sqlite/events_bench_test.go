package sqlite

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// BenchmarkAppendEvents measures AppendEvents of batches of 32 events (the group commit's batch
// under wrk -c32), per event, with CloudTrail bodies of a typical 1.2 KB:
//   - "same-user" events are what a load of one caller makes (the e2e benchmark's signed
//     GetCallerIdentity): one account, user, key and action, read-only;
//   - "distinct-users" events each have a user, key and resource of their own, half of them
//     changing something.
//
// IDs are UUIDv7 minted in order, as trail.Recorder mints them, or random (v4), as copies carry.
// Each append is durable the way serve makes it (see AppendEvents), and the events appended are
// indexed before the CPU time is read, so cpu-µs/event includes the indexer's work.
func BenchmarkAppendEvents(b *testing.B) {
	const batch = 32
	body := []byte(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE0000000001","arn":"arn:aws:iam::111122223333:user/admin","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE000000001","userName":"admin"},"eventTime":"2026-12-06T15:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/sts#1.33.19 m/E,g","requestParameters":null,"responseElements":null,"requestID":"` + strings.Repeat("r", 36) + `","eventID":"` + strings.Repeat("e", 36) + `","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"127.0.0.1"},` + `"pad":"` + strings.Repeat("x", 420) + `"}`)
	for _, ids := range []string{"v7", "v4"} {
		for _, kind := range []string{"same-user", "distinct-users"} {
			b.Run(kind+"/"+ids, func(b *testing.B) {
				db := openBench(b)
				ctx := context.Background()
				var ms, ctr uint64
				n := 0
				b.ReportAllocs()
				b.SetBytes(int64(len(body)) * batch)
				cpu := cpuTime()
				for b.Loop() {
					events := make([]*store.StoredEvent, batch)
					now := time.Now()
					for i := range events {
						e := &store.StoredEvent{Account: "111122223333", Time: now, Source: "sts.amazonaws.com",
							Name: "GetCallerIdentity", UserName: "admin", AccessKey: "AKIAEXAMPLE000000001", ReadOnly: true, Body: body}
						if kind == "distinct-users" {
							e.Source, e.Name, e.ReadOnly = "iam.amazonaws.com", []string{"GetUser", "TagUser"}[n%2], n%2 == 0
							e.UserName, e.AccessKey = fmt.Sprintf("user%07d", n), fmt.Sprintf("AKIA%016d", n)
							e.ResourceType, e.ResourceName = "AWS::IAM::User", fmt.Sprintf("target%07d", n*31%1000003)
						}
						if ids == "v7" {
							if t := uint64(now.UnixMilli()); t > ms {
								ms, ctr = t, 0
							}
							ctr++
							e.ID = benchUUID(ms, ctr, 7)
						} else {
							e.ID = benchUUID(0, 0, 4)
						}
						events[i] = e
						n++
					}
					if err := db.AppendEvents(ctx, events); err != nil {
						b.Fatal(err)
					}
				}
				// The indexer's work for these events is part of their cost.
				if err := db.tail.flush(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/event")
				// CPU time of the process (user + system, every goroutine), which a loaded machine
				// does not inflate the way it inflates wall time.
				b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(n), "cpu-µs/event")
			})
		}
	}
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchUUID is a UUID of version v: for 7, ms and a counter, then random bits; for 4, random.
func benchUUID(ms, ctr uint64, v byte) string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	if v == 7 {
		binary.BigEndian.PutUint64(u[:8], ms<<16|ctr&0xfff)
	}
	u[6] = u[6]&0x0f | v<<4
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
