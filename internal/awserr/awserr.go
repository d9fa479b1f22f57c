// Package awserr holds the one error type that crosses Rootward's layers: an AWS wire error code and
// a message safe to show the caller. The wire layer (internal/awsproto) gives it its HTTP status and
// the protocol's error shape; anything that is not an *Error reaches the client as InternalFailure with
// a fixed message, and its detail goes only to the log.
package awserr

import (
	"errors"
	"strconv"
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
	// FieldList names the invalid members of a restJson1 ValidationException (AWS Account
	// Management's "fieldList").
	FieldList []Field
}

// Field is one invalid member of a request: its name as the service's model spells it
// ("contactInformation.phoneNumber") and what is wrong with it.
type Field struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// New returns an *Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: sprintf(format, args)}
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	if err == nil {
		return nil, false // without the allocation errors.As's target costs: every successful call asks
	}
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

// sprintf formats the verbs error messages use — %s, %d, %q and %% — without package fmt, which
// would make every package that can fail (the policy engine among them) depend on os. An argument
// is a string, an integer, a Code, an error or a Stringer; anything else, or another verb, is
// written as %!verb(?), as fmt marks a bad verb.
func sprintf(format string, args []any) string {
	b := make([]byte, 0, len(format)+16*len(args))
	next := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b = append(b, format[i])
			continue
		}
		i++
		verb := format[i]
		if verb == '%' {
			b = append(b, '%')
			continue
		}
		if next >= len(args) {
			b = append(b, "%!"...)
			b = append(b, verb)
			b = append(b, "(MISSING)"...)
			continue
		}
		arg := args[next]
		next++
		s, isString := stringOf(arg)
		n, isInt := intOf(arg)
		switch {
		case verb == 's' && isString:
			b = append(b, s...)
		case verb == 's' && isInt, verb == 'd' && isInt:
			b = strconv.AppendInt(b, n, 10)
		case verb == 'q' && isString:
			b = strconv.AppendQuote(b, s)
		default:
			b = append(b, "%!"...)
			b = append(b, verb)
			b = append(b, "(?)"...)
		}
	}
	return string(b)
}

func stringOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case Code:
		return string(x), true
	case error:
		return x.Error(), true
	case interface{ String() string }:
		return x.String(), true
	}
	return "", false
}

func intOf(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), true
	}
	return 0, false
}
