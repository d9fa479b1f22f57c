package sns

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
)

// A topic's access policy is a resource-based policy (Amazon SNS Developer Guide, "Identity and
// access management in Amazon SNS"): internal/api/snsapi evaluates it with the caller's own
// policies (same-account and cross-account rules of the IAM User Guide, "Policy evaluation
// logic"); PublishAs evaluates it alone for a service principal.
//
// A topic that was never given a policy has AWS's default one, which allows the topic's own
// account on the condition AWS:SourceOwner equals it. Rootward never sets AWS:SourceOwner for a
// direct API call or for a service principal, so that statement grants nothing by itself: the
// owner account's principals need an identity-based allow (the secure reading; AWS documents
// AWS:SourceOwner only for notifications from other AWS services), other accounts are refused,
// and EventBridge needs a statement that names events.amazonaws.com, as AWS requires for
// EventBridge targets (Amazon EventBridge User Guide, "Using resource-based policies for Amazon
// EventBridge": "Amazon SNS permissions").

// defaultPolicy is the access policy AWS gives a new topic (GetTopicAttributes of a new topic).
func defaultPolicy(topicARN, account string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow",` +
		`"Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission",` +
		`"SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],` +
		`"Resource":` + strconv.Quote(topicARN) + `,"Condition":{"StringEquals":{"AWS:SourceOwner":` + strconv.Quote(account) + `}}}]}`
}

// maxPolicyBytes is the size quota of a topic policy (Amazon SNS Developer Guide, "Amazon SNS API
// permissions: Actions and resources reference", "Policy quotas": 30 KB).
const maxPolicyBytes = 30 * 1024

// checkPolicy validates a topic policy as SetTopicAttributes and CreateTopic receive it: a
// resource-based policy the engine can evaluate, of SNS actions only. The messages follow AWS's
// "Invalid parameter: Policy Error: …" form; the detail after it is the engine's (AWS's own
// wording of each problem is not documented).
func checkPolicy(doc string) error {
	if len(doc) > maxPolicyBytes {
		return invalid("Policy Error: exceeded maximum size of %d bytes", maxPolicyBytes)
	}
	p, err := policy.Parse(doc, policy.KindResource)
	if err != nil {
		msg := "null"
		if e, ok := awserr.As(err); ok {
			msg = e.Message
		}
		return invalid("Policy Error: %s", msg)
	}
	for _, st := range p.Statements {
		for _, a := range append(append([]string(nil), st.Action...), st.NotAction...) {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "sns:") {
				return invalid("Policy statement action out of service scope!")
			}
		}
	}
	return nil
}

// AccessPolicy is the topic's access policy, compiled. A stored policy that no longer parses (it
// was validated when set) is an internal error: the caller is denied, never allowed.
func (t *Topic) AccessPolicy() (*policy.Policy, error) {
	p, err := policy.Parse(t.Policy, policy.KindResource)
	if err != nil {
		return nil, err
	}
	p.Name = t.ARN + " access policy"
	return p, nil
}

// AllowsService reports whether the topic's access policy lets the service principal perform
// action on the topic on behalf of the resource sourceARN (an EventBridge rule): aws:SourceArn and
// aws:SourceAccount are the source's, as AWS sets them for service principals (IAM User Guide,
// "AWS global condition context keys"). A service principal is decided by the resource-based
// policy alone. It returns nil or AuthorizationError.
func (s *Service) AllowsService(t *Topic, principal, sourceARN, action string) error {
	p, err := t.AccessPolicy()
	if err != nil {
		return err
	}
	ctx := new(policy.Context)
	now := s.now().UTC()
	ctx.Set("aws:CurrentTime", now.Format("2006-01-02T15:04:05Z"))
	ctx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	ctx.Set("aws:SecureTransport", "true")
	ctx.Set("aws:PrincipalServiceName", principal)
	ctx.Set("aws:PrincipalIsAWSService", "true")
	if sourceARN != "" {
		ctx.Set("aws:SourceArn", sourceARN)
		if a, err := arn.Parse(sourceARN); err == nil && a.Account != "" {
			ctx.Set("aws:SourceAccount", a.Account)
		}
	}
	d := policy.Evaluate(&policy.Input{Resource: p, ResourceAccount: t.Account},
		&policy.Request{Action: action, Resource: t.ARN, Principal: policy.Principal{Service: principal}, Context: ctx})
	if d.Allowed() {
		return nil
	}
	return Errorf(CodeAuthorizationError, "Service: %s is not authorized to perform: %s on resource: %s %s",
		principal, action, t.ARN, d.Reason(action))
}

