package cloudtrailapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// lookupEnv is an account with a recorded history, one call per second of the test clock: the
// admin creates users bob and carol, alice (an administrator) lists users, and the root user
// lists users. end is the time of the last of them; the lookups run 10 s later, so that their own
// records fall outside [.., end].
type lookupEnv struct {
	*servertest.Env
	ct         *cloudtrail.Client
	aliceKey   string
	start, end time.Time
}

func newLookupEnv(t *testing.T) *lookupEnv {
	e, clk := servertest.NewClocked(t, nil)
	ctx := servertest.Ctx(t)
	l := &lookupEnv{Env: e, ct: admin(e), start: clk.Now()}
	alice := userKey(t, e, e.Account.ID, "alice", "")
	l.aliceKey = alice.AccessKeyID
	aliceIAM, _ := e.Clients(alice.AccessKeyID, alice.Secret, "")
	root := e.RootOf(e.Account.ID)
	steps := []func() error{
		func() error {
			_, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")})
			return err
		},
		func() error {
			_, err := e.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol")})
			return err
		},
		func() error { _, err := aliceIAM.ListUsers(ctx, &awsiam.ListUsersInput{}); return err },
		func() error { _, err := root.IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); return err },
	}
	for _, step := range steps {
		clk.Advance(time.Second)
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	l.end = clk.Now()
	clk.Advance(10 * time.Second)
	return l
}

// summary is an event as "Name/Username/resource name".
func summary(ev cttypes.Event) string {
	res := ""
	if len(ev.Resources) > 0 {
		res = aws.ToString(ev.Resources[0].ResourceName)
	}
	return aws.ToString(ev.EventName) + "/" + aws.ToString(ev.Username) + "/" + res
}

func TestLookupEventsAttributes(t *testing.T) {
	t.Parallel()
	l := newLookupEnv(t)
	ctx := servertest.Ctx(t)
	all, err := l.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(l.start), EndTime: aws.Time(l.end)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range all.Events {
		got = append(got, summary(ev))
	}
	want := "ListUsers/root/,ListUsers/alice/,CreateUser/admin/carol,CreateUser/admin/bob"
	if strings.Join(got, ",") != want {
		t.Fatalf("every event, newest first: got %v, want %s", got, want)
	}
	bobID := aws.ToString(all.Events[3].EventId)
	cases := []struct {
		key   cttypes.LookupAttributeKey
		value string
		want  string
	}{
		{cttypes.LookupAttributeKeyEventName, "CreateUser", "CreateUser/admin/carol,CreateUser/admin/bob"},
		{cttypes.LookupAttributeKeyUsername, "alice", "ListUsers/alice/"},
		{cttypes.LookupAttributeKeyUsername, "root", "ListUsers/root/"},
		{cttypes.LookupAttributeKeyUsername, "nobody", ""},
		{cttypes.LookupAttributeKeyResourceType, "AWS::IAM::User", "CreateUser/admin/carol,CreateUser/admin/bob"},
		{cttypes.LookupAttributeKeyResourceName, "bob", "CreateUser/admin/bob"},
		{cttypes.LookupAttributeKeyEventSource, "iam.amazonaws.com", want},
		{cttypes.LookupAttributeKeyEventSource, "sts.amazonaws.com", ""},
		{cttypes.LookupAttributeKeyAccessKeyId, l.aliceKey, "ListUsers/alice/"},
		{cttypes.LookupAttributeKeyReadOnly, "true", "ListUsers/root/,ListUsers/alice/"},
		{cttypes.LookupAttributeKeyReadOnly, "false", "CreateUser/admin/carol,CreateUser/admin/bob"},
		{cttypes.LookupAttributeKeyEventId, bobID, "CreateUser/admin/bob"},
	}
	for _, tc := range cases {
		t.Run(string(tc.key)+"="+tc.value, func(t *testing.T) {
			out, err := l.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
				LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: tc.key, AttributeValue: aws.String(tc.value)}},
				StartTime:        aws.Time(l.start), EndTime: aws.Time(l.end),
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range out.Events {
				got = append(got, summary(ev))
			}
			if strings.Join(got, ",") != tc.want {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
		})
	}
}

