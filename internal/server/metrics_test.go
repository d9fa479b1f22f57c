package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

// TestMetricsCountCalls checks the series /metrics exposes after a few calls: one per service,
// action and result code, each counted, and the latency histogram per service.
func TestMetricsCountCalls(t *testing.T) {
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	for range 3 {
		if _, err := e.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	_, bad := e.Clients(e.AdminKey.AccessKeyID, "not-the-secret", "")
	for range 2 {
		if _, err := bad.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
			t.Fatal("GetCallerIdentity with a wrong secret succeeded")
		}
	}
	resp, err := http.Get(e.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	for _, want := range []string{
		`rootward_api_requests_total{action="GetCallerIdentity",code="OK",service="sts"} 3`,
		`rootward_api_requests_total{action="GetCallerIdentity",code="SignatureDoesNotMatch",service="sts"} 2`,
		`rootward_api_request_duration_seconds_count{service="sts"} 5`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q; got:\n%s", want, grepLines(body, "rootward_api_"))
		}
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