// The default delivery policy of HTTP/S endpoints (Amazon SNS Developer Guide, "Amazon SNS
// message delivery retries": "attempts up to three retries with a delay between failed attempts
// set at 20 seconds"), as GetTopicAttributes shows it in EffectiveDeliveryPolicy.
const defaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,` +
	`"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},` +
	`"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// deliveryPolicy is the part of a delivery policy Rootward applies.
type deliveryPolicy struct {
	HTTP struct {
		Retry struct {
			MinDelayTarget *int `json:"minDelayTarget"`
			MaxDelayTarget *int `json:"maxDelayTarget"`
			NumRetries     *int `json:"numRetries"`
		} `json:"defaultHealthyRetryPolicy"`
	} `json:"http"`
}

// maxRetryTime is the bound of an HTTP/S retry policy ("The total policy retry time for an HTTP/S
// endpoint cannot be greater than 3,600 seconds", same page).
const maxRetryTime = 3600

// checkDeliveryPolicy validates a DeliveryPolicy attribute. The messages are Rootward's: AWS's
// exact wording is not documented.
func checkDeliveryPolicy(doc string) error {
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		return invalid("DeliveryPolicy: failed to parse JSON.")
	}
	var dp deliveryPolicy
	if err := json.Unmarshal([]byte(doc), &dp); err != nil {
		return invalid("DeliveryPolicy: %s", "unexpected value type")
	}
	r := dp.HTTP.Retry
	if r.NumRetries != nil && (*r.NumRetries < 0 || *r.NumRetries > 100) {
		return invalid("DeliveryPolicy: numRetries must be between 0 and 100")
	}
	if r.MinDelayTarget != nil && (*r.MinDelayTarget < 1 || *r.MinDelayTarget > maxRetryTime) {
		return invalid("DeliveryPolicy: minDelayTarget must be between 1 and %d", maxRetryTime)
	}
	if r.MaxDelayTarget != nil && (*r.MaxDelayTarget < 1 || *r.MaxDelayTarget > maxRetryTime) {
		return invalid("DeliveryPolicy: maxDelayTarget must be between 1 and %d", maxRetryTime)
	}
	if r.MinDelayTarget != nil && r.MaxDelayTarget != nil && *r.MaxDelayTarget < *r.MinDelayTarget {
		return invalid("DeliveryPolicy: maxDelayTarget must be greater than or equal to minDelayTarget")
	}
	if n, d := orInt(r.NumRetries, 3), orInt(r.MinDelayTarget, 20); n*d > maxRetryTime {
		return invalid("DeliveryPolicy: total retry time must not exceed %d seconds", maxRetryTime)
	}
	return nil
}

func orInt(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// effectiveDeliveryPolicy is the topic's delivery policy laid over the default, as
// EffectiveDeliveryPolicy shows it.
func effectiveDeliveryPolicy(set string) string {
	if set == "" {
		return defaultDeliveryPolicy
	}
	var base, over map[string]any
	_ = json.Unmarshal([]byte(defaultDeliveryPolicy), &base)
	if json.Unmarshal([]byte(set), &over) != nil {
		return defaultDeliveryPolicy
	}
	merge(base, over)
	b, err := json.Marshal(base)
	if err != nil {
		return defaultDeliveryPolicy
	}
	return string(b)
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// httpRetries is the HTTP/S retry schedule of a topic's (or subscription's) delivery policy:
// attempts in all and the delay between them, in seconds. Rootward waits minDelayTarget between
// attempts whatever the backoff function (the default policy's linear 20 s).
func httpRetries(policies ...string) (attempts, delay int) {
	n, d := 3, 20
	for _, doc := range policies {
		if doc == "" {
			continue
		}
		var dp deliveryPolicy
		if json.Unmarshal([]byte(doc), &dp) != nil {
			continue
		}
		n, d = orInt(dp.HTTP.Retry.NumRetries, n), orInt(dp.HTTP.Retry.MinDelayTarget, d)
	}
	return n + 1, d
}
