package password

import (
	"errors"
	"strings"
	"testing"
)

// The embedded list must stay usable by Breached's binary search: sorted bytewise, unique, folded
// to lower case, and at least the 10,000 entries the issue asks for.
func TestBreachedListShape(t *testing.T) {
	list := breachedList()
	if n := BreachedCount(); n < 10000 {
		t.Fatalf("list has %d entries, want at least 10,000", n)
	}
	for i, w := range list {
		if w == "" {
			t.Fatalf("entry %d is empty", i)
		}
		if w != strings.ToLower(w) {
			t.Errorf("entry %d %q is not lower case", i, w)
		}
		if i > 0 && list[i-1] >= w {
			t.Fatalf("entries %d %q and %d %q are out of order or repeated", i-1, list[i-1], i, w)
		}
	}
}

func TestBreached(t *testing.T) {
	cases := []struct {
		name string
		pw   string
		want bool
	}{
		{"most common", "password", true},
		{"capitalised variant of a listed password", "Password1", true},
		{"all caps", "QWERTY123", true},
		{"leet variant on the list", "P@ssw0rd", true},
		{"first entry", breachedList()[0], true},
		{"last entry", breachedList()[len(breachedList())-1], true},
		{"random", "vS7#kq!Lm2@xR9", false},
		{"listed word with a suffix not on the list", "password1-vS7#kq", false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Breached(tc.pw); got != tc.want {
				t.Fatalf("Breached(%q) = %v, want %v", tc.pw, got, tc.want)
			}
		})
	}
}

func TestLevenshtein(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		want int
	}{
		{"equal", "kitten", "kitten", 0},
		{"classic", "kitten", "sitting", 3},
		{"empty to word", "", "abc", 3},
		{"word to empty", "abc", "", 3},
		{"both empty", "", "", 0},
		{"one insertion", "flaw", "flawn", 1},
		{"transposition is two edits", "ab", "ba", 2},
		{"runes not bytes", "héllo", "hello", 1},
		{"symmetric", "sitting", "kitten", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Levenshtein(tc.a, tc.b); got != tc.want {
				t.Fatalf("Levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestTooSimilarToEmail(t *testing.T) {
	const email = "Alice.Smith@Example.com"
	cases := []struct {
		name string
		pw   string
		want bool
	}{
		{"equal ignoring case", "alice.smith@example.com", true},
		{"email plus four characters", "Alice.Smith@Example.com1!2#", true},
		{"email plus five characters", "Alice.Smith@Example.com1!2#4", false},
		{"local part plus 4", "alice.smith2024", true},
		{"local part with substitutions", "Al1ce.Sm1th!", true},
		{"local part plus 5", "alice.smith20245", false},
		{"unrelated", "Tr0ub4dor&3-horse", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := TooSimilarToEmail(tc.pw, email); got != tc.want {
				t.Fatalf("TooSimilarToEmail(%q) = %v, want %v (distance to email %d, to local part %d)", tc.pw, got, tc.want,
					Levenshtein(strings.ToLower(tc.pw), strings.ToLower(email)), Levenshtein(strings.ToLower(tc.pw), "alice.smith"))
			}
		})
	}
	if TooSimilarToEmail("anything", "") {
		t.Fatal("an empty email matched")
	}
}

// The rules beyond AWS's, through CheckRoot, which every root password set or change goes through.
func TestCheckRootBeyondAWS(t *testing.T) {
	cases := []struct {
		name    string
		pw      string
		wantErr error
	}{
		{"breached with three classes", "Password1", ErrBreached},
		{"breached leet", "P@ssw0rd", ErrBreached},
		{"close to the email", "Ops.Team@corp.io1", ErrSimilarToEmail},
		{"close to the local part", "Ops.Team#42", ErrSimilarToEmail},
		{"far from both", "Correct-Horse-9", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckRoot(tc.pw, "Corp Prod", "ops.team@corp.io")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("CheckRoot = %v, want %v", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tc.pw) {
				t.Fatal("error message contains the password")
			}
		})
	}
}

func BenchmarkBreached(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Breached("Correct-Horse-9")
	}
}
