package eventsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

func ebTypesState(s string) ebtypes.RuleState { return ebtypes.RuleState(s) }

func sdkTargets(en *env, ids ...string) []ebtypes.Target {
	out := make([]ebtypes.Target, len(ids))
	for i, id := range ids {
		out[i] = ebtypes.Target{Id: aws.String(id), Arn: aws.String(en.targetARN(id))}
	}
	return out
}

func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	testutil.WantCode(t, err, code)
	if got := testutil.ErrorMessage(err); msg != "" && got != msg {
		t.Errorf("message = %q, want %q", got, msg)
	}
}

const iamPattern = `{"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"], "detail": {"eventName": ["CreateUser"]}}`

func TestRuleLifecycle(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	c := en.c

	put, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("on-create-user"), EventPattern: aws.String(iamPattern),
		Description: aws.String("new users")})
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:events:us-east-1:" + en.Account.ID + ":rule/on-create-user"
	if got := aws.ToString(put.RuleArn); got != wantARN {
		t.Errorf("RuleArn = %s, want %s", got, wantARN)
	}
	d, err := c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("on-create-user")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Arn) != wantARN || d.State != ebtypes.RuleStateEnabled || aws.ToString(d.EventBusName) != "default" ||
		aws.ToString(d.CreatedBy) != en.Account.ID || aws.ToString(d.Description) != "new users" || aws.ToString(d.EventPattern) != iamPattern ||
		d.ManagedBy != nil {
		t.Errorf("DescribeRule = %+v", d)
	}

	// Disable, enable; an ENABLED_WITH_ALL… rule comes back in that state.
	if _, err := c.DisableRule(ctx, &ebsdk.DisableRuleInput{Name: aws.String("on-create-user")}); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("on-create-user")}); d.State != ebtypes.RuleStateDisabled {
		t.Errorf("State after DisableRule = %s, want DISABLED", d.State)
	}
	if _, err := c.EnableRule(ctx, &ebsdk.EnableRuleInput{Name: aws.String("on-create-user")}); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("on-create-user")}); d.State != ebtypes.RuleStateEnabled {
		t.Errorf("State after EnableRule = %s, want ENABLED", d.State)
	}
	en.putRule("all-events", `{"source": ["aws.iam"]}`, eventbridge.StateEnabledAll)
	_, _ = c.DisableRule(ctx, &ebsdk.DisableRuleInput{Name: aws.String("all-events")})
	_, _ = c.EnableRule(ctx, &ebsdk.EnableRuleInput{Name: aws.String("all-events")})
	if d, _ := c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("all-events")}); d.State != ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents {
		t.Errorf("State after disable and enable = %s, want ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", d.State)
	}

	// Listing by prefix, a page at a time.
	en.putRule("on-delete-user", `{"source": ["aws.iam"]}`, "")
	var names []string
	pages := 0
	var token *string
	for {
		p, err := c.ListRules(ctx, &ebsdk.ListRulesInput{NamePrefix: aws.String("on-"), Limit: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range p.Rules {
			names = append(names, aws.ToString(r.Name))
			if aws.ToString(r.EventBusName) != "default" || r.Arn == nil {
				t.Errorf("listed rule %+v", r)
			}
		}
		if token = p.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "on-create-user,on-delete-user" || pages != 2 {
		t.Errorf("ListRules(on-) = %v in %d pages, want [on-create-user on-delete-user] in 2", names, pages)
	}
	_, err = c.ListRules(ctx, &ebsdk.ListRulesInput{NextToken: aws.String("forged")})
	wantError(t, err, "InvalidToken", "")

	// A rule with targets is not deleted; without them it is, and deleting it again is no error.
	en.putRule("on-create-user", iamPattern, "", "t1")
	_, err = c.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("on-create-user")})
	wantError(t, err, "ValidationException", "Rule can't be deleted since it has targets.")
	if _, err := c.RemoveTargets(ctx, &ebsdk.RemoveTargetsInput{Rule: aws.String("on-create-user"), Ids: []string{"t1"}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("on-create-user")}); err != nil {
			t.Fatalf("DeleteRule: %v", err)
		}
	}
	_, err = c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("on-create-user")})
	wantError(t, err, "ResourceNotFoundException", "Rule on-create-user does not exist on EventBus default.")
	var nf *ebtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("error %T, want the SDK's ResourceNotFoundException", err)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	c := en.c
	long := strings.Repeat("a", 65)
	tests := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"bad rule name", func() error {
			_, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("bad name"), EventPattern: aws.String(`{"source":["a"]}`)})
			return err
		}, "ValidationException", `1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`},
		{"long rule name", func() error {
			_, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String(long), EventPattern: aws.String(`{"source":["a"]}`)})
			return err
		}, "ValidationException", "1 validation error detected: Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"bad state", func() error {
			_, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`), State: "ON"})
			return err
		}, "ValidationException", "1 validation error detected: Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"},
		{"no pattern", func() error {
			_, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("r")})
			return err
		}, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified."},
		{"scalar in pattern", func() error {
			_, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":"aws.iam"}`)})
			return err
		}, "InvalidEventPatternException", `Event pattern is not valid. Reason: "source" must be an object or an array`},
		{"numeric range", func() error {
			_, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"n":[{"numeric":[">",5,"<",1]}]}`)})
			return err
		}, "InvalidEventPatternException", "Event pattern is not valid. Reason: Bottom must be less than top"},
		{"another bus", func() error {
			_, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`), EventBusName: aws.String("custom")})
			return err
		}, "ResourceNotFoundException", "Event bus custom does not exist."},
		{"another account's default bus", func() error {
			_, err := c.ListRules(ctx, &ebsdk.ListRulesInput{EventBusName: aws.String("arn:aws:events:us-east-1:999999999999:event-bus/default")})
			return err
		}, "ResourceNotFoundException", "Event bus default does not exist."},
		{"limit 0", func() error {
			_, err := c.ListRules(ctx, &ebsdk.ListRulesInput{Limit: aws.Int32(0)})
			return err
		}, "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"target id", func() error {
			_, err := c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{{Id: aws.String("a b"), Arn: aws.String(en.targetARN("x"))}}})
			return err
		}, "ValidationException", `1 validation error detected: Value 'a b' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`},
		{"describe missing", func() error {
			_, err := c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "Rule nope does not exist on EventBus default."},
		{"targets of missing rule", func() error {
			_, err := c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("nope"), Targets: sdkTargets(en, "a")})
			return err
		}, "ResourceNotFoundException", "Rule nope does not exist on EventBus default."},
		{"enable missing", func() error {
			_, err := c.EnableRule(ctx, &ebsdk.EnableRuleInput{Name: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "Rule nope does not exist on EventBus default."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.call(), tc.code, tc.msg)
		})
	}
	// Nothing bad input asked for exists.
	out, err := c.ListRules(ctx, &ebsdk.ListRulesInput{})
	if err != nil || len(out.Rules) != 0 {
		t.Errorf("ListRules after refused calls = %+v, %v; want none", out, err)
	}
}

