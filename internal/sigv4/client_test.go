package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// verifyingServer answers every request after Parse+Verify, and records what verification said.
type verifyingServer struct {
	*httptest.Server
	mu      sync.Mutex
	results []error
	auths   []*Auth
}

func newVerifyingServer(t *testing.T, reply string) *verifyingServer {
	t.Helper()
	s := &verifyingServer{}
	v := NewVerifier()
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a, err := Parse(r)
		if err == nil {
			err = v.Verify(r, body, a, testSecret, time.Now())
		}
		s.mu.Lock()
		s.results, s.auths = append(s.results, err), append(s.auths, a)
		s.mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>x</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *verifyingServer) last(t *testing.T) (*Auth, error) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.results) == 0 {
		t.Fatal("server saw no request")
	}
	return s.auths[len(s.auths)-1], s.results[len(s.results)-1]
}

func testConfig(srv *verifyingServer, token string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret, SessionToken: token}, nil
		}),
	}
}

// TestRealSDKClients sends real aws-sdk-go-v2 IAM and STS calls, with every header and middleware
// they add, to a server that verifies them.
func TestRealSDKClients(t *testing.T) {
	const listUsers = `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users/><IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListUsersResponse>`
	const callerIdentity = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	tests := []struct {
		name    string
		reply   string
		token   string
		service string
		call    func(ctx context.Context, cfg aws.Config, endpoint string) error
	}{
		{
			name: "iam ListUsers", reply: listUsers, service: "iam",
			call: func(ctx context.Context, cfg aws.Config, endpoint string) error {
				c := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(endpoint) })
				_, err := c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/division a/é+&=/")})
				return err
			},
		},
		{
			name: "sts GetCallerIdentity with session token", reply: callerIdentity, token: testToken, service: "sts",
			call: func(ctx context.Context, cfg aws.Config, endpoint string) error {
				c := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(endpoint) })
				_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			},
		},
		{
			name: "sts presigned GetCallerIdentity", reply: callerIdentity, token: testToken, service: "sts",
			call: func(ctx context.Context, cfg aws.Config, endpoint string) error {
				c := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(endpoint) })
				p, err := sts.NewPresignClient(c).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				if err != nil {
					return err
				}
				req, err := http.NewRequestWithContext(ctx, p.Method, p.URL, nil)
				if err != nil {
					return err
				}
				for k, vs := range p.SignedHeader {
					if k != "Host" {
						req.Header[k] = vs
					}
				}
				resp, err := cfg.HTTPClient.Do(req)
				if err != nil {
					return err
				}
				return resp.Body.Close()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newVerifyingServer(t, tt.reply)
			if err := tt.call(context.Background(), testConfig(srv, tt.token), srv.URL); err != nil {
				t.Fatalf("SDK call: %v", err)
			}
			a, err := srv.last(t)
			if err != nil {
				t.Fatalf("server verification: %v", err)
			}
			if a.Service != tt.service || a.SecurityToken != tt.token {
				t.Fatalf("Auth = %+v", a)
			}
		})
	}
}
