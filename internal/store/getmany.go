package store

// Bodies collects the rows of a backend's GetMany query, which come in any order, into the order
// of the keys asked for: a nil body for a key no row had, and for a repeated key the body of its
// first position.
type Bodies struct {
	keys []string
	at   map[string]int // key → its first position in keys
	out  [][]byte
}

// NewBodies returns the collector of GetMany(…, keys).
func NewBodies(keys []string) *Bodies {
	b := &Bodies{keys: keys, at: make(map[string]int, len(keys)), out: make([][]byte, len(keys))}
	for i := len(keys) - 1; i >= 0; i-- {
		b.at[keys[i]] = i
	}
	return b
}

// Found records the body of a row with key; a key not asked for is ignored.
func (b *Bodies) Found(key, body []byte) {
	if i, ok := b.at[string(key)]; ok {
		if body == nil {
			body = []byte{} // a stored body is never nil; nil means none
		}
		b.out[i] = body
	}
}

// Result returns the bodies in the order of the keys.
func (b *Bodies) Result() [][]byte {
	for i, k := range b.keys {
		if j := b.at[k]; j != i {
			b.out[i] = b.out[j]
		}
	}
	return b.out
}