func TestTargets(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	c := en.c
	en.putRule("r", `{"source": ["aws.iam"]}`, "")

	// A target of a service no handler serves is a failed entry; the others are stored.
	out, err := c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{
		{Id: aws.String("a"), Arn: aws.String(en.targetARN("a"))},
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:" + en.Account.ID + ":function:f")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 1 || len(out.FailedEntries) != 1 || aws.ToString(out.FailedEntries[0].TargetId) != "fn" ||
		aws.ToString(out.FailedEntries[0].ErrorCode) != "ValidationException" {
		t.Errorf("PutTargets = %+v, want fn failed with ValidationException", out)
	}
	// Replacing by Id, adding up to five.
	if _, err := c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{
		{Id: aws.String("a"), Arn: aws.String(en.targetARN("a")), InputPath: aws.String("$.detail")},
		{Id: aws.String("b"), Arn: aws.String(en.targetARN("b")), Input: aws.String(`{"fixed":true}`)},
	}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListTargetsByRule(ctx, &ebsdk.ListTargetsByRuleInput{Rule: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lt.Targets) != 2 || aws.ToString(lt.Targets[0].InputPath) != "$.detail" || aws.ToString(lt.Targets[1].Input) != `{"fixed":true}` {
		t.Errorf("ListTargetsByRule = %+v", lt.Targets)
	}
	_, err = c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("r"), Targets: sdkTargets(en, "c", "d", "e", "f")})
	wantError(t, err, "LimitExceededException", "")
	var le *ebtypes.LimitExceededException
	if !errors.As(err, &le) {
		t.Errorf("error %T, want the SDK's LimitExceededException", err)
	}
	if lt, _ := c.ListTargetsByRule(ctx, &ebsdk.ListTargetsByRuleInput{Rule: aws.String("r")}); len(lt.Targets) != 2 {
		t.Errorf("targets after a refused PutTargets = %d, want 2", len(lt.Targets))
	}
	_, err = c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{
		{Id: aws.String("x"), Arn: aws.String(en.targetARN("x")), Input: aws.String("{not json")}}})
	wantError(t, err, "ValidationException", "Input for target x is not valid JSON text.")

	// The rules of a target.
	en.putRule("s", `{"source": ["aws.sts"]}`, "", "a")
	names, err := c.ListRuleNamesByTarget(ctx, &ebsdk.ListRuleNamesByTargetInput{TargetArn: aws.String(en.targetARN("a"))})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names.RuleNames, ",") != "r,s" {
		t.Errorf("ListRuleNamesByTarget(a) = %v, want [r s]", names.RuleNames)
	}
	one, err := c.ListRuleNamesByTarget(ctx, &ebsdk.ListRuleNamesByTargetInput{TargetArn: aws.String(en.targetARN("a")), Limit: aws.Int32(1)})
	if err != nil || len(one.RuleNames) != 1 || one.NextToken == nil {
		t.Fatalf("ListRuleNamesByTarget(limit 1) = %+v, %v", one, err)
	}
	rest, err := c.ListRuleNamesByTarget(ctx, &ebsdk.ListRuleNamesByTargetInput{TargetArn: aws.String(en.targetARN("a")), NextToken: one.NextToken})
	if err != nil || strings.Join(rest.RuleNames, ",") != "s" || rest.NextToken != nil {
		t.Errorf("second page = %+v, %v; want [s] and no token", rest, err)
	}
	// A prefix of an ARN is not the ARN.
	if n, _ := c.ListRuleNamesByTarget(ctx, &ebsdk.ListRuleNamesByTargetInput{TargetArn: aws.String(en.targetARN(""))}); len(n.RuleNames) != 0 {
		t.Errorf("ListRuleNamesByTarget(prefix) = %v, want none", n.RuleNames)
	}
	// Removing an ID the rule lacks is no error.
	rm, err := c.RemoveTargets(ctx, &ebsdk.RemoveTargetsInput{Rule: aws.String("r"), Ids: []string{"a", "zzz"}})
	if err != nil || rm.FailedEntryCount != 0 {
		t.Errorf("RemoveTargets = %+v, %v", rm, err)
	}
	if names, _ := c.ListRuleNamesByTarget(ctx, &ebsdk.ListRuleNamesByTargetInput{TargetArn: aws.String(en.targetARN("a"))}); strings.Join(names.RuleNames, ",") != "s" {
		t.Errorf("ListRuleNamesByTarget(a) after RemoveTargets = %v, want [s]", names.RuleNames)
	}
}

