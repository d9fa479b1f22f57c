package cloudtrailapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	ct "github.com/rootward/rootward/internal/cloudtrail"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// domain is the server's CloudTrail service, for what the log-file deliverer calls.
func domain(e *servertest.Env) *ct.Service { return e.Server.Runner().Deps().CloudTrail }

func TestTrailLifecycle(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	c := admin(e)
	ctx := servertest.Ctx(t)
	arn := "arn:aws:cloudtrail:us-east-1:" + e.Account.ID + ":trail/main-trail"
	created, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main-trail"), S3BucketName: aws.String("audit-logs"),
		S3KeyPrefix: aws.String("rootward"), EnableLogFileValidation: aws.Bool(true),
		TagsList: []cttypes.Tag{{Key: aws.String("team"), Value: aws.String("security")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.TrailARN) != arn || aws.ToString(created.S3BucketName) != "audit-logs" || aws.ToString(created.S3KeyPrefix) != "rootward" ||
		!aws.ToBool(created.LogFileValidationEnabled) || !aws.ToBool(created.IncludeGlobalServiceEvents) || aws.ToBool(created.IsMultiRegionTrail) || aws.ToBool(created.IsOrganizationTrail) {
		t.Fatalf("CreateTrail = %+v", created)
	}
	_, err = c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main-trail"), S3BucketName: aws.String("other-bucket")})
	testutil.WantCode(t, err, "TrailAlreadyExistsException")
	for _, name := range []string{"main-trail", arn} {
		got, err := c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
		if err != nil || aws.ToString(got.Trail.TrailARN) != arn || aws.ToString(got.Trail.HomeRegion) != "us-east-1" {
			t.Fatalf("GetTrail %s = %+v, %v", name, got, err)
		}
	}
	status := func() *cloudtrail.GetTrailStatusOutput {
		t.Helper()
		st, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("main-trail")})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := status(); aws.ToBool(st.IsLogging) || st.StartLoggingTime != nil {
		t.Fatalf("new trail's status = %+v, want not logging", st)
	}
	if got, _ := domain(e).LoggingTrails(ctx); len(got) != 0 {
		t.Fatalf("LoggingTrails before StartLogging = %+v, want none", got)
	}

	clk.Advance(time.Minute)
	started := clk.Now().UTC().Truncate(time.Second)
	if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if st := status(); !aws.ToBool(st.IsLogging) || !aws.ToTime(st.StartLoggingTime).Equal(started) || aws.ToString(st.TimeLoggingStarted) != started.Format(time.RFC3339) {
		t.Fatalf("status after StartLogging = %+v, want logging since %s", st, started)
	}
	got, err := domain(e).LoggingTrails(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("LoggingTrails = %+v, %v; want the trail", got, err)
	}
	want := ct.TrailConfig{ARN: arn, Name: "main-trail", Account: e.Account.ID, Region: "us-east-1", Bucket: "audit-logs", KeyPrefix: "rootward",
		Validation: true, LoggingSince: started}
	if got[0] != want {
		t.Fatalf("LoggingTrails[0] = %+v, want %+v", got[0], want)
	}
	delivered := started.Add(5 * time.Minute)
	if err := domain(e).SetDeliveryStatus(ctx, arn, ct.DeliveryStatus{LatestDeliveryTime: delivered, LatestDigestDeliveryError: "disk full"}); err != nil {
		t.Fatal(err)
	}
	if st := status(); !aws.ToTime(st.LatestDeliveryTime).Equal(delivered) || aws.ToString(st.LatestDigestDeliveryError) != "disk full" || st.LatestDeliveryError != nil {
		t.Fatalf("status after delivery = %+v", st)
	}

	clk.Advance(time.Minute)
	if _, err := c.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main-trail")}); err != nil {
		t.Fatal(err)
	}
	if st := status(); aws.ToBool(st.IsLogging) || !aws.ToTime(st.StopLoggingTime).Equal(started.Add(time.Minute)) {
		t.Fatalf("status after StopLogging = %+v", st)
	}
	if got, _ := domain(e).LoggingTrails(ctx); len(got) != 0 {
		t.Fatalf("LoggingTrails after StopLogging = %+v, want none", got)
	}

	up, err := c.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("main-trail"), S3KeyPrefix: aws.String("moved/here"), EnableLogFileValidation: aws.Bool(false)})
	if err != nil || aws.ToString(up.S3KeyPrefix) != "moved/here" || aws.ToBool(up.LogFileValidationEnabled) || aws.ToString(up.S3BucketName) != "audit-logs" {
		t.Fatalf("UpdateTrail = %+v, %v", up, err)
	}
	desc := func(in *cloudtrail.DescribeTrailsInput) []string {
		t.Helper()
		out, err := c.DescribeTrails(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tr := range out.TrailList {
			names = append(names, aws.ToString(tr.Name)+":"+aws.ToString(tr.S3KeyPrefix))
		}
		return names
	}
	for name, tc := range map[string]struct {
		in   *cloudtrail.DescribeTrailsInput
		want string
	}{
		"all":     {&cloudtrail.DescribeTrailsInput{}, "main-trail:moved/here"},
		"by ARN":  {&cloudtrail.DescribeTrailsInput{TrailNameList: []string{arn}}, "main-trail:moved/here"},
		"by name": {&cloudtrail.DescribeTrailsInput{TrailNameList: []string{"main-trail"}}, "main-trail:moved/here"},
		"unknown": {&cloudtrail.DescribeTrailsInput{TrailNameList: []string{"other-trail"}}, ""},
	} {
		if got := strings.Join(desc(tc.in), ","); got != tc.want {
			t.Errorf("DescribeTrails %s: got %q, want %q", name, got, tc.want)
		}
	}
	list, err := c.ListTrails(ctx, &cloudtrail.ListTrailsInput{})
	if err != nil || len(list.Trails) != 1 || aws.ToString(list.Trails[0].TrailARN) != arn || aws.ToString(list.Trails[0].HomeRegion) != "us-east-1" {
		t.Fatalf("ListTrails = %+v, %v", list, err)
	}

	// Tags.
	if _, err := c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("audit")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("env")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	if err != nil || len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 1 ||
		aws.ToString(tags.ResourceTagList[0].TagsList[0].Key) != "team" || aws.ToString(tags.ResourceTagList[0].TagsList[0].Value) != "audit" {
		t.Fatalf("ListTags = %+v, %v; want team=audit", tags, err)
	}
	_, err = c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{"arn:aws:cloudtrail:us-east-1:" + e.Account.ID + ":trail/gone-trail"}})
	testutil.WantCode(t, err, "ResourceNotFoundException")
	_, err = c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String("main-trail"), TagsList: []cttypes.Tag{{Key: aws.String("k")}}})
	testutil.WantCode(t, err, "CloudTrailARNInvalidException")
	_, err = c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("aws:owner")}}})
	testutil.WantCode(t, err, "InvalidTagParameterException")

	if _, err := c.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main-trail")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("main-trail")})
	testutil.WantCode(t, err, "TrailNotFoundException")
	if msg := testutil.ErrorMessage(err); msg != "Unknown trail: "+arn+" for the user: "+e.Account.ID {
		t.Fatalf("TrailNotFoundException message = %q", msg)
	}
	_, err = c.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("main-trail")})
	testutil.WantCode(t, err, "TrailNotFoundException")
	if err := domain(e).SetDeliveryStatus(ctx, arn, ct.DeliveryStatus{}); !strings.Contains(err.Error(), "Unknown trail") {
		t.Fatalf("SetDeliveryStatus of a deleted trail = %v, want TrailNotFoundException", err)
	}

	// Five trails per region.
	for i := range 5 {
		if _, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("trail-" + string(rune('a'+i))), S3BucketName: aws.String("audit-logs")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("trail-f"), S3BucketName: aws.String("audit-logs")})
	testutil.WantCode(t, err, "MaximumNumberOfTrailsExceededException")
}

