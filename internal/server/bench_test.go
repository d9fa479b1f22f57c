package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

// BenchmarkGetCallerIdentity measures sts:GetCallerIdentity end to end over loopback through the
// SDK client (sign, send, verify, look up the key, answer, parse), next to a bare net/http handler
// that answers the same XML without any work, with the same client in the same run: the ratio of
// the two is the share of the bare server's throughput that Rootward keeps (issue 2 target ≥ 0.6).
func BenchmarkGetCallerIdentity(b *testing.B) {
	e := servertest.New(b)
	const canned = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/admin</Arn><UserId>AIDAAAAAAAAAAAAAAAAAA</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, canned)
	}))
	defer bare.Close()
	for _, target := range []struct{ name, url string }{{"rootward", e.URL}, {"bare", bare.URL}} {
		b.Run(target.name, func(b *testing.B) {
			cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(e.AdminKey.AccessKeyID, e.AdminKey.Secret, "")}
			c := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(target.url) })
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
