// Package awserr holds the one error type that crosses Rootward's layers: an AWS wire error code, a
// message safe to show the caller, and the side at fault. The wire layer turns it into the
// protocol's error shape; anything that is not an *Error reaches the client as InternalFailure with
// a fixed message, and its detail goes only to the log.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS API error: Code is the wire code the SDKs match (e.g. "NoSuchEntity"), Message is
// shown to the caller verbatim, so it must never carry a secret or an internal detail.
type Error struct {
	Code    string
	Message string
	// Status overrides the HTTP status from the code table when non-zero.
	Status int
	// Fields are extra members of JSON-protocol errors, such as Organizations' "Reason".
	Fields map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus is the status the error is answered with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	if s, ok := statusByCode[e.Code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Sender reports whether the caller is at fault (Type Sender in awsQuery errors) rather than the
// service (Type Receiver).
func (e *Error) Sender() bool { return e.HTTPStatus() < 500 }

// New returns an *Error with a formatted message.
func New(code, format string, args ...any) *Error {
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
func IsCode(err error, code string) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// Codes used across packages. Sources: the IAM and STS API references ("Errors" sections) and the
// awsQuery error shapes in aws-sdk-go-v2 service/iam/types/errors.go and service/sts/types/errors.go.
const (
	AccessDenied                  = "AccessDenied"
	DeleteConflict                = "DeleteConflict"
	EntityAlreadyExists           = "EntityAlreadyExists"
	EntityTemporarilyUnmodifiable = "EntityTemporarilyUnmodifiable"
	ExpiredToken                  = "ExpiredToken"
	IncompleteSignature           = "IncompleteSignature"
	InternalFailure               = "InternalFailure"
	InvalidAction                 = "InvalidAction"
	InvalidAuthenticationCode     = "InvalidAuthenticationCode"
	InvalidClientTokenID          = "InvalidClientTokenId"
	InvalidInput                  = "InvalidInput"
	InvalidParameterValue         = "InvalidParameterValue"
	InvalidParameterCombination   = "InvalidParameterCombination"
	LimitExceeded                 = "LimitExceeded"
	MalformedPolicyDocument       = "MalformedPolicyDocument"
	MalformedQueryString          = "MalformedQueryString"
	MissingAction                 = "MissingAction"
	MissingAuthenticationToken    = "MissingAuthenticationToken"
	MissingParameter              = "MissingParameter"
	NoSuchEntity                  = "NoSuchEntity"
	PasswordPolicyViolation       = "PasswordPolicyViolation"
	RequestEntityTooLarge         = "RequestEntityTooLarge"
	RequestExpired                = "RequestExpired"
	ServiceFailure                = "ServiceFailure"
	SignatureDoesNotMatch         = "SignatureDoesNotMatch"
	ValidationError               = "ValidationError"
	PackedPolicyTooLarge          = "PackedPolicyTooLarge"
	RegionDisabled                = "RegionDisabledException"
	IDPRejectedClaim              = "IDPRejectedClaim"
	ReportNotPresent              = "ReportNotPresent"
	InvalidCertificate            = "InvalidCertificate"
	DuplicateCertificate          = "DuplicateCertificate"
	MalformedCertificate          = "MalformedCertificate"
	Throttling                    = "Throttling"
	UnmodifiableEntity            = "UnmodifiableEntity"
)

// statusByCode maps wire codes to HTTP statuses. Sources: the IAM API Reference's "Common Errors"
// (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html) and the httpStatusCode
// traits of the IAM/STS Smithy models (e.g. NoSuchEntityException 404, EntityAlreadyExists 409).
var statusByCode = map[string]int{
	AccessDenied:                  http.StatusForbidden,
	DeleteConflict:                http.StatusConflict,
	EntityAlreadyExists:           http.StatusConflict,
	EntityTemporarilyUnmodifiable: http.StatusConflict,
	ExpiredToken:                  http.StatusBadRequest,
	IncompleteSignature:           http.StatusBadRequest,
	InternalFailure:               http.StatusInternalServerError,
	InvalidAction:                 http.StatusBadRequest,
	InvalidAuthenticationCode:     http.StatusForbidden,
	InvalidClientTokenID:          http.StatusForbidden,
	InvalidInput:                  http.StatusBadRequest,
	LimitExceeded:                 http.StatusConflict,
	MalformedPolicyDocument:       http.StatusBadRequest,
	MissingAuthenticationToken:    http.StatusForbidden,
	NoSuchEntity:                  http.StatusNotFound,
	PasswordPolicyViolation:       http.StatusBadRequest,
	RequestEntityTooLarge:         http.StatusRequestEntityTooLarge,
	RequestExpired:                http.StatusBadRequest,
	ServiceFailure:                http.StatusInternalServerError,
	SignatureDoesNotMatch:         http.StatusForbidden,
	ValidationError:               http.StatusBadRequest,
	ReportNotPresent:              http.StatusGone,
	Throttling:                    http.StatusBadRequest,
	RegionDisabled:                http.StatusForbidden,
	UnmodifiableEntity:            http.StatusBadRequest,
}