func TestTrailValidation(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	c := admin(e)
	ctx := servertest.Ctx(t)
	mk := func(name, bucket string) *cloudtrail.CreateTrailInput {
		return &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(bucket)}
	}
	withPrefix := func(p string) *cloudtrail.CreateTrailInput {
		in := mk("prefixed", "audit-logs")
		in.S3KeyPrefix = aws.String(p)
		return in
	}
	cases := []struct {
		name string
		in   *cloudtrail.CreateTrailInput
		code string
	}{
		{"name too short", mk("ab", "audit-logs"), "InvalidTrailNameException"},
		{"name too long", mk(strings.Repeat("a", 129), "audit-logs"), "InvalidTrailNameException"},
		{"name starts with a hyphen", mk("-trail", "audit-logs"), "InvalidTrailNameException"},
		{"name ends with a period", mk("trail.", "audit-logs"), "InvalidTrailNameException"},
		{"adjacent dashes", mk("my--trail", "audit-logs"), "InvalidTrailNameException"},
		{"adjacent period and underscore", mk("my._trail", "audit-logs"), "InvalidTrailNameException"},
		{"space", mk("my trail", "audit-logs"), "InvalidTrailNameException"},
		{"IP address", mk("192.168.1.1", "audit-logs"), "InvalidTrailNameException"},
		{"no bucket", mk("good-trail", ""), "InvalidS3BucketNameException"},
		{"bucket with capitals", mk("good-trail", "Audit_Logs"), "InvalidS3BucketNameException"},
		{"bucket climbing out", mk("good-trail", "../etc"), "InvalidS3BucketNameException"},
		{"bucket with adjacent periods", mk("good-trail", "a..b"), "InvalidS3BucketNameException"},
		{"bucket as IP address", mk("good-trail", "10.0.0.1"), "InvalidS3BucketNameException"},
		{"reserved bucket prefix", mk("good-trail", "xn--bucket"), "InvalidS3BucketNameException"},
		{"prefix climbing out", withPrefix("logs/../../etc"), "InvalidS3PrefixException"},
		{"absolute prefix", withPrefix("/var/log"), "InvalidS3PrefixException"},
		{"prefix too long", withPrefix(strings.Repeat("p", 201)), "InvalidS3PrefixException"},
		{"multi-Region without global events", &cloudtrail.CreateTrailInput{Name: aws.String("good-trail"), S3BucketName: aws.String("audit-logs"),
			IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(false)}, "InvalidParameterCombinationException"},
		{"KMS key", &cloudtrail.CreateTrailInput{Name: aws.String("good-trail"), S3BucketName: aws.String("audit-logs"), KmsKeyId: aws.String("alias/x")}, "InvalidParameterException"},
		{"reserved tag key", &cloudtrail.CreateTrailInput{Name: aws.String("good-trail"), S3BucketName: aws.String("audit-logs"),
			TagsList: []cttypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}}, "InvalidTagParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateTrail(ctx, tc.in)
			testutil.WantCode(t, err, tc.code)
		})
	}
	names := []struct{ name, code string }{
		{"arn:aws:s3:::audit-logs", "CloudTrailARNInvalidException"},
		{"arn:aws:cloudtrail:us-east-1:123:trail/x-trail", "CloudTrailARNInvalidException"},
		{"arn:aws:cloudtrail:eu-west-1:" + e.Account.ID + ":trail/main-trail", "TrailNotFoundException"},
		{"no-such-trail", "TrailNotFoundException"},
		{"a", "InvalidTrailNameException"},
	}
	for _, tc := range names {
		t.Run("GetTrail "+tc.name, func(t *testing.T) {
			_, err := c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(tc.name)})
			testutil.WantCode(t, err, tc.code)
		})
	}
	// Bad input changed nothing.
	if list, err := c.ListTrails(ctx, &cloudtrail.ListTrailsInput{}); err != nil || len(list.Trails) != 0 {
		t.Fatalf("ListTrails after refused creations = %+v, %v; want none", list, err)
	}
	for _, ok := range []string{"My_Trail.1", "abc", strings.Repeat("a", 128)} {
		if _, err := c.CreateTrail(ctx, mk(ok, "a.b-c1")); err != nil {
			t.Fatalf("CreateTrail %q: %v", ok, err)
		}
	}
}

