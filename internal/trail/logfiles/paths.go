package logfiles

import (
	"crypto/rand"
	"errors"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Object keys follow the CloudTrail User Guide: log files as in "CloudTrail log file examples"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html),
//
//	[PREFIX/]AWSLogs/[o-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
//
// and digests as in "CloudTrail digest file structure"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html),
//
//	[PREFIX/]AWSLogs/[o-ID/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHmmssZ.json.gz
//
// Rootward serves no S3: an object BUCKET/KEY is the file DIR/BUCKET/KEY, where DIR is
// `serve --trail-dir` (default DATA/trails). A digest's signature, which CloudTrail keeps in the
// object's x-amz-meta-signature metadata, is the file KEY.sig beside it, in hex.

// awsLogs is the part of every key before the account: [PREFIX/]AWSLogs/[o-ID/].
func awsLogs(prefix, orgID string) string {
	p := ""
	if prefix != "" {
		p = strings.Trim(prefix, "/") + "/"
	}
	p += "AWSLogs/"
	if orgID != "" {
		p += orgID + "/"
	}
	return p
}

// logFolder is the folder of an account's log files of one region.
func logFolder(prefix, orgID, account, region string) string {
	return awsLogs(prefix, orgID) + account + "/CloudTrail/" + region + "/"
}

// digestFolder is the folder of an account's digests of one region.
func digestFolder(prefix, orgID, account, region string) string {
	return awsLogs(prefix, orgID) + account + "/CloudTrail-Digest/" + region + "/"
}

// logObject names a log file delivered at t.
func logObject(prefix, orgID, account, region string, t time.Time, unique string) string {
	t = t.UTC()
	return logFolder(prefix, orgID, account, region) + t.Format("2006/01/02/") +
		account + "_CloudTrail_" + region + "_" + t.Format("20060102T1504Z") + "_" + unique + ".json.gz"
}

// digestObject names a digest ending at end.
func digestObject(prefix, orgID, account, region, trailName, homeRegion string, end time.Time) string {
	end = end.UTC()
	return digestFolder(prefix, orgID, account, region) + end.Format("2006/01/02/") +
		account + "_CloudTrail-Digest_" + region + "_" + trailName + "_" + homeRegion + "_" + end.Format("20060102T150405Z") + ".json.gz"
}

const uniqueAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// uniqueString is the 16 random letters and digits that end a log file's name.
func uniqueString() string {
	return randomFrom(uniqueAlphabet, 16)
}

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// bucketName is what S3 accepts as a bucket name, enough to keep a bucket a single safe path
// element (Amazon S3 User Guide, "General purpose bucket naming rules").
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

var errBadPath = errors.New("the bucket name or key prefix cannot be a directory under --trail-dir")

// filePath returns the file of object BUCKET/KEY under dir, refusing anything that would leave
// dir/BUCKET: the bucket and prefix come from API callers.
func filePath(dir, bucket, key string) (string, error) {
	if !bucketName.MatchString(bucket) || strings.Contains(bucket, "..") {
		return "", errBadPath
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "\\\x00") {
			return "", errBadPath
		}
	}
	if path.Clean(key) != key {
		return "", errBadPath
	}
	return filepath.Join(dir, bucket, filepath.FromSlash(key)), nil
}
