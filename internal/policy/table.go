package policy

import (
	"math/bits"
	"math/rand/v2"
)

// The decision path looks strings up in two places: the statement index (by lower-cased action and
// service prefix) and the request context (by lower-cased condition key). The index uses keyTable
// and the Context a table of its own shape (ctxSlot); both are open-addressing tables probed with a
// hash that is computed once — at compile time for the keys a
// policy names, once per request for the action, once per Set for a context key — instead of a Go
// map, which hashes its string key again on every lookup.
//
// The hash reads eight bytes at a time and mixes each word with a 64×64→128-bit multiply folded
// to 64 bits, so that a 20-byte action costs four multiplies, with no call into the runtime (as
// hash/maphash makes). Compiled policies live only in memory, so the hash never has to be stable
// across processes: its seed is drawn when the process starts, which keeps keys chosen by a policy
// author or a caller from being crafted in advance to collide.
var hashSeed = rand.Uint64()

const (
	hashMul1 = 0xa0761d6478bd642f // odd constants from the wyhash family
	hashMul2 = 0xe7037ed1a0b428db
)

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// strHash hashes s (a string or byte slice: the same bytes hash alike). The last, partial word is
// zero-padded and the length is mixed in at the end, so the request's action and its service
// prefix can be hashed in one pass over the action (see evaluator.init).
func strHash[T string | []byte](s T) uint64 {
	h := hashSeed
	n := len(s)
	for len(s) >= 8 {
		h = mix(h^word(s), hashMul2)
		s = s[8:]
	}
	if len(s) > 0 {
		var w uint64
		for i := 0; i < len(s); i++ {
			w |= uint64(s[i]) << (8 * i)
		}
		h = mix(h^w, hashMul2)
	}
	return hashFinal(h, n)
}

func hashFinal(h uint64, n int) uint64 { return mix(h^uint64(n), hashMul1) }

// word reads the first eight bytes of s, little-endian (the compiler makes this one load).
func word[T string | []byte](s T) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// keyTable is the hash half of a string-keyed table: slots of (hash, value) pairs, linear probing
// in a power-of-two array kept at most half full, so a lookup costs about one probe, hit or miss.
// The owner keeps the key strings (stmtIndex.names, indexed by val-1) and confirms a hash match by
// comparing them.
type keyTable struct {
	slots []keySlot
	n     int
}

type keySlot struct {
	hash uint64
	val  int32 // the owner's index+1; 0 marks an empty slot
}

// probe returns where the probe sequence of h starts, and the mask that wraps it (i = (i+1)&mask).
// An empty table has no slots: callers check len(t.slots) first.
func (t *keyTable) probe(h uint64) (first, mask uint64) {
	mask = uint64(len(t.slots) - 1)
	return h & mask, mask
}

// insert stores v under h; the owner has checked that its key is not present.
func (t *keyTable) insert(h uint64, v int) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	t.place(keySlot{hash: h, val: int32(v) + 1})
	t.n++
}

func (t *keyTable) place(s keySlot) {
	mask := uint64(len(t.slots) - 1)
	i := s.hash & mask
	for t.slots[i].val != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = s
}

func (t *keyTable) grow() {
	old := t.slots
	size := 8
	if len(old) > 0 {
		size = 2 * len(old)
	}
	t.slots = make([]keySlot, size)
	for _, s := range old {
		if s.val != 0 {
			t.place(s)
		}
	}
}

// equalLowerASCII reports whether s, with its ASCII capitals lower-cased, equals lower. Both are
// compared eight bytes at a time (lowerASCII folds a word), so the request's action need not be
// lower-cased into a buffer first. Non-ASCII bytes compare as they are: an action holding any is
// never looked up in the index (see evaluator.init).
func equalLowerASCII(lower, s string) bool {
	if len(lower) != len(s) {
		return false
	}
	for len(s) >= 8 {
		if lowerASCII(word(s)) != word(lower) {
			return false
		}
		s, lower = s[8:], lower[8:]
	}
	for i := 0; i < len(s); i++ {
		if lowerByte(s[i]) != lower[i] {
			return false
		}
	}
	return true
}
