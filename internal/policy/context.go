package policy

import (
	"net/netip"
	"strings"
)

// Context holds a request's condition keys and their values. Key names are case-insensitive, as
// AWS condition key names are ("Condition element", IAM User Guide: "Condition key names are not
// case-sensitive"); values are kept exactly as given, as strings in their wire form.
//
// Set also parses each value, once, into the typed forms it can take — an IP address, a number, a
// date — so that IpAddress, Numeric… and Date… conditions compare parsed values however many
// statements test them, and evaluation never parses (nor allocates a parse error). A Set replaces
// the parsed forms with its own values', and Reset drops them. Evaluate only reads a Context, so
// concurrent evaluations may share one that is no longer being changed.
//
// A Context is reusable: Reset empties it and keeps its memory, so a server can keep one per
// worker. The zero value is ready to use. A Context is not safe for concurrent mutation.
type Context struct {
	// slots find a key by the hash of its lower-cased form, which conditions and policy variables
	// compute when the policy is compiled, so a lookup during evaluation hashes nothing. A slot
	// holds where its key and values are (the key in lower, the values in arena and tref), so a
	// lookup reads the slot and then the key it compares, with no index in between.
	slots []ctxSlot
	used  []int32  // the indexes of the filled slots, so that Reset clears only those
	n     int      // keys in slots
	keys  []string // as first given, in the order first set, for Keys
	lower []byte   // the keys lower-cased, back to back: no string allocated per key
	arena []string
	// Typed forms are kept only for values that have one (typically the source address and
	// the times among a request's ten or so values): tref[i] is 0 when arena[i] parses as nothing,
	// else 1 + the index of its typed form in typed.
	tref  []int32
	typed []typedValue
}

// ctxSlot is one slot of a Context's open-addressing table (linear probing, at most half full, as
// keyTable): the key's hash and first 24 bytes, the whole key at lower[klo:klo+kn-1], and its
// values and their typed-form references. vals and refs are slices of arena and tref as they were
// when the key was set: a later append that moves arena leaves the old array, and these values in
// it, as they were, and Reset clears every slot before arena is written over. Holding the slices
// here spares a lookup two dependent loads and the bounds checks of slicing arena and tref.
type ctxSlot struct {
	hash    uint64
	head    keyHead
	klo, kn int32 // kn is the key's length + 1, so that 0 marks an empty slot
	vals    []string
	refs    []int32
}

// keyHead is the first 24 bytes of a lower-cased key as three little-endian words, zero-padded.
// Almost every condition key is no longer (aws:username, aws:SourceIp, aws:PrincipalTag/team,
// aws:PrincipalAccount), so a lookup confirms its hash match by comparing three words and the
// length, with no call to the runtime's string comparison (a third of a lookup's cost); only a
// longer key compares its remaining bytes as a string.
type keyHead [3]uint64

const headLen = len(keyHead{}) * 8

func headOf[T string | []byte](s T) keyHead {
	var h keyHead
	for w := range h {
		if len(s) >= 8 {
			h[w] = word(s)
			s = s[8:]
			continue
		}
		for i := 0; i < len(s); i++ {
			h[w] |= uint64(s[i]) << (8 * i)
		}
		break
	}
	return h
}

// ctxKey is a condition key as the evaluation path looks it up: lower-cased, hashed and with its
// head computed once, when the policy is compiled.
type ctxKey struct {
	key  string // lower-cased
	hash uint64 // strHash(key)
	head keyHead
}

func newCtxKey(lower string) ctxKey {
	return ctxKey{key: lower, hash: strHash(lower), head: headOf(lower)}
}

// typedValue is one request value in the typed forms it parses as.
type typedValue struct {
	ip   ipBits  // the address unmapped and without zone (how IpAddress compares), when has&hasIP
	num  float64 // when has&hasNum
	date int64   // Unix nanoseconds, when has&hasDate
	has  uint8
}

const (
	hasIP uint8 = 1 << iota
	hasNum
	hasDate
)

// parseTyped parses v with the parsers the typed operators used to apply at evaluation time
// (ParseAddr for IpAddress, parseNumber for Numeric…, parseDate for Date…), so a value means the
// same to an operator as before; mayBeIP only spares ParseAddr the strings it would refuse.
func parseTyped(v string) typedValue {
	var t typedValue
	if mayBeIP(v) {
		if a, err := netip.ParseAddr(v); err == nil {
			t.ip, t.has = addrBits(a.Unmap()), hasIP
		}
	}
	if f, ok := parseNumber(v); ok {
		t.num, t.has = f, t.has|hasNum
	}
	if d, ok := parseDate(v); ok {
		t.date, t.has = d, t.has|hasDate
	}
	return t
}

// mayBeIP is false for strings netip.ParseAddr refuses for certain: before an optional "%zone",
// an address holds only hexadecimal digits, dots and colons, and at least one dot or colon. It
// keeps ARNs, dates and names from building ParseAddr's error values.
func mayBeIP(v string) bool {
	sep := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '.' || c == ':':
			sep = true
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c == '%':
			return sep && i > 0
		default:
			return false
		}
	}
	return sep
}

