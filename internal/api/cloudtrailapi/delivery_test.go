package cloudtrailapi_test

import (
	"crypto/md5"
	"encoding/hex"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail/logfiles"
)

// TestTrailDelivery joins the trails to the log-file deliverer as serve does: a trail created and
// started through the API is delivered, GetTrailStatus reports the delivery the deliverer
// reported back, and ListPublicKeys answers the key that signed its digest.
func TestTrailDelivery(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	c := admin(e)
	if _, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("audit-logs"), EnableLogFileValidation: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if _, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("delivered")}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dl, err := logfiles.New(logfiles.Config{
		Store: e.Store, Sealer: testutil.Sealer(t), Dir: dir, Now: clk.Now,
		Trails: domain(e).LoggingTrails, SetStatus: domain(e).SetDeliveryStatus,
		DeliveryInterval: time.Second, DigestInterval: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Past the deliverer's grace period, a few steps of the clock.
	for range 4 {
		clk.Advance(logfiles.DefaultGrace)
		if err := dl.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	st, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("audit")})
	if err != nil || st.LatestDeliveryTime == nil || st.LatestDeliveryError != nil {
		t.Fatalf("GetTrailStatus = %+v, %v; want a delivery without error", st, err)
	}
	var logs, digests int
	err = filepath.WalkDir(filepath.Join(dir, "audit-logs", "AWSLogs", e.Account.ID), func(p string, de fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case strings.Contains(p, "/CloudTrail/") && strings.HasSuffix(p, ".json.gz"):
			logs++
		case strings.Contains(p, "/CloudTrail-Digest/") && strings.HasSuffix(p, ".json.gz"):
			digests++
		}
		return nil
	})
	if err != nil || logs == 0 || digests == 0 {
		t.Fatalf("delivered %d log files and %d digests (%v); want some of each", logs, digests, err)
	}
	keys, err := c.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil || len(keys.PublicKeyList) == 0 {
		t.Fatalf("ListPublicKeys = %+v, %v; want the digest signing key", keys, err)
	}
	k := keys.PublicKeyList[0]
	if sum := md5.Sum(k.Value); aws.ToString(k.Fingerprint) != hex.EncodeToString(sum[:]) {
		t.Fatalf("Fingerprint %s is not the MD5 of the key's DER", aws.ToString(k.Fingerprint))
	}
}
