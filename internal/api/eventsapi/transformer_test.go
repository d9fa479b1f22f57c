package eventsapi_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/rootward/rootward/internal/eventbridge"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// A target's InputTransformer fills its template from the event (EventBridge User Guide, "Amazon
// EventBridge input transformation"): a JSON template takes strings quoted outside strings and
// as they are inside, numbers and objects as JSON, the predefined variables, and null for a path
// the event lacks; a text template takes values as text; <…> that names no variable stays. The
// target is listed with its transformer.
func TestInputTransformer(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	if _, err := en.c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("findings"), EventPattern: aws.String(`{"source": ["aws.guardduty"]}`)}); err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{"type": "$.detail.type", "severity": "$.detail.severity", "acct": "$.account",
		"res": "$.detail.resource", "missing": "$.detail.nothing", "first": "$.resources[0]"}
	cases := []struct{ id, template, want string }{
		{"json", `{"finding": <type>, "severity": <severity>, "in": "account <acct> at <severity>", "resource": <res>, "none": <missing>}`,
			`{"finding": "Policy:IAMUser/RootCredentialUsage", "severity": 2.5, "in": "account ACCT at 2.5", "resource": {"key":"AKIA1"}, "none": null}`},
		{"text", `Finding <type> (severity <severity>) on <first> in <acct><missing>; <b>not a variable</b>`,
			`Finding Policy:IAMUser/RootCredentialUsage (severity 2.5) on arn:aws:iam::ACCT:root in ACCT; <b>not a variable</b>`},
		{"quoted-text", `"<aws.events.rule-name> matched <type>"`, `"findings matched Policy:IAMUser/RootCredentialUsage"`},
		{"reserved", `{"rule": <aws.events.rule-arn>, "name": <aws.events.rule-name>, "source": "<aws.events.event.json>"}`,
			`{"rule": "arn:aws:events:us-east-1:ACCT:rule/findings", "name": "findings", "source": "EVENT"}`},
	}
	var targets []ebtypes.Target
	for _, tc := range cases {
		targets = append(targets, ebtypes.Target{Id: aws.String(tc.id), Arn: aws.String(en.targetARN(tc.id)),
			InputTransformer: &ebtypes.InputTransformer{InputPathsMap: paths, InputTemplate: aws.String(tc.template)}})
	}
	if out, err := en.c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("findings"), Targets: targets}); err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets = %+v, %v", out, err)
	}
	listed, err := en.c.ListTargetsByRule(ctx, &ebsdk.ListTargetsByRuleInput{Rule: aws.String("findings")})
	if err != nil || len(listed.Targets) != len(cases) || listed.Targets[0].InputTransformer == nil ||
		aws.ToString(listed.Targets[0].InputTransformer.InputTemplate) != cases[0].template || listed.Targets[0].InputTransformer.InputPathsMap["type"] != "$.detail.type" {
		t.Fatalf("ListTargetsByRule = %+v, %v; want the targets with their transformers", listed, err)
	}
	en.eb.Put(eventbridge.Event{Account: en.Account.ID, Source: "aws.guardduty", DetailType: "GuardDuty Finding",
		Resources: []string{"arn:aws:iam::" + en.Account.ID + ":root"},
		Detail:    json.RawMessage(`{"type": "Policy:IAMUser/RootCredentialUsage", "severity": 2.5, "resource": {"key": "AKIA1"}}`)})
	got := map[string]string{}
	for range cases {
		d := en.wait()
		got[d.arn] = string(d.payload)
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			p := got[en.targetARN(tc.id)]
			want := strings.ReplaceAll(tc.want, "ACCT", en.Account.ID)
			if tc.id == "reserved" {
				// The whole event, as it is, inside the string: EventBridge does not escape it.
				start := strings.Index(p, `"source": "`) + len(`"source": "`)
				if start < len(`"source": "`) || !strings.HasPrefix(p[start:], `{"version":"0"`) {
					t.Fatalf("got %s, want the event JSON in source", p)
				}
				p = p[:start] + "EVENT" + `"}`
			}
			if p != want {
				t.Errorf("got  %s\nwant %s", p, want)
			}
		})
	}
}