// Set sets key to values, replacing any earlier values. Set with no values records the key as
// present with an empty value set (ForAllValues treats it as empty; Null treats it as null).
func (c *Context) Set(key string, values ...string) {
	if c.arena == nil {
		// Room for a typical request's keys at once rather than by doubling from one.
		c.keys = make([]string, 0, 8)
		c.lower = make([]byte, 0, 8*24)
		c.arena = make([]string, 0, 8)
		c.tref = make([]int32, 0, 8)
		c.typed = make([]typedValue, 0, 4)
		c.slots = make([]ctxSlot, 16)
		c.used = make([]int32, 0, 8)
	}
	lo := len(c.lower)
	if isASCII(key) {
		c.lower = append(c.lower, key...)
		b := c.lower[lo:]
		for i := range b {
			b[i] = lowerByte(b[i])
		}
	} else {
		c.lower = append(c.lower, strings.ToLower(key)...)
	}
	lk := c.lower[lo:]
	h := strHash(lk)
	start := len(c.arena)
	c.arena = append(c.arena, values...)
	for _, v := range values {
		ref := int32(0)
		if tv := parseTyped(v); tv.has != 0 {
			c.typed = append(c.typed, tv)
			ref = int32(len(c.typed))
		}
		c.tref = append(c.tref, ref)
	}
	if s := c.slotBytes(h, lk); s != nil {
		c.lower = c.lower[:lo] // known already
		end := len(c.arena)
		s.vals, s.refs = c.arena[start:end:end], c.tref[start:end:end]
		return
	}
	if 2*(c.n+1) > len(c.slots) {
		c.grow()
	}
	end := len(c.arena)
	c.place(ctxSlot{hash: h, head: headOf(lk), klo: int32(lo), kn: int32(len(lk)) + 1,
		vals: c.arena[start:end:end], refs: c.tref[start:end:end]})
	c.n++
	c.keys = append(c.keys, key)
}

func (c *Context) place(s ctxSlot) {
	mask := uint64(len(c.slots) - 1)
	i := s.hash & mask
	for c.slots[i].kn != 0 {
		i = (i + 1) & mask
	}
	c.slots[i] = s
	c.used = append(c.used, int32(i))
}

func (c *Context) grow() {
	old := c.slots
	c.slots = make([]ctxSlot, 2*len(old))
	c.used = c.used[:0]
	for _, s := range old {
		if s.kn != 0 {
			c.place(s)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	return c
}

// slotBytes returns the slot of the key Set has just lower-cased into c.lower (whose strHash is
// h), or nil.
func (c *Context) slotBytes(h uint64, lk []byte) *ctxSlot {
	mask := uint64(len(c.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &c.slots[i]
		if s.kn == 0 {
			return nil
		}
		if s.hash == h && int(s.kn)-1 == len(lk) && string(c.lower[s.klo:int(s.klo)+len(lk)]) == string(lk) {
			return s
		}
	}
}

// Get returns the values of key (case-insensitive) and whether it is present. The returned slice
// must not be modified.
func (c *Context) Get(key string) ([]string, bool) {
	k := newCtxKey(strings.ToLower(key))
	if s := c.lookup(&k); s != nil {
		return s.vals, true
	}
	return nil, false
}

// lookup returns the slot of key k (its values and their typed-form references), or nil; it never
// allocates. It is the evaluation path's one way into a Context (three calls per statement of the
// usual shape), so the probe is written out here rather than in a helper, and it returns the slot
// rather than the two slices (seven words returned on every call).
func (c *Context) lookup(k *ctxKey) *ctxSlot {
	if c == nil || len(c.slots) == 0 {
		return nil
	}
	mask := uint64(len(c.slots) - 1)
	n := int32(len(k.key)) + 1
	for i := k.hash & mask; ; i = (i + 1) & mask {
		s := &c.slots[i]
		if s.kn == 0 {
			return nil
		}
		if s.hash == k.hash && s.head == k.head && s.kn == n &&
			(n-1 <= int32(headLen) || string(c.lower[s.klo+int32(headLen):s.klo+n-1]) == k.key[headLen:]) {
			return s
		}
	}
}

// untyped is the typed form of a value that parses as nothing.
var untyped typedValue

// typedOf returns the typed forms of the value whose reference lookup returned.
func (c *Context) typedOf(ref int32) *typedValue {
	if ref == 0 {
		return &untyped
	}
	return &c.typed[ref-1]
}

// Keys returns the keys in the order they were first set (with the case of that first Set).
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c.keys))
	copy(out, c.keys)
	return out
}

// Reset removes every key and keeps the allocated memory for reuse.
func (c *Context) Reset() {
	for _, i := range c.used {
		c.slots[i] = ctxSlot{}
	}
	c.used = c.used[:0]
	c.n = 0
	clear(c.keys) // drop references to the old strings
	c.keys = c.keys[:0]
	c.lower = c.lower[:0]
	clear(c.arena)
	c.arena = c.arena[:0]
	c.tref = c.tref[:0]
	c.typed = c.typed[:0]
}