func TestLookupEventsSummaryAndRecord(t *testing.T) {
	t.Parallel()
	l := newLookupEnv(t)
	ctx := servertest.Ctx(t)
	out, err := l.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String("bob")}},
	})
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("got %+v, %v; want one event", out, err)
	}
	ev := out.Events[0]
	wantTime := l.start.Add(time.Second).Truncate(time.Second)
	checks := []struct{ name, got, want string }{
		{"EventName", aws.ToString(ev.EventName), "CreateUser"},
		{"EventSource", aws.ToString(ev.EventSource), "iam.amazonaws.com"},
		{"ReadOnly", aws.ToString(ev.ReadOnly), "false"},
		{"Username", aws.ToString(ev.Username), "admin"},
		{"AccessKeyId", aws.ToString(ev.AccessKeyId), l.AdminKey.AccessKeyID},
		{"EventTime", aws.ToTime(ev.EventTime).UTC().Format(time.RFC3339), wantTime.UTC().Format(time.RFC3339)},
		{"Resources", aws.ToString(ev.Resources[0].ResourceType) + " " + aws.ToString(ev.Resources[0].ResourceName), "AWS::IAM::User bob"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	var rec struct {
		EventID           string `json:"eventID"`
		EventName         string `json:"eventName"`
		RecipientAccount  string `json:"recipientAccountId"`
		RequestParameters struct {
			UserName string `json:"userName"`
		} `json:"requestParameters"`
		UserIdentity struct {
			Type, ARN string
		} `json:"userIdentity"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
		t.Fatalf("CloudTrailEvent is not a JSON record: %v", err)
	}
	if rec.EventID != aws.ToString(ev.EventId) || rec.EventName != "CreateUser" || rec.RecipientAccount != l.Account.ID ||
		rec.RequestParameters.UserName != "bob" || rec.UserIdentity.Type != "IAMUser" {
		t.Fatalf("CloudTrailEvent = %+v, want bob's CreateUser record by the admin", rec)
	}

	// LookupEvents is recorded too: by cloudtrail.amazonaws.com, read-only.
	self, err := l.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("LookupEvents")}},
	})
	if err != nil || len(self.Events) == 0 {
		t.Fatalf("LookupEvents records: %+v, %v", self, err)
	}
	if s := self.Events[0]; aws.ToString(s.EventSource) != "cloudtrail.amazonaws.com" || aws.ToString(s.ReadOnly) != "true" {
		t.Fatalf("LookupEvents record: source %s readOnly %s, want cloudtrail.amazonaws.com true", aws.ToString(s.EventSource), aws.ToString(s.ReadOnly))
	}
}

func TestLookupEventsPagingAndTimes(t *testing.T) {
	t.Parallel()
	l := newLookupEnv(t)
	ctx := servertest.Ctx(t)
	in := &cloudtrail.LookupEventsInput{StartTime: aws.Time(l.start), EndTime: aws.Time(l.end), MaxResults: aws.Int32(1)}
	var got []string
	var tokens []string
	for page := 0; ; page++ {
		out, err := l.ct.LookupEvents(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Events) > 1 {
			t.Fatalf("page %d: got %d events, want at most 1", page, len(out.Events))
		}
		for _, ev := range out.Events {
			got = append(got, summary(ev))
		}
		if out.NextToken == nil {
			break
		}
		tokens = append(tokens, *out.NextToken)
		in.NextToken = out.NextToken
	}
	if want := "ListUsers/root/,ListUsers/alice/,CreateUser/admin/carol,CreateUser/admin/bob"; strings.Join(got, ",") != want {
		t.Fatalf("pages: got %v, want %s", got, want)
	}

	// The page size may change between pages; nothing else may.
	if _, err := l.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(l.start), EndTime: aws.Time(l.end), MaxResults: aws.Int32(50), NextToken: aws.String(tokens[0])}); err != nil {
		t.Fatalf("same request, other page size: %v", err)
	}
	bad := []struct {
		name string
		in   *cloudtrail.LookupEventsInput
	}{
		{"made up", &cloudtrail.LookupEventsInput{NextToken: aws.String("bm90LWEtdG9rZW4")}},
		{"other attributes", &cloudtrail.LookupEventsInput{StartTime: aws.Time(l.start), EndTime: aws.Time(l.end), NextToken: aws.String(tokens[0]),
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ListUsers")}}}},
		{"other times", &cloudtrail.LookupEventsInput{StartTime: aws.Time(l.start.Add(-time.Hour)), EndTime: aws.Time(l.end), NextToken: aws.String(tokens[0])}},
	}
	for _, tc := range bad {
		t.Run("token "+tc.name, func(t *testing.T) {
			_, err := l.ct.LookupEvents(ctx, tc.in)
			testutil.WantCode(t, err, "InvalidNextTokenException")
		})
	}

	// Times bound the events, both ends inclusive.
	bob := l.start.Add(time.Second)
	out, err := l.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(bob), EndTime: aws.Time(bob.Add(time.Second))})
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, ev := range out.Events {
		got = append(got, summary(ev))
	}
	if want := "CreateUser/admin/carol,CreateUser/admin/bob"; strings.Join(got, ",") != want {
		t.Fatalf("[bob, bob+1s]: got %v, want %s", got, want)
	}
}

func TestLookupEventsErrors(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	ct := admin(e)
	ctx := servertest.Ctx(t)
	now := time.Now()
	attr := func(k, v string) cttypes.LookupAttribute {
		return cttypes.LookupAttribute{AttributeKey: cttypes.LookupAttributeKey(k), AttributeValue: aws.String(v)}
	}
	cases := []struct {
		name string
		in   cloudtrail.LookupEventsInput
		code string
	}{
		{"two attributes", cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{attr("EventName", "A"), attr("Username", "b")}}, "InvalidLookupAttributesException"},
		{"unknown key", cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{attr("UserAgent", "curl")}}, "InvalidLookupAttributesException"},
		{"ReadOnly not a boolean", cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{attr("ReadOnly", "yes")}}, "InvalidLookupAttributesException"},
		{"empty value", cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{attr("EventName", "")}}, "InvalidLookupAttributesException"},
		{"insight by user", cloudtrail.LookupEventsInput{EventCategory: cttypes.EventCategoryInsight, LookupAttributes: []cttypes.LookupAttribute{attr("Username", "bob")}}, "InvalidLookupAttributesException"},
		{"start after end", cloudtrail.LookupEventsInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Minute))}, "InvalidTimeRangeException"},
		{"MaxResults 0", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(0)}, "InvalidMaxResultsException"},
		{"MaxResults 51", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException"},
		{"unknown category", cloudtrail.LookupEventsInput{EventCategory: "data"}, "InvalidEventCategoryException"},
		{"MaxResults 50", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(50)}, ""},
		{"Insights events: none", cloudtrail.LookupEventsInput{EventCategory: cttypes.EventCategoryInsight}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ct.LookupEvents(ctx, &tc.in)
			testutil.WantCode(t, err, tc.code)
			if tc.in.EventCategory == cttypes.EventCategoryInsight && err == nil && len(out.Events) != 0 {
				t.Fatalf("got %d Insights events, want none", len(out.Events))
			}
		})
	}
}

func TestLookupEventsAuthorizationAndAccounts(t *testing.T) {
	t.Parallel()
	l := newLookupEnv(t)
	ctx := servertest.Ctx(t)
	nobody := userKey(t, l.Env, l.Account.ID, "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)
	_, err := ctClient(l.Env, nobody.AccessKeyID, nobody.Secret).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	testutil.WantCode(t, err, "AccessDeniedException")
	reader := userKey(t, l.Env, l.Account.ID, "reader", servertest.AllowPolicy("cloudtrail:LookupEvents"))
	out, err := ctClient(l.Env, reader.AccessKeyID, reader.Secret).LookupEvents(ctx, &cloudtrail.LookupEventsInput{EndTime: aws.Time(l.end)})
	if err != nil || len(out.Events) != 4 {
		t.Fatalf("reader: got %d events, %v; want the account's 4", len(out.Events), err)
	}
	// Another account sees its own history only.
	other := l.Standalone("other")
	k := userKey(t, l.Env, other.Account, "reader", servertest.AllowPolicy("cloudtrail:LookupEvents"))
	out, err = ctClient(l.Env, k.AccessKeyID, k.Secret).LookupEvents(ctx, &cloudtrail.LookupEventsInput{EndTime: aws.Time(l.end)})
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(out.Events, func(ev cttypes.Event) bool {
		return aws.ToString(ev.Username) == "alice" || aws.ToString(ev.Username) == "root"
	}); i >= 0 {
		t.Fatalf("another account sees %s", summary(out.Events[i]))
	}
}
