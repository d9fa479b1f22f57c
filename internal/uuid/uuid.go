// Package uuid writes 16 bytes in the 8-4-4-4-12 lowercase hex form of RFC 9562 ("Universally
// Unique IDentifiers (UUIDs)", section 4), the form of AWS's request IDs and CloudTrail's event IDs.
// Choosing the bytes (random, time-ordered) is the caller's.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// Format returns b as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, built in place (one allocation).
func Format(b [16]byte) string {
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// Random returns a random (version 4) UUID.
func Random() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return Format(b)
}