func TestOrganizationTrail(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := admin(e)
	orgTrail := func(c *cloudtrail.Client, name string) error {
		_, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("org-logs"), IsOrganizationTrail: aws.Bool(true)})
		return err
	}
	testutil.WantCode(t, orgTrail(c, "org-trail"), "OrganizationsNotInUseException")
	m := e.Admin()
	e.NewOrg(m)
	testutil.WantCode(t, orgTrail(c, "org-trail"), "CloudTrailAccessNotEnabledException")
	member := e.CreateMember(m, "dev")
	mk := userKey(t, e, member, "admin", "")
	mc := ctClient(e, mk.AccessKeyID, mk.Secret)
	testutil.WantCode(t, orgTrail(mc, "member-trail"), "NotOrganizationMasterAccountException")
	if _, err := m.Orgs.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("cloudtrail.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if err := orgTrail(c, "org-trail"); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:cloudtrail:us-east-1:" + e.Account.ID + ":trail/org-trail"

	// The member sees the organization trail, by name and by ARN, and cannot change it.
	d, err := mc.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(d.TrailList) != 1 || aws.ToString(d.TrailList[0].TrailARN) != arn || !aws.ToBool(d.TrailList[0].IsOrganizationTrail) {
		t.Fatalf("member DescribeTrails = %+v, %v; want the organization trail", d, err)
	}
	if d, err := mc.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)}); err != nil || len(d.TrailList) != 0 {
		t.Fatalf("member DescribeTrails without shadow trails = %+v, %v; want none", d, err)
	}
	for _, name := range []string{"org-trail", arn} {
		if g, err := mc.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)}); err != nil || aws.ToString(g.Trail.TrailARN) != arn {
			t.Fatalf("member GetTrail %s = %+v, %v", name, g, err)
		}
	}
	changes := map[string]func() error{
		"StopLogging": func() error {
			_, err := mc.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(arn)})
			return err
		},
		"DeleteTrail": func() error {
			_, err := mc.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("org-trail")})
			return err
		},
		"UpdateTrail": func() error {
			_, err := mc.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(arn), S3BucketName: aws.String("mine")})
			return err
		},
		"AddTags": func() error {
			_, err := mc.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("k")}}})
			return err
		},
	}
	for name, call := range changes {
		t.Run("member "+name, func(t *testing.T) { testutil.WantCode(t, call(), "NotOrganizationMasterAccountException") })
	}
	if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("org-trail")}); err != nil {
		t.Fatal(err)
	}
	org, err := m.Orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	lt, err := domain(e).LoggingTrails(ctx)
	if err != nil || len(lt) != 1 || !lt[0].Organization || lt[0].OrgID != aws.ToString(org.Organization.Id) || lt[0].Account != e.Account.ID {
		t.Fatalf("LoggingTrails = %+v, %v; want the organization trail of %s", lt, err, aws.ToString(org.Organization.Id))
	}
	// Turning it into an ordinary trail: members no longer see it.
	if _, err := c.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("org-trail"), IsOrganizationTrail: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	_, err = mc.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
	testutil.WantCode(t, err, "TrailNotFoundException")

	// An organization of consolidated billing only has no organization trails.
	other, err := e.Svc.CreateAccount(context.Background(), "billing", "billing+"+strings.ToLower(t.Name())+"@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	ok := userKey(t, e, other.ID, "admin", "")
	oc := e.OrgsClient(ok.AccessKeyID, ok.Secret, "")
	if _, err := oc.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetConsolidatedBilling}); err != nil {
		t.Fatal(err)
	}
	testutil.WantCode(t, orgTrail(ctClient(e, ok.AccessKeyID, ok.Secret), "billing-trail"), "OrganizationNotInAllFeaturesModeException")
}

