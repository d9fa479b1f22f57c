package cloudtrail

import (
	"net/netip"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// CheckTrailName applies CloudTrail's trail naming rules (API Reference, CreateTrail "Name"; User
// Guide, "Naming requirements for CloudTrail resources, S3 buckets, and KMS keys"): 3–128
// characters; only ASCII letters, digits, periods, underscores and hyphens; starting and ending
// with a letter or digit; no two of . _ - next to each other; not an IP address. Returns
// InvalidTrailNameException; AWS's messages for each rule are not documented, so these say which
// rule the name breaks.
func CheckTrailName(name string) error {
	bad := func(format string, args ...any) error { return awserr.New(awserr.CTInvalidTrailName, format, args...) }
	switch {
	case len(name) < 3:
		return bad("Trail name too short. Minimum allowed length: 3 characters. Specified name length: %d characters.", len(name))
	case len(name) > 128:
		return bad("Trail name too long. Maximum allowed length: 128 characters. Specified name length: %d characters.", len(name))
	case !alnum(name[0]):
		return bad("Trail name must start with a letter or number.")
	case !alnum(name[len(name)-1]):
		return bad("Trail name must end with a letter or number.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !alnum(c) && c != '.' && c != '_' && c != '-' {
			return bad("Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
		}
		if i > 0 && !alnum(c) && !alnum(name[i-1]) {
			return bad("Trail name cannot have adjacent periods, underscores or dashes.")
		}
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return bad("Trail name cannot be in IP address format.")
	}
	return nil
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// CheckBucketName decides which S3BucketName a trail may name. Rootward serves no S3: a trail's
// log files go to a directory named after the bucket (serve --trail-dir, by default
// DATA/trails/BUCKET), so there is no S3BucketDoesNotExistException and no bucket policy to check.
// The name must follow the S3 general purpose bucket naming rules (Amazon S3 User Guide, "General
// purpose bucket naming rules"): 3–63 characters of lowercase letters, digits, periods and
// hyphens, starting and ending with a letter or digit, no two adjacent periods, not an IP
// address, none of the reserved prefixes (xn--, sthree-, amzn-s3-demo-) and suffixes (-s3alias,
// --ol-s3, .mrap, --x-s3, --table-s3). These rules also make every accepted name one safe path
// component (no "/", no "..", no leading "."). Returns InvalidS3BucketNameException.
func CheckBucketName(name string) error {
	bad := func(why string) error {
		return awserr.New(awserr.CTInvalidS3BucketName, "Bucket name %s is not valid: %s", quote(name), why)
	}
	if name == "" {
		return awserr.New(awserr.CTInvalidS3BucketName, "S3BucketName is required.")
	}
	if len(name) < 3 || len(name) > 63 {
		return bad("it must be 3 to 63 characters long.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return bad("it may contain only lowercase letters, numbers, periods and hyphens.")
		}
	}
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return bad("it must begin and end with a letter or number.")
	}
	if strings.Contains(name, "..") {
		return bad("it must not contain two adjacent periods.")
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return bad("it must not be formatted as an IP address.")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return bad("the prefix " + p + " is reserved.")
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return bad("the suffix " + sfx + " is reserved.")
		}
	}
	return nil
}

// CheckKeyPrefix accepts an S3KeyPrefix of at most 200 characters (API Reference, CreateTrail
// "S3KeyPrefix") that is, as Rootward writes log files under it, a relative path inside the
// bucket's directory: no empty, "." or ".." segment, no backslash, no control character.
// Returns InvalidS3PrefixException.
func CheckKeyPrefix(p string) error {
	if p == "" {
		return nil
	}
	if len(p) > 200 {
		return awserr.New(awserr.CTInvalidS3Prefix, "The S3 key prefix must be at most 200 characters long.")
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\' {
			return awserr.New(awserr.CTInvalidS3Prefix, "The S3 key prefix must not contain control characters or backslashes.")
		}
	}
	for _, seg := range strings.Split(strings.TrimSuffix(p, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return awserr.New(awserr.CTInvalidS3Prefix, "The S3 key prefix %s is not valid: it must be a relative path without empty, \".\" or \"..\" segments.", quote(p))
		}
	}
	return nil
}
