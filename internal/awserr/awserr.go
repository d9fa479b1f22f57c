// Package awserr holds the one error type that crosses Rootward's layers: an AWS wire error code and
// a message safe to show the caller. The wire layer (internal/awsproto) gives it its HTTP status and
// the protocol's error shape; anything that is not an *Error reaches the client as InternalFailure with
// a fixed message, and its detail goes only to the log.
package awserr

import (
	"errors"
	"fmt"
)

// Code is an AWS wire error code, the string the SDKs match (smithy.APIError's ErrorCode). The codes
// Rootward answers are the constants of this package, one file per service (common.go for those of
// the protocols every service shares); the wire layer registers each one's HTTP status and fault
// side (awsproto.Status).
type Code string

// Error is an AWS API error: Code is the wire code the SDKs match (e.g. "NoSuchEntity"), Message is
// shown to the caller verbatim, so it must never carry a secret or an internal detail.
type Error struct {
	Code    Code
	Message string
	// Status overrides the HTTP status that the wire layer's table gives the code, when non-zero
	// (awsproto.Status).
	Status int
	// Fields are extra members of JSON-protocol errors, such as Organizations' "Reason".
	Fields map[string]string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// New returns an *Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// IsCode reports whether err is an *Error with the given code.
func IsCode(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}
