package testutil

import (
	"bytes"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// SDKHTTPClient is the AWS SDK's default HTTP client with one change, for tests whose clients make
// a single attempt: each request's body is copied into memory before it is sent, so that the
// transport, not the SDK, owns what it sends.
//
// Why: smithy-go closes a request's body as soon as Do returns (transport/http/client.go), and a
// closed body's WriteTo answers io.EOF (transport/http/internal/io/safe.go). net/http flushes the
// headers before a body it does not know to be in memory, copies the body straight to the socket,
// then reads it once more to check that it has ended (net/http's transferWriter.writeBody). When the
// server has read the request and answered in that gap, as Rootward on loopback under load does,
// the check reads the closed body, gets the EOF as an error, and the transport's writeLoop closes
// the connection under the answer being read: "deserialization failed, failed to decode response
// body, read tcp …: use of closed network connection" (aws/aws-sdk-go-v2 issues #1825 and #2737;
// the SDK's default retryer retries that error since its pull request #2949, which a single
// attempt turns off). A *bytes.Reader is known to be in memory: net/http writes it with the headers
// in one flush, and nothing closes it early. The bytes sent are the same.
func SDKHTTPClient() aws.HTTPClient {
	return bodyInMemory{awshttp.NewBuildableClient()}
}

type bodyInMemory struct{ client *awshttp.BuildableClient }

func (c bodyInMemory) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		if cerr := r.Body.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return c.client.Do(r)
}
