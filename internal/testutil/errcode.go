package testutil

import (
	"errors"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/rootward/rootward/internal/awserr"
)

// WantCode fails the test unless err carries the AWS error code want: an SDK client's error
// (smithy.APIError, as the SDKs decode the wire) or a service's *awserr.Error. An empty want
// means no error.
func WantCode[C ~string](t testing.TB, err error, want C) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return
	}
	got, ok := ErrorCode(err)
	if !ok {
		t.Fatalf("got error %v (%T), want code %s", err, err, want)
	}
	if got != string(want) {
		t.Fatalf("got code %s (%v), want %s", got, err, want)
	}
}

// ErrorCode returns the AWS error code err carries, as WantCode reads it.
func ErrorCode(err error) (string, bool) {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode(), true
	}
	if e, ok := awserr.As(err); ok {
		return string(e.Code), true
	}
	return "", false
}

// ErrorMessage returns the message of an SDK client's API error ("" when err is none).
func ErrorMessage(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorMessage()
	}
	return ""
}

// WantStatus fails the test unless err is an SDK client's error for an answer with the HTTP
// status want.
func WantStatus(t testing.TB, err error, want int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("got error %v (%T), want HTTP %d", err, err, want)
	}
	if got := re.HTTPStatusCode(); got != want {
		t.Fatalf("got HTTP %d (%v), want %d", got, err, want)
	}
}

// APIError returns the code and message of an SDK client's API error, failing the test unless
// err is one.
func APIError(t testing.TB, err error) (code, msg string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("got error %v (%T), want an API error the SDK parsed", err, err)
	}
	return api.ErrorCode(), api.ErrorMessage()
}
