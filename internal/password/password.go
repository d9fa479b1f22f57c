// Package password hashes passwords with argon2id and checks the root user's password rules: AWS's
// own (length, character classes, not the account name or email) and three of Rootward's beyond
// them: a breached-password list shipped in the binary, a minimum edit distance from the email, and
// a minimum strength estimated by zxcvbn.
// Hashes are stored in the PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so the cost
// parameters can be raised later without invalidating existing hashes.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default follows OWASP's Password Storage Cheat Sheet minimum for argon2id (19 MiB, 2 passes,
// 1 lane): about 25 ms on one core, which bounds online guessing without making sign-in slow.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// ErrMalformedHash is returned by Verify for a stored hash it cannot read.
var ErrMalformedHash = errors.New("password: malformed hash")

// Decoy returns the hash of a random password at cost p, which a sign-in checks a password
// against when the identity does not exist, so that a wrong password takes as long whether or not
// it does. The hash is computed in the background from the call on: at full cost it took seconds
// of `serve`'s start on a loaded machine (issue 11: ready ≤ 1 s), and only a sign-in needs it,
// which waits for it if it comes first.
func Decoy(p Params) func() string {
	h := sync.OnceValue(func() string { return Hash(rand.Text(), p) })
	go h()
	return h
}

// Hash returns the PHC-format argon2id hash of pw with a fresh random salt.
func Hash(pw string, p Params) string {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	sum := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(sum))
}

// Verify reports whether pw matches the stored hash, comparing in constant time.
func Verify(pw, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Threads == 0 || p.Time == 0 {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformedHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformedHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// rootSymbols are the symbols AWS counts for the root password's character classes
// (AWS Account Management Reference Guide, "Change the password for the AWS account root user",
// https://docs.aws.amazon.com/accounts/latest/reference/root-user-password.html).
const rootSymbols = "!@#$%^&*()<>[]{}|_+-="

// ErrBreached and ErrSimilarToEmail are the errors of Rootward's rules beyond AWS's, for callers that
// match them with errors.Is.
var (
	ErrBreached       = errors.New("the password is on the list of common breached passwords; choose another")
	ErrSimilarToEmail = errors.New("the password is too similar to the email address (fewer than 5 changes from it or from its part before @)")
	ErrWeak           = errors.New("the password is too easy to guess (common words, names, dates, keyboard patterns or substitutions such as @ for a); use a longer passphrase of unrelated words")
)

// MinRootStrength is the lowest zxcvbn score (0–4) a root password may have. 3 is "safely
// unguessable: moderate protection from offline slow-hash scenario" (about 10^8 to 10^10 guesses)
// in zxcvbn's scale (Wheeler, "zxcvbn: Low-Budget Password Strength Estimation", USENIX Security
// 2016, https://www.usenix.org/conference/usenixsecurity16/technical-sessions/presentation/wheeler).
const MinRootStrength = 3

// strengthPrefix bounds the part of a password the estimator reads: its matchers grow faster than
// linearly with length, and a 100-character prefix that is weak is weak (zxcvbn 4.4.2 truncates
// its input at 100 characters for the same reason).
const strengthPrefix = 100

// Strength returns the zxcvbn score (0–4) of pw, counting the given words (account name, email)
// as known to an attacker.
func Strength(pw string, known ...string) int {
	if r := []rune(pw); len(r) > strengthPrefix {
		pw = string(r[:strengthPrefix])
	}
	words := []string{"rootward", "aws", "amazon", "root", "admin"}
	for _, k := range known {
		if k == "" {
			continue
		}
		words = append(words, k)
		if local, domain, ok := strings.Cut(k, "@"); ok {
			words = append(words, local, domain)
		}
	}
	return zxcvbn.PasswordStrength(pw, words).Score
}

// RootRules describes the root password rules for people, in the order CheckRoot applies them, so
// that a page can list them before the first attempt.
var RootRules = []string{
	"8 to 128 characters",
	"at least three of: uppercase letters, lowercase letters, digits, and the symbols " + rootSymbols,
	"not the same as the account name or the email address, nor within four changes of the email",
	"not on the list of breached passwords that Rootward ships",
	"hard to guess: a strength estimator (zxcvbn) must rate it at least 3 of 4, so Password1! and the like are refused",
}

// CheckRoot checks a root user password against AWS's root rules: 8–128 characters, at least three
// of uppercase, lowercase, digits and the symbols above, and not identical to the account name or
// the email address. Beyond AWS, which only advises against weak passwords, it refuses a password on
// the embedded breached list (ErrBreached), one within four edits of the email or its local part
// (ErrSimilarToEmail), and one that zxcvbn scores below MinRootStrength (ErrWeak). The error message names the broken rule and never contains the password.
func CheckRoot(pw, accountName, email string) error {
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) {
		return errors.New("the password must be valid UTF-8 text")
	}
	if n < 8 || n > 128 {
		return fmt.Errorf("the root password must be 8 to 128 characters long (it has %d)", n)
	}
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(rootSymbols, r):
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return fmt.Errorf("the root password must contain at least three of: uppercase letters, lowercase letters, digits, and the symbols %s", rootSymbols)
	}
	if accountName != "" && strings.EqualFold(pw, accountName) {
		return errors.New("the root password must not be the same as the account name")
	}
	if email != "" && strings.EqualFold(pw, email) {
		return errors.New("the root password must not be the same as the email address")
	}
	if Breached(pw) {
		return ErrBreached
	}
	if TooSimilarToEmail(pw, email) {
		return ErrSimilarToEmail
	}
	if Strength(pw, accountName, email) < MinRootStrength {
		return ErrWeak
	}
	return nil
}