func TestTrailAuthorization(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ctx := servertest.Ctx(t)
	c := admin(e)
	for _, name := range []string{"protected-trail", "open-trail"} {
		in := &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("audit-logs")}
		if name == "protected-trail" {
			in.TagsList = []cttypes.Tag{{Key: aws.String("protected"), Value: aws.String("true")}}
		}
		if _, err := c.CreateTrail(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	policy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"cloudtrail:*","Resource":"arn:aws:cloudtrail:*:*:trail/*"},
		{"Effect":"Allow","Action":"cloudtrail:DescribeTrails","Resource":"*"},
		{"Effect":"Deny","Action":["cloudtrail:DeleteTrail","cloudtrail:StopLogging"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/protected":"true"}}},
		{"Effect":"Deny","Action":"cloudtrail:CreateTrail","Resource":"arn:aws:cloudtrail:*:*:trail/secret-*"},
		{"Effect":"Deny","Action":["cloudtrail:CreateTrail","cloudtrail:AddTags"],"Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"forbidden"}}}]}`
	k := userKey(t, e, e.Account.ID, "operator", policy)
	op := ctClient(e, k.AccessKeyID, k.Secret)
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"delete a protected trail", func() error {
			_, err := op.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("protected-trail")})
			return err
		}, "AccessDeniedException"},
		{"stop a protected trail by ARN", func() error {
			_, err := op.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("arn:aws:cloudtrail:us-east-1:" + e.Account.ID + ":trail/protected-trail")})
			return err
		}, "AccessDeniedException"},
		{"create a secret trail", func() error {
			_, err := op.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("secret-trail"), S3BucketName: aws.String("audit-logs")})
			return err
		}, "AccessDeniedException"},
		{"create with a forbidden tag", func() error {
			_, err := op.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("tagged-trail"), S3BucketName: aws.String("audit-logs"),
				TagsList: []cttypes.Tag{{Key: aws.String("forbidden"), Value: aws.String("x")}}})
			return err
		}, "AccessDeniedException"},
		{"tag with a forbidden key", func() error {
			_, err := op.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String("arn:aws:cloudtrail:us-east-1:" + e.Account.ID + ":trail/open-trail"),
				TagsList: []cttypes.Tag{{Key: aws.String("forbidden")}}})
			return err
		}, "AccessDeniedException"},
		{"list trails (not allowed on *)", func() error { _, err := op.ListTrails(ctx, &cloudtrail.ListTrailsInput{}); return err }, "AccessDeniedException"},
		{"describe trails", func() error { _, err := op.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}); return err }, ""},
		{"stop an open trail", func() error {
			_, err := op.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("open-trail")})
			return err
		}, ""},
		{"delete an open trail", func() error {
			_, err := op.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("open-trail")})
			return err
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { testutil.WantCode(t, tc.call(), tc.code) })
	}
	if _, err := c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("protected-trail")}); err != nil {
		t.Fatalf("the protected trail is gone: %v", err)
	}
}

