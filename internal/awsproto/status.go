package awsproto

import (
	"net/http"

	"github.com/rootward/rootward/internal/awserr"
)

// Status is the HTTP status an error is answered with: its own override, else the code's status
// in the table below, else 400.
func Status(e *awserr.Error) int {
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
func Sender(e *awserr.Error) bool { return Status(e) < 500 }

// statusByCode maps wire codes to HTTP statuses. Sources: the IAM API Reference's "Common Errors"
// (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html) and the httpStatusCode
// traits of the IAM/STS Smithy models (e.g. NoSuchEntityException 404, EntityAlreadyExists 409).
var statusByCode = map[string]int{
	awserr.AccessDenied:                  http.StatusForbidden,
	awserr.DeleteConflict:                http.StatusConflict,
	awserr.EntityAlreadyExists:           http.StatusConflict,
	awserr.EntityTemporarilyUnmodifiable: http.StatusConflict,
	awserr.ExpiredToken:                  http.StatusBadRequest,
	awserr.IncompleteSignature:           http.StatusBadRequest,
	awserr.InternalFailure:               http.StatusInternalServerError,
	awserr.InvalidAction:                 http.StatusBadRequest,
	awserr.InvalidAuthenticationCode:     http.StatusForbidden,
	awserr.InvalidClientTokenID:          http.StatusForbidden,
	awserr.InvalidInput:                  http.StatusBadRequest,
	awserr.LimitExceeded:                 http.StatusConflict,
	awserr.MalformedPolicyDocument:       http.StatusBadRequest,
	awserr.MissingAuthenticationToken:    http.StatusForbidden,
	awserr.NoSuchEntity:                  http.StatusNotFound,
	awserr.PasswordPolicyViolation:       http.StatusBadRequest,
	awserr.RequestEntityTooLarge:         http.StatusRequestEntityTooLarge,
	awserr.RequestExpired:                http.StatusBadRequest,
	awserr.ServiceFailure:                http.StatusInternalServerError,
	awserr.SignatureDoesNotMatch:         http.StatusForbidden,
	awserr.ValidationError:               http.StatusBadRequest,
	awserr.ReportNotPresent:              http.StatusGone,
	"ReportExpired":                      http.StatusGone,
	awserr.DuplicateCertificate:          http.StatusConflict,
	awserr.Throttling:                    http.StatusBadRequest,
	awserr.RegionDisabled:                http.StatusForbidden,
	awserr.UnmodifiableEntity:            http.StatusBadRequest,
}
