package iam

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strconv"
)

// Access key IDs carry the account they belong to, as AWS's do: after the four-letter prefix
// (AKIA long-term, ASIA temporary) come 16 base32 characters, 10 bytes, whose first 6 bytes read
// as a big-endian number hold the account ID in bits 7 to 46. That is how sts:GetAccessKeyInfo
// answers for any well-formed key ID, issued here or not ("GetAccessKeyInfo", AWS STS API
// Reference, https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html: "the
// account identifier ... to which the access key belongs"; the encoding is the one AWS's key IDs
// are observed to use: account = (first 48 bits & 0x7fffffffff80) >> 7).

const (
	keyAccountMask  = 0x7fffffffff80
	keyAccountShift = 7
	keyIDBodyLen    = 16 // base32 characters after the prefix
)

// newKeyID returns a key ID with prefix that encodes account; the other bits are random.
func newKeyID(prefix, account string) string {
	n, err := strconv.ParseUint(account, 10, 64)
	if err != nil || n<<keyAccountShift&^keyAccountMask != 0 {
		// Account IDs are 12 digits, so this never happens; a key ID must still come out.
		return newID(prefix, keyIDBodyLen)
	}
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	var head [8]byte
	copy(head[2:], b[:6])
	x := binary.BigEndian.Uint64(head[:])
	x = x&^keyAccountMask | n<<keyAccountShift
	binary.BigEndian.PutUint64(head[:], x)
	copy(b[:6], head[2:])
	return prefix + base32.StdEncoding.EncodeToString(b[:])
}

// KeyIDAccount returns the account a well-formed access key ID encodes: a four-letter prefix
// then 16 base32 characters.
func KeyIDAccount(id string) (string, error) {
	if len(id) != 4+keyIDBodyLen {
		return "", fmt.Errorf("an access key ID has %d characters", 4+keyIDBodyLen)
	}
	b, err := base32.StdEncoding.DecodeString(id[4:])
	if err != nil {
		return "", fmt.Errorf("an access key ID ends with 16 base32 characters")
	}
	var head [8]byte
	copy(head[2:], b[:6])
	x := binary.BigEndian.Uint64(head[:])
	return fmt.Sprintf("%012d", (x&keyAccountMask)>>keyAccountShift), nil
}