func TestListPublicKeys(t *testing.T) {
	t.Parallel()
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	now := clk.Now().UTC().Truncate(time.Second)
	var asked [2]time.Time
	domain(e).SetPublicKeys(func(_ context.Context, start, end time.Time) ([]ct.PublicKey, error) {
		asked = [2]time.Time{start, end}
		return []ct.PublicKey{{Value: []byte{0x30, 0x82, 0x01}, ValidityStartTime: now.Add(-time.Hour), ValidityEndTime: now.Add(time.Hour), Fingerprint: "0123abcd"}}, nil
	})
	c := admin(e)
	out, err := c.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil || len(out.PublicKeyList) != 1 {
		t.Fatalf("ListPublicKeys = %+v, %v", out, err)
	}
	k := out.PublicKeyList[0]
	if string(k.Value) != "\x30\x82\x01" || aws.ToString(k.Fingerprint) != "0123abcd" || !aws.ToTime(k.ValidityStartTime).Equal(now.Add(-time.Hour)) {
		t.Fatalf("key = %+v", k)
	}
	if !asked[1].Equal(clk.Now().UTC()) || asked[1].Sub(asked[0]) != 24*time.Hour {
		t.Fatalf("default range = %v, want the last 24 hours before %v", asked, clk.Now())
	}
	_, err = c.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))})
	testutil.WantCode(t, err, "InvalidTimeRangeException")
}
