package password

import (
	"strings"
	"unicode/utf8"
)

// minEmailDistance is the smallest edit distance a root password must keep from the root email and
// from its local part. Four edits turn "alice@example.com" into "Alice@example.com1!" or "alice" into
// "Alice123"; passwords that close to an address an attacker already knows add little over it.
const minEmailDistance = 5

// Levenshtein returns the edit distance between a and b: the fewest single-rune insertions,
// deletions and substitutions that turn a into b. It compares runes, not bytes, so a multi-byte
// character counts as one edit, and keeps two rows of the dynamic-programming table.
func Levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// TooSimilarToEmail reports whether pw is within four edits of the email address or of its local
// part (the text before the last @), compared case-insensitively. An empty email is never similar.
func TooSimilarToEmail(pw, email string) bool {
	if email == "" || !utf8.ValidString(pw) {
		return false
	}
	p := strings.ToLower(pw)
	e := strings.ToLower(email)
	candidates := []string{e}
	if at := strings.LastIndexByte(e, '@'); at > 0 {
		candidates = append(candidates, e[:at])
	}
	for _, c := range candidates {
		if Levenshtein(p, c) < minEmailDistance {
			return true
		}
	}
	return false
}
