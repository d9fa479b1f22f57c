package testutil

import (
	"errors"
	"testing"

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
