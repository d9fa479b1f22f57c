package trail_test

import (
	"path/filepath"
	"testing"

	"github.com/rootward/rootward/internal/store/sqlite"
	"github.com/rootward/rootward/internal/trail"
)

// BenchmarkRecordSerial records a signed GetCallerIdentity's event per iteration from one caller
// (batches of one, as a server answering one call at a time records them), on SQLite as serve
// runs it, and reports the CPU time of the process per call, the indexer's work included (the
// store is closed, which indexes the tail, before the time is read). With one caller the batching
// does not depend on how the machine schedules goroutines, so the figure moves less with the
// machine's load than BenchmarkRecordingCost's.
func BenchmarkRecordSerial(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "rootward.db"))
	if err != nil {
		b.Fatal(err)
	}
	r := trail.NewRecorder(st, nil)
	key := "AKIAEXAMPLE000000001"
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		ro := true
		e := &trail.Event{
			UserIdentity: trail.UserIdentity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE0000000001", ARN: "arn:aws:iam::111122223333:user/admin",
				AccountID: "111122223333", AccessKeyID: &key, UserName: "admin"},
			EventSource: "sts.amazonaws.com", EventName: "GetCallerIdentity", SourceIPAddress: "127.0.0.1",
			UserAgent: "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/sts#1.33.19 m/E,g",
			RequestID: "5f2c6c3e-8d0a-4a43-9a53-7c1b0e3d2f10", ReadOnly: &ro, EventType: trail.AwsAPICall, RecipientAccountID: "111122223333",
		}
		if err := r.Record(e); err != nil {
			b.Fatal(err)
		}
	}
	r.Close()
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/call")
}