// PutTargets refuses an InputTransformer that breaks AWS's rules with ValidationException, and
// changes nothing.
func TestInputTransformerRefused(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	en.putRule("r", `{"source": ["aws.guardduty"]}`, "")
	many := map[string]string{}
	for i := range 101 {
		many["v"+strconv.Itoa(i)] = "$.detail"
	}
	cases := []struct {
		name string
		tr   *ebtypes.InputTransformer
	}{
		{"empty template", &ebtypes.InputTransformer{InputTemplate: aws.String("")}},
		{"template too long", &ebtypes.InputTransformer{InputTemplate: aws.String(strings.Repeat("x", 8193))}},
		{"101 variables", &ebtypes.InputTransformer{InputPathsMap: many, InputTemplate: aws.String("x")}},
		{"reserved variable", &ebtypes.InputTransformer{InputPathsMap: map[string]string{"aws.events.rule-arn": "$.id"}, InputTemplate: aws.String("x")}},
		{"invalid key", &ebtypes.InputTransformer{InputPathsMap: map[string]string{"a b": "$.id"}, InputTemplate: aws.String("x")}},
		{"invalid path", &ebtypes.InputTransformer{InputPathsMap: map[string]string{"a": "detail"}, InputTemplate: aws.String("x")}},
		{"placeholder as a key", &ebtypes.InputTransformer{InputPathsMap: map[string]string{"a": "$.id"}, InputTemplate: aws.String(`{<a>: 1}`)}},
		{"invalid JSON template", &ebtypes.InputTransformer{InputPathsMap: map[string]string{"a": "$.id"}, InputTemplate: aws.String(`{"x": <a>`)}},
		{"with Input", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := ebtypes.Target{Id: aws.String("t"), Arn: aws.String(en.targetARN("t")), InputTransformer: tc.tr}
			if tc.tr == nil {
				tg.InputTransformer = &ebtypes.InputTransformer{InputTemplate: aws.String("x")}
				tg.Input = aws.String(`{}`)
			}
			_, err := en.c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{tg}})
			testutil.WantCode(t, err, "ValidationException")
			out, err := en.c.ListTargetsByRule(ctx, &ebsdk.ListTargetsByRuleInput{Rule: aws.String("r")})
			if err != nil || len(out.Targets) != 0 {
				t.Fatalf("targets after the refusal = %+v, %v; want none", out, err)
			}
		})
	}
}

// The event bus's quotas (EventBridge User Guide, "Amazon EventBridge quotas"): 300 rules, an
// event pattern of at most 2048 characters, five targets a rule; past them LimitExceededException,
// and nothing changes. Replacing an existing rule is not a new rule.
func TestBusQuotas(t *testing.T) {
	t.Parallel()
	en := newEnv(t)
	ctx := servertest.Ctx(t)
	list, err := en.c.ListRules(ctx, &ebsdk.ListRulesInput{Limit: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	have := len(list.Rules)
	for i := have; i < eventbridge.MaxRules; i++ {
		en.putRule("r"+strconv.Itoa(i), `{"source": ["x`+strconv.Itoa(i)+`"]}`, "")
	}
	_, err = en.c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("one-more"), EventPattern: aws.String(`{"source": ["y"]}`)})
	testutil.WantCode(t, err, "LimitExceededException")
	if _, err := en.c.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("one-more")}); err == nil {
		t.Fatal("the refused rule exists")
	}
	// Replacing a rule at the quota is allowed.
	if _, err := en.c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("r299"), EventPattern: aws.String(`{"source": ["z"]}`)}); err != nil {
		t.Fatalf("replacing a rule at the quota: %v", err)
	}
	if _, err := en.c.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("r299")}); err != nil {
		t.Fatal(err)
	}

	long := `{"source": ["` + strings.Repeat("a", eventbridge.MaxPatternSize) + `"]}`
	_, err = en.c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("long"), EventPattern: aws.String(long)})
	testutil.WantCode(t, err, "LimitExceededException")
	exact := `{"source": ["` + strings.Repeat("a", eventbridge.MaxPatternSize-len(`{"source": [""]}`)) + `"]}`
	if _, err := en.c.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("long"), EventPattern: aws.String(exact)}); err != nil {
		t.Fatalf("a pattern of %d characters: %v", len(exact), err)
	}

	var six []string
	for i := range 6 {
		six = append(six, "t"+strconv.Itoa(i))
	}
	_, err = en.c.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("long"), Targets: sdkTargets(en, six...)})
	testutil.WantCode(t, err, "LimitExceededException")
	if out, err := en.c.ListTargetsByRule(ctx, &ebsdk.ListTargetsByRuleInput{Rule: aws.String("long")}); err != nil || len(out.Targets) != 0 {
		t.Fatalf("targets after the refusal = %+v, %v; want none", out, err)
	}
}
