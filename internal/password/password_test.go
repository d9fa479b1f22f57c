package password

import (
	"errors"
	"strings"
	"testing"
)

var fast = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h := Hash("Correct-Horse-9", fast)
	if strings.Contains(h, "Correct-Horse-9") {
		t.Fatal("hash contains the password")
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not PHC argon2id", h)
	}
	if ok, err := Verify("Correct-Horse-9", h); !ok || err != nil {
		t.Fatalf("Verify(right) = %v, %v", ok, err)
	}
	if ok, err := Verify("correct-Horse-9", h); ok || err != nil {
		t.Fatalf("Verify(wrong) = %v, %v", ok, err)
	}
	if h2 := Hash("Correct-Horse-9", fast); h2 == h {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$AA$AA", "$argon2id$v=19$m=64,t=1,p=0$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if _, err := Verify("x", bad); err != ErrMalformedHash {
			t.Errorf("Verify(%q) err = %v, want ErrMalformedHash", bad, err)
		}
	}
}

// Cases from the AWS Account Management guide's root password requirements ("Change the password
// for the AWS account root user").
func TestCheckRoot(t *testing.T) {
	cases := []struct {
		name, pw, wantErr string
	}{
		{"three classes", "Zebrafin7Quartz", ""},
		{"symbols count as a class", "vrk#mq7!tzpl", ""},
		{"too short", "Ab1!", "8 to 128"},
		{"too long", strings.Repeat("Ab1!", 33), "8 to 128"},
		{"two classes", "abcdefgh1", "at least three"},
		{"unlisted symbol does not count", "abcdefgh1~", "at least three"},
		{"equals account name", "Prod-Account1", "account name"},
		{"equals email", "Root@Example.com1", "email"},
		{"weak although three classes", "Summer2024!", "too easy to guess"},
		{"weak keyboard walk", "Qwerty123456!", "too easy to guess"},
		{"weak by the account name", "Prod-account1!", "too easy to guess"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckRoot(tc.pw, "prod-account1", "root@example.com1")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one naming %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.pw) {
				t.Fatal("error message contains the password")
			}
		})
	}
}

// Password1! has every class AWS asks for; Rootward refuses it, whichever of its own rules sees it
// first, and errors.Is names the rule.
func TestCheckRootRefusesPasswordOne(t *testing.T) {
	err := CheckRoot("Password1!", "prod", "root@example.com")
	if !errors.Is(err, ErrWeak) && !errors.Is(err, ErrBreached) {
		t.Fatalf("CheckRoot(Password1!) = %v, want ErrWeak or ErrBreached", err)
	}
	if got := Strength("Password1!"); got >= MinRootStrength {
		t.Fatalf("Strength(Password1!) = %d, want < %d", got, MinRootStrength)
	}
}

// The estimator reads the first 100 characters only (its matchers grow faster than linearly with
// the length): a weak 100-character prefix makes the password weak whatever follows, which a
// full read would rate strong.
func TestStrengthReadsABoundedPrefix(t *testing.T) {
	weakPrefix := strings.Repeat("a", strengthPrefix)
	strongTail := "Xq7#vLp9@Zr2!Kd4"
	if got := Strength(strongTail); got < MinRootStrength {
		t.Fatalf("Strength(tail) = %d, want ≥ %d (the test needs a strong tail)", got, MinRootStrength)
	}
	if got := Strength(weakPrefix + strongTail); got >= MinRootStrength {
		t.Fatalf("Strength(weak prefix + strong tail) = %d, want < %d: more than the prefix was read", got, MinRootStrength)
	}
	if got := Strength(strings.Repeat("a", 1_000_000)); got >= MinRootStrength {
		t.Fatalf("Strength(a×10^6) = %d, want < %d", got, MinRootStrength)
	}
}
