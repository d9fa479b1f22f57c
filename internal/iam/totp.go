package iam

import (
	"crypto/rand"
	"time"
)

// TOTP for principals IAM does not hold (IAM Identity Center's users): the same codes, window
// and one-use rule as IAM's virtual MFA devices (mfa.go), so an authenticator app set up for one
// behaves the same for the other.

// NewTOTPSeed returns a fresh base32 seed of the length IAM's virtual devices get.
func NewTOTPSeed() string {
	b := make([]byte, mfaSeedBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b32.EncodeToString(b)
}

// CheckTOTP reports the time step of code among the codes of seed within one step of now (drift
// steps applied), when that step is newer than last, the last step accepted; used tells a code
// of an already accepted step from a wrong one. A malformed code is wrong. Comparisons are in
// constant time.
func CheckTOTP(seed string, now time.Time, drift, last int64, code string) (step int64, ok, used bool) {
	if !codePattern.MatchString(code) {
		return 0, false, false
	}
	return codeStep(seed, stepOf(now)+drift, last, code)
}
