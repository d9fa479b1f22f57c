package password

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
)

// commonPasswords is the breached-password list shipped inside the binary: the most common passwords
// of public breach corpora, folded to lower case, deduplicated and sorted bytewise. data/SOURCE.md
// names the npm packages it was built from, their licences, and how to rebuild it.
//
//go:embed data/common-passwords.txt
var commonPasswords string

// breachedList splits the embedded list once, on first use: a binary search over the sorted lines
// needs no map, so the list costs one slice header per entry and nothing at program start.
var breachedList = sync.OnceValue(func() []string {
	return strings.Split(strings.TrimRight(commonPasswords, "\n"), "\n")
})

// BreachedCount is the number of passwords on the embedded list.
func BreachedCount() int { return len(breachedList()) }

// Breached reports whether pw is on the embedded list of common breached passwords, compared
// case-insensitively: the list is lower case, and "Password1" is as guessable as "password1" to an
// attacker who tries the list with the usual capitalisations. The check is offline; nothing leaves
// the process.
func Breached(pw string) bool {
	list := breachedList()
	lower := strings.ToLower(pw)
	i := sort.SearchStrings(list, lower)
	return i < len(list) && list[i] == lower
}
