package testutil

import (
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPCode returns the six-digit TOTP code (RFC 6238: SHA-1, 30 s steps) of the base32 seed at
// the time at, as an authenticator app would show it.
func TOTPCode[S ~string | ~[]byte](t testing.TB, seed S, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(string(seed), at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatalf("TOTP code of seed at %v: %v", at, err)
	}
	return c
}