func TestManagedRule(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	c := en.c
	type change struct{ account, rule, change, caller string }
	changes := make(chan change, 8)
	en.eb.OnManagedRuleChange(func(_ context.Context, account, rule, ch, caller string) {
		changes <- change{account, rule, ch, caller}
	})
	mr := eventbridge.ManagedRule{Name: "RootwardRootActivity", Description: "Root activity", ManagedBy: "rootward",
		EventPattern: `{"detail": {"userIdentity": {"type": ["Root"]}}}`,
		Targets:      []eventbridge.Target{{ID: "alert", ARN: en.targetARN("root-activity")}}}
	for range 2 { // idempotent
		if err := en.eb.EnsureManagedRule(ctx, en.Account.ID, mr); err != nil {
			t.Fatal(err)
		}
	}
	l, err := c.ListRules(ctx, &ebsdk.ListRulesInput{})
	if err != nil || len(l.Rules) != 1 || aws.ToString(l.Rules[0].ManagedBy) != "rootward" ||
		l.Rules[0].State != ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents {
		t.Fatalf("ListRules = %+v, %v", l, err)
	}
	name := aws.String("RootwardRootActivity")
	managed := []struct {
		name string
		call func() error
	}{
		{"PutRule", func() error {
			_, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: name, EventPattern: aws.String(`{"source":["x"]}`)})
			return err
		}},
		{"PutTargets", func() error {
			_, err := c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: name, Targets: sdkTargets(en, "more")})
			return err
		}},
		{"RemoveTargets", func() error {
			_, err := c.RemoveTargets(ctx, &ebsdk.RemoveTargetsInput{Rule: name, Ids: []string{"alert"}})
			return err
		}},
		{"TagResource", func() error {
			_, err := c.TagResource(ctx, &ebsdk.TagResourceInput{ResourceARN: l.Rules[0].Arn, Tags: []ebtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}},
	}
	for _, tc := range managed {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			testutil.WantCode(t, err, "ManagedRuleException")
			var me *ebtypes.ManagedRuleException
			if !errors.As(err, &me) {
				t.Errorf("error %T, want the SDK's ManagedRuleException", err)
			}
		})
	}
	// Disabling is allowed, and its owner hears of it with the caller.
	if _, err := c.DisableRule(ctx, &ebsdk.DisableRuleInput{Name: name}); err != nil {
		t.Fatal(err)
	}
	adminARN := "arn:aws:iam::" + en.Account.ID + ":user/admin"
	if got := <-changes; got != (change{en.Account.ID, "RootwardRootActivity", "DisableRule", adminARN}) {
		t.Errorf("change = %+v", got)
	}
	// Ensuring it again keeps the account's choice.
	if err := en.eb.EnsureManagedRule(ctx, en.Account.ID, mr); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: name}); d.State != ebtypes.RuleStateDisabled {
		t.Errorf("State after EnsureManagedRule = %s, want DISABLED kept", d.State)
	}
	if _, err := c.EnableRule(ctx, &ebsdk.EnableRuleInput{Name: name}); err != nil {
		t.Fatal(err)
	}
	if got := <-changes; got.change != "EnableRule" {
		t.Errorf("change = %+v, want EnableRule", got)
	}
	if d, _ := c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: name}); d.State != ebtypes.RuleStateEnabledWithAllCloudtrailManagementEvents {
		t.Errorf("State after EnableRule = %s, want ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", d.State)
	}
	// Removing its alert target with Force silences it: its owner hears of that too.
	if _, err := c.RemoveTargets(ctx, &ebsdk.RemoveTargetsInput{Rule: name, Ids: []string{"alert"}, Force: true}); err != nil {
		t.Fatal(err)
	}
	if got := <-changes; got != (change{en.Account.ID, "RootwardRootActivity", "RemoveTargets", adminARN}) {
		t.Errorf("change = %+v, want RemoveTargets by admin", got)
	}
	if l, err := c.ListTargetsByRule(ctx, &ebsdk.ListTargetsByRuleInput{Rule: name}); err != nil || len(l.Targets) != 0 {
		t.Errorf("targets after RemoveTargets with Force = %+v, %v; want none", l, err)
	}
	// A rule another service manages is deleted only with Force, as AWS.
	other := eventbridge.ManagedRule{Name: "OtherManaged", ManagedBy: "other.amazonaws.com", EventPattern: `{"source":["x"]}`}
	if err := en.eb.EnsureManagedRule(ctx, en.Account.ID, other); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("OtherManaged")})
	testutil.WantCode(t, err, "ManagedRuleException")
	if _, err := c.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("OtherManaged"), Force: true}); err != nil {
		t.Fatalf("DeleteRule with Force: %v", err)
	}
	if got := <-changes; got.rule != "OtherManaged" || got.change != "DeleteRule" {
		t.Errorf("change = %+v, want DeleteRule of OtherManaged", got)
	}
	// Rootward's own rule is deleted by a plain DeleteRule, with its targets (issue 12 decided it
	// is allowed, recorded and announced).
	if _, err := c.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: name}); err != nil {
		t.Fatal(err)
	}
	if got := <-changes; got.change != "DeleteRule" || got.caller != adminARN {
		t.Errorf("change = %+v, want DeleteRule by admin", got)
	}
	if _, err := c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: name}); err == nil {
		t.Error("the managed rule survived DeleteRule")
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	c := en.c
	put, err := c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`),
		Tags: []ebtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagResource(ctx, &ebsdk.TagResourceInput{ResourceARN: put.RuleArn, Tags: []ebtypes.Tag{
		{Key: aws.String("team"), Value: aws.String("sec")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &ebsdk.UntagResourceInput{ResourceARN: put.RuleArn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListTagsForResource(ctx, &ebsdk.ListTagsForResourceInput{ResourceARN: put.RuleArn})
	if err != nil || len(l.Tags) != 1 || aws.ToString(l.Tags[0].Key) != "env" || aws.ToString(l.Tags[0].Value) != "prod" {
		t.Errorf("ListTagsForResource = %+v, %v; want env=prod", l, err)
	}
	_, err = c.TagResource(ctx, &ebsdk.TagResourceInput{ResourceARN: put.RuleArn, Tags: []ebtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}})
	testutil.WantCode(t, err, "ValidationException")
	_, err = c.ListTagsForResource(ctx, &ebsdk.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:999999999999:rule/r")})
	testutil.WantCode(t, err, "ResourceNotFoundException")
}

func TestTestEventPattern(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	event := `{"id": "1", "source": "aws.signin", "detail-type": "AWS Console Sign In via CloudTrail", "account": "123456789012",
		"time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
		"detail": {"userIdentity": {"type": "Root"}, "sourceIPAddress": "203.0.113.9", "additionalEventData": {"MFAUsed": "No"}}}`
	tests := []struct {
		name, pattern string
		want          bool
	}{
		{"root sign-in", `{"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}`, true},
		{"not an IAM user", `{"detail": {"userIdentity": {"type": ["IAMUser"]}}}`, false},
		{"cidr", `{"detail": {"sourceIPAddress": [{"cidr": "203.0.113.0/24"}]}}`, true},
		{"without MFA", `{"detail": {"additionalEventData": {"MFAUsed": [{"anything-but": "Yes"}]}}}`, true},
		{"or", `{"$or": [{"source": ["aws.iam"]}, {"source": [{"prefix": "aws.sign"}]}]}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := en.c.TestEventPattern(ctx, &ebsdk.TestEventPatternInput{Event: aws.String(event), EventPattern: aws.String(tc.pattern)})
			if err != nil {
				t.Fatal(err)
			}
			if out.Result != tc.want {
				t.Errorf("Result = %v, want %v", out.Result, tc.want)
			}
		})
	}
	_, err := en.c.TestEventPattern(ctx, &ebsdk.TestEventPatternInput{Event: aws.String(event), EventPattern: aws.String(`{"source": [{"wildcard": "a**"}]}`)})
	wantError(t, err, "InvalidEventPatternException", "Event pattern is not valid. Reason: Consecutive wildcard characters at pos 1")
	_, err = en.c.TestEventPattern(ctx, &ebsdk.TestEventPatternInput{Event: aws.String(`{"source": "x"}`), EventPattern: aws.String(`{"source": ["x"]}`)})
	wantError(t, err, "ValidationException", "Parameter Event is not valid.")
}

func TestAuthorization(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	policy := `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "events:PutRule", "Resource": "arn:aws:events:us-east-1:` + en.Account.ID + `:rule/team-*",
		 "Condition": {"ForAllValues:StringEquals": {"events:source": ["aws.iam"]}, "Null": {"events:source": "false"}}},
		{"Effect": "Allow", "Action": "events:PutTargets", "Resource": "*",
		 "Condition": {"ForAllValues:StringLike": {"events:TargetArn": "arn:aws:rootward:*:*:alert/ok-*"}}},
		{"Effect": "Allow", "Action": ["events:DescribeRule", "events:ListRules"], "Resource": "*"}]}`
	u := en.UserIn(en.Account.ID, "dev", policy)
	_ = u
	key, err := en.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	dev := en.client(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey))
	tests := []struct {
		name    string
		call    func() error
		allowed bool
	}{
		{"allowed name and source", func() error {
			_, err := dev.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("team-a"), EventPattern: aws.String(`{"source": ["aws.iam"]}`)})
			return err
		}, true},
		{"other name", func() error {
			_, err := dev.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("other"), EventPattern: aws.String(`{"source": ["aws.iam"]}`)})
			return err
		}, false},
		{"other source", func() error {
			_, err := dev.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("team-b"), EventPattern: aws.String(`{"source": ["aws.sts"]}`)})
			return err
		}, false},
		{"no source", func() error {
			_, err := dev.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("team-c"), EventPattern: aws.String(`{"detail": {"x": ["y"]}}`)})
			return err
		}, false},
		{"allowed target", func() error {
			_, err := dev.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("team-a"), Targets: sdkTargets(en, "ok-1")})
			return err
		}, true},
		{"other target", func() error {
			_, err := dev.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("team-a"), Targets: sdkTargets(en, "ok-2", "secret")})
			return err
		}, false},
		{"delete", func() error {
			_, err := dev.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("team-a")})
			return err
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.allowed {
				if err != nil {
					t.Fatalf("got %v, want allowed", err)
				}
				return
			}
			testutil.WantCode(t, err, "AccessDeniedException")
			var ad *ebtypes.AccessDeniedException
			if !errors.As(err, &ad) {
				t.Errorf("error %T, want the SDK's AccessDeniedException", err)
			}
		})
	}
	// Nothing a denied call asked for exists.
	l, _ := en.c.ListRules(ctx, &ebsdk.ListRulesInput{})
	if len(l.Rules) != 1 {
		t.Errorf("rules = %d, want only team-a", len(l.Rules))
	}
}

// TestTrailEventReachesTarget: an IAM call's CloudTrail record reaches the target function a rule
// sends it to, in AWS's envelope, and the attempt is recorded.
func TestTrailEventReachesTarget(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	en.putRule("on-create-user", iamPattern, "", "t1")
	if _, err := en.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	d := en.wait()
	if d.arn != en.targetARN("t1") || d.rule != "arn:aws:events:us-east-1:"+en.Account.ID+":rule/on-create-user" {
		t.Errorf("delivered to %s for %s", d.arn, d.rule)
	}
	var ev struct {
		Version    string          `json:"version"`
		ID         string          `json:"id"`
		DetailType string          `json:"detail-type"`
		Source     string          `json:"source"`
		Account    string          `json:"account"`
		Time       string          `json:"time"`
		Region     string          `json:"region"`
		Resources  []string        `json:"resources"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(d.payload, &ev); err != nil {
		t.Fatalf("payload %s: %v", d.payload, err)
	}
	wantTime := en.clock.Now().UTC().Format("2006-01-02T15:04:05Z")
	if ev.Version != "0" || len(ev.ID) != 36 || ev.DetailType != "AWS API Call via CloudTrail" || ev.Source != "aws.iam" ||
		ev.Account != en.Account.ID || ev.Time != wantTime || ev.Region != "us-east-1" || ev.Resources == nil || len(ev.Resources) != 0 {
		t.Errorf("envelope = %+v (want time %s)", ev, wantTime)
	}
	var detail map[string]any
	_ = json.Unmarshal(ev.Detail, &detail)
	if detail["eventName"] != "CreateUser" || detail["eventSource"] != "iam.amazonaws.com" {
		t.Errorf("detail = %v", detail)
	}
	if a := en.attempt(); a.Outcome != eventbridge.OutcomeDelivered || a.Attempt != 1 || a.Rule != "on-create-user" || a.EventID != ev.ID {
		t.Errorf("attempt = %+v", a)
	}
	got, err := en.eb.Deliveries(ctx, en.Account.ID, en.clock.Now(), 10)
	if err != nil || len(got) != 1 || got[0].Outcome != eventbridge.OutcomeDelivered || got[0].TargetID != "t1" {
		t.Errorf("Deliveries = %+v, %v", got, err)
	}
	// Another call matches no rule and reaches nobody.
	if _, err := en.IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	en.putRule("barrier", `{"source": ["aws.events"], "detail": {"eventName": ["PutTargets"]}}`, "", "barrier")
	if d := en.wait(); !strings.HasSuffix(d.arn, "/barrier") {
		t.Errorf("delivery %s, want only the barrier's", d.arn)
	}
}
