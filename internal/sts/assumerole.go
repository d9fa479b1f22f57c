package sts

import (
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// AssumeRequest is what an AssumeRole request asks beyond the role and the session's name: the
// session tags it passes, which of them are transitive, and its external ID.
type AssumeRequest struct {
	Tags       []iam.Tag
	Transitive []string
	ExternalID string
	// RCPs are the resource control policies of the role's account
	// (authz.ResourceControlPolicies); nil when none bind it.
	RCPs [][]*policy.Policy
}

// CheckAssumer refuses the root user, which cannot assume roles (IAM User Guide, "Methods to
// assume a role"), with its long-term keys nor with credentials it got from GetSessionToken; a
// privileged root session may. Returns AccessDenied.
func CheckAssumer(caller *authz.Identity) error {
	if caller.Type == iam.PrincipalRoot && (caller.Session == nil || !caller.Session.AssumedRoot) {
		return awserr.New(awserr.AccessDenied, "Roles may not be assumed by root accounts.")
	}
	return nil
}

// SplitRoleARN returns the account and name of a role ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME).
func SplitRoleARN(a string) (account, name string, ok bool) {
	rest, found := strings.CutPrefix(a, arn.IAMServicePrefix)
	if !found {
		return "", "", false
	}
	account, res, found := strings.Cut(rest, ":role/")
	if !found || len(account) != 12 || res == "" {
		return "", "", false
	}
	return account, res[strings.LastIndexByte(res, '/')+1:], true
}

// Denied is the AccessDenied of a role the caller may not assume, whether it exists or not — so
// that a caller cannot probe another account for role names — or of a trust policy that does not
// allow action.
func Denied(caller *authz.Identity, action, roleARN string) error {
	return awserr.New(awserr.AccessDenied, "User: %s is not authorized to perform: %s on resource: %s", caller.ARN, action, roleARN)
}

// SourceIdentity is the source identity of a session asked for with requested ("" for none): a
// role chain keeps the calling session's, which cannot be changed (IAM User Guide, "Monitor and
// control actions taken with assumed roles"). Returns AccessDenied for a change.
func SourceIdentity(caller *authz.Identity, requested string) (string, error) {
	s := caller.Session
	if s == nil || s.SourceIdentity == "" {
		return requested, nil
	}
	if requested != "" && requested != s.SourceIdentity {
		return "", awserr.New(awserr.AccessDenied, "SourceIdentity cannot be changed in a role chain.")
	}
	return s.SourceIdentity, nil
}

// RoleDuration is the duration of a session of role asked for requested seconds (0: the default,
// one hour): at most the role's MaxSessionDuration, and one hour in a role chain (IAM User Guide,
// "Role chaining"). The model's own range, 900–43,200, is checked when the request is decoded.
// Returns ValidationError.
func RoleDuration(caller *authz.Identity, role *iam.Role, requested int) (int, error) {
	d := requested
	if d == 0 {
		d = 3600
	}
	if d > role.MaxSessionDuration {
		return 0, awserr.New(awserr.ValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if caller.Session != nil && caller.Type == iam.PrincipalAssumedRole && d > 3600 {
		return 0, awserr.New(awserr.ValidationError, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	return d, nil
}

// RoleSession starts the session of role (in account) named name for caller, from now for
// seconds, with its source identity.
func RoleSession(account string, role *iam.Role, name, sourceIdentity string, now time.Time, seconds int) *iam.Session {
	sess := iam.RoleSession(account, role)
	sess.SessionName, sess.SourceIdentity, sess.IssuedAt = name, sourceIdentity, now.UTC().Truncate(time.Second)
	sess.Expiration = sess.IssuedAt.Add(time.Duration(seconds) * time.Second)
	return sess
}

// maxSessionPolicy approximates the packed size limit of session policies by the documented
// 2,048-character plaintext limit of the inline Policy (STS API reference, AssumeRole).
const maxSessionPolicy = 2048

// AddSessionPolicy adds the inline session policy doc to sess. Returns PackedPolicyTooLarge or the
// policy's MalformedPolicyDocument.
func AddSessionPolicy(sess *iam.Session, doc string) error {
	if len(doc) > maxSessionPolicy {
		return awserr.New(awserr.PackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy.", len(doc)*100/maxSessionPolicy)
	}
	if _, err := policy.Parse(doc, policy.KindSession); err != nil {
		return err
	}
	sess.Policies = append(sess.Policies, iam.PolicyDoc{Label: "session policy", Document: doc})
	sess.HasPolicies = true
	return nil
}

// PackedPolicySize is the PackedPolicySize of AssumeRole's answer: "a percentage value that
// indicates the packed size of the session policies and session tags combined passed in the
// request" (STS API reference, AssumeRole). AWS's packing is not documented; Rootward counts the
// inline policy's characters, the managed policies' ARNs and the tags' keys and values against the
// 2,048-character plaintext limit, rounding up, at least 1 when anything was passed and 0 when
// nothing was (then the answer omits the element). Above 100 the request fails with
// PackedPolicyTooLarge, as AWS's does.
func PackedPolicySize(policy *string, arns []string, tags []iam.Tag) (int, error) {
	n := 0
	if policy != nil {
		n += len(*policy)
	}
	for _, a := range arns {
		n += len(a)
	}
	for _, t := range tags {
		n += len(t.Key) + len(t.Value)
	}
	if n == 0 && policy == nil && len(arns) == 0 && len(tags) == 0 {
		return 0, nil
	}
	pct := max(1, (n*100+maxSessionPolicy-1)/maxSessionPolicy)
	if pct > 100 {
		return 0, awserr.New(awserr.PackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy.", pct)
	}
	return pct, nil
}

// MaxPolicyARNs is how many managed session policies (PolicyArns) a request may pass.
const MaxPolicyARNs = 10

// CheckPolicyARNs checks the number of managed session policies. Returns ValidationError.
func CheckPolicyARNs(n int) error {
	if n > MaxPolicyARNs {
		return invalid("PolicyArns", "...", "Member must have length less than or equal to "+strconv.Itoa(MaxPolicyARNs))
	}
	return nil
}

// AddManagedSessionPolicy adds the managed policy mp, passed in PolicyArns, to sess's session
// policies.
func AddManagedSessionPolicy(sess *iam.Session, mp *iam.ManagedPolicy) {
	sess.Policies = append(sess.Policies, iam.PolicyDoc{Label: mp.Arn, Document: mp.DefaultDocument()})
	sess.HasPolicies = true
}

// AssumeKeys are the condition keys the Service Authorization Reference lists for AssumeRole
// ("Actions, resources, and condition keys for AWS Security Token Service"): the role's tags
// (aws:ResourceTag/*, iam:ResourceTag/*), sts:RoleSessionName, sts:SourceIdentity,
// sts:ExternalId, the tags passed (aws:RequestTag/*, aws:TagKeys) and sts:TransitiveTagKeys.
func AssumeKeys(role *iam.Role, sess *iam.Session, req AssumeRequest) authz.Keys {
	return func(ctx *policy.Context) {
		authz.SetResourceTags(ctx, role.Tags, true)
		ctx.Set("sts:RoleSessionName", sess.SessionName)
		if sess.SourceIdentity != "" {
			ctx.Set("sts:SourceIdentity", sess.SourceIdentity)
		}
		if req.ExternalID != "" {
			ctx.Set("sts:ExternalId", req.ExternalID)
		}
		authz.SetRequestTags(ctx, req.Tags)
		if len(req.Transitive) > 0 {
			ctx.Set("sts:TransitiveTagKeys", req.Transitive...)
		}
	}
}

// AuthorizeAssume evaluates the role's trust policy as the resource-based policy of the request,
// together with the caller's own policies in (authz.Authorizer.Input): same-account trust that
// names the caller decides alone, cross-account needs both sides (IAM User Guide, "Policy
// evaluation logic"). ctx is the request context: the global keys and AssumeKeys.
//
// Besides sts:AssumeRole, a request that passes session tags or transitive keys needs
// sts:TagSession, and one whose session carries a source identity — passed, or kept from the
// calling session in a role chain — needs sts:SetSourceIdentity (IAM User Guide, "Passing session
// tags in AWS STS", "Permissions required to add session tags"; "Monitor and control actions taken
// with assumed roles", "Permissions required to set source identity"). Returns AccessDenied, or
// the error of a trust policy that cannot be parsed (never allowed).
func AuthorizeAssume(in *policy.Input, caller *authz.Identity, role *iam.Role, sess *iam.Session, req AssumeRequest, ctx *policy.Context) error {
	trust, err := policy.Parse(role.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		return err
	}
	trust.Name = role.Arn + " trust policy"
	eval := *in
	eval.Resource = trust
	eval.ResourceAccount = sess.Account
	eval.RCPs = req.RCPs
	actions := []string{"sts:AssumeRole"}
	if len(req.Tags) > 0 || len(req.Transitive) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if sess.SourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		if err := trustAllows(&eval, caller, action, role.Arn, ctx); err != nil {
			return err
		}
	}
	return nil
}

// trustAllows decides action on a role with in, whose resource policy is the role's trust policy.
func trustAllows(in *policy.Input, caller *authz.Identity, action, roleARN string, ctx *policy.Context) error {
	x := policy.Explain(in, &policy.Request{Action: action, Resource: roleARN, Context: ctx, Principal: caller.PolicyPrincipal()})
	if !x.Decision.Allowed() {
		return authz.AccessDenied(caller, action, roleARN, x.Decision)
	}
	// Unlike other resource-based policies, a role's trust policy must always allow: an identity
	// policy alone never lets anyone assume a role (IAM User Guide, "Granting a user permissions to
	// switch roles": "the trust policy of the role must also allow").
	for _, m := range x.Matched {
		if m.Type == policy.PolicyResource && m.Effect == "Allow" {
			return nil
		}
	}
	return Denied(caller, action, roleARN)
}

// TagKeys are the condition keys of session tags a request passes: aws:RequestTag/* and
// aws:TagKeys.
func TagKeys(tags []iam.Tag) authz.Keys {
	return func(ctx *policy.Context) { authz.SetRequestTags(ctx, tags) }
}
