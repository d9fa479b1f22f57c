package policy

import "encoding/base64"

// BinaryEquals (Condition operators page, "Binary condition operators"): the policy value is the
// base64 encoding of the bytes to compare. Request values are carried in their base64 wire form;
// comparing canonical encodings (padded and unpadded) compares the bytes without decoding, and so
// without allocating.

func compileBinary(c *cond, values []string) string {
	c.bins = make([]string, 0, 2*len(values))
	for _, v := range values {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(v)
		}
		if err != nil {
			return "Invalid Condition value for BinaryEquals: " + quote(v)
		}
		c.bins = append(c.bins, base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b))
	}
	return ""
}

func matchBinary(c *cond, v string) bool {
	for _, want := range c.bins {
		if v == want {
			return true
		}
	}
	return false
}
