package api

import (
	"net/http"

	"github.com/rootward/rootward/internal/awserr"
)

// What the restJson1 services (Security Hub, GuardDuty, Account Management) share in their errors.

// AccessDeniedException is a restJson1 service's refusal: AccessDeniedException with HTTP 403, as
// Security Hub, GuardDuty and Account Management answer it (their API references). The code is
// registered once, with Organizations' status 400 (awsproto's registry), so the status travels on
// the error.
func AccessDeniedException(msg string) error {
	return &awserr.Error{Code: awserr.OrgsAccessDenied, Message: msg, Status: http.StatusForbidden}
}

// Forbidden is err with the authorizer's AccessDenied turned into AccessDeniedException (HTTP 403),
// its message kept; any other error as it is.
func Forbidden(err error) error {
	if e, ok := awserr.As(err); ok && e.Code == awserr.AccessDenied {
		return AccessDeniedException(e.Message)
	}
	return err
}

// Wired returns dep, the domain service an operation needs from Deps, or an internal error saying
// that the server has none (missing names it: "GuardDuty service"): a wiring fault, answered as
// InternalFailure and logged, never a client's error.
func Wired[T any](dep *T, missing string) (*T, error) {
	if dep == nil {
		return nil, &notWired{missing}
	}
	return dep, nil
}

type notWired struct{ missing string }

func (e *notWired) Error() string { return "api: no " + e.missing + " in api.Deps" }
