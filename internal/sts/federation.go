package sts

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// Federation: the rules shared by AssumeRoleWithSAML and AssumeRoleWithWebIdentity — callers
// authenticated by an identity provider rather than by AWS credentials, whose only authorization is
// the role's trust policy naming the provider as a Federated principal — and GetFederationToken's.

// Caller types of the federated calls as CloudTrail records them (CloudTrail User Guide,
// "CloudTrail userIdentity element": SAMLUser, WebIdentityUser).
const (
	TypeSAMLUser        = "SAMLUser"
	TypeWebIdentityUser = "WebIdentityUser"
)

// FederatedCaller is the caller of an AssumeRoleWith* call once its token or assertion is
// verified, as authorization's global keys and CloudTrail see it: typ SAMLUser or WebIdentityUser,
// account the role's, principalID and userName as CloudTrail records them, provider the identity
// provider (a SAML provider's NameQualifier hash or an OIDC issuer host/path).
func FederatedCaller(typ, account, principalID, userName, provider string) *authz.Identity {
	return &authz.Identity{Account: account, Type: typ, UserID: principalID, UserName: userName, IdentityProvider: provider}
}

// AuthorizeFederated decides actions (sts:AssumeRoleWithSAML or …WithWebIdentity, with
// sts:TagSession and sts:SetSourceIdentity when the session carries tags or a source identity) for
// the Federated principal provider on role's trust policy alone: a federated caller has no policies
// of its own (IAM User Guide, "Policy evaluation logic"). ctx holds the request's keys. Returns
// AccessDenied "Not authorized to perform ACTION" (AWS's message, STS API Reference error
// examples), never more about why.
func AuthorizeFederated(role *iam.Role, account, provider string, actions []string, rcps [][]*policy.Policy, ctx *policy.Context) error {
	denied := awserr.New(awserr.AccessDenied, "Not authorized to perform %s", actions[0])
	trust, err := policy.Parse(role.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		return denied
	}
	trust.Name = role.Arn + " trust policy"
	// The role's account's resource control policies (authz.ResourceControlPolicies) bind federated
	// principals too.
	in := &policy.Input{Resource: trust, ResourceAccount: account, RCPs: rcps}
	for _, a := range actions {
		d := policy.Evaluate(in, &policy.Request{Action: a, Resource: role.Arn, Context: ctx, Principal: policy.Principal{Federated: provider}})
		if !d.Allowed() {
			return denied
		}
	}
	return nil
}

// FederatedActions are the actions a federated AssumeRoleWith* call needs of the trust policy.
func FederatedActions(action string, sess *iam.Session) []string {
	out := []string{action}
	if len(sess.Tags) > 0 || len(sess.TransitiveTagKeys) > 0 {
		out = append(out, "sts:TagSession")
	}
	if sess.SourceIdentity != "" {
		out = append(out, "sts:SetSourceIdentity")
	}
	return out
}

// ClaimTags turns tags given as a map (a SAML PrincipalTag attribute's or a token's principal_tags)
// into session tags, sorted by key, checked as AssumeRole's are, with their transitive keys
// (which must name a tag). Returns IDPRejectedClaim for tags STS would refuse: the claims come from
// the identity provider, not the caller.
func ClaimTags(sess *iam.Session, tags map[string]string, transitive []string) error {
	if len(tags) == 0 && len(transitive) == 0 {
		return nil
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	list := make([]iam.Tag, len(keys))
	for i, k := range keys {
		list[i] = iam.Tag{Key: k, Value: tags[k]}
	}
	if err := CheckSessionTags(list); err != nil {
		e, _ := awserr.As(err)
		msg := "Invalid session tags"
		if e != nil {
			msg = e.Message
		}
		return awserr.New(awserr.IDPRejectedClaim, "%s", msg)
	}
	if err := SessionTags(nil, sess, list, transitive); err != nil {
		return awserr.New(awserr.IDPRejectedClaim, "The transitive tag keys must name session tags.")
	}
	return nil
}

// FederatedUserNameRule: GetFederationToken's Name is 2–32 characters of [\w+=,.@-] (STS API
// Reference, GetFederationToken).
func CheckFederatedName(name string) error {
	if len(name) < 2 || len(name) > 32 {
		return invalid("Name", name, "Member must have length between 2 and 32")
	}
	if !sessionNamePattern.MatchString(name) {
		return invalid("Name", name, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	return nil
}

// FederationSession starts the session GetFederationToken issues to caller for the federated
// user name, lasting seconds: 900–129,600 s, 43,200 by default; the root user's sessions last at
// most an hour ("If the specified duration is longer than one hour, the session obtained by using
// root user credentials defaults to one hour", STS API Reference, GetFederationToken). Only
// long-term credentials may ask: AccessDenied "Cannot call GetFederationToken with session
// credentials" otherwise, in the words of GetSessionToken's refusal. The session has session
// policies always (HasPolicies), so that without Policy or PolicyArns it may do nothing ("If you
// do not pass a policy to this operation, the resulting federated user session has no
// permissions").
func FederationSession(caller *authz.Identity, name string, now time.Time, seconds int) (*iam.Session, error) {
	if caller.Session != nil {
		return nil, awserr.New(awserr.AccessDenied, "Cannot call GetFederationToken with session credentials")
	}
	if seconds == 0 {
		seconds = 43200
	}
	if seconds < 900 || seconds > 129600 {
		return nil, invalid("DurationSeconds", strconv.Itoa(seconds), "Member must have value between 900 and 129600")
	}
	if caller.Type == iam.PrincipalRoot && seconds > 3600 {
		seconds = 3600
	}
	sess := &iam.Session{
		Account: caller.Account, Type: iam.PrincipalFederatedUser, UserName: caller.UserName, UserID: caller.UserID,
		SessionName: name, IssuedAt: now.UTC().Truncate(time.Second), HasPolicies: true, Policies: []iam.PolicyDoc{},
	}
	if caller.Type == iam.PrincipalRoot {
		sess.UserName, sess.UserID = "", ""
	} else {
		sess.UserPath = strings.TrimSuffix(strings.TrimPrefix(caller.ARN, arn.IAM(caller.Account, "user")), caller.UserName)
	}
	sess.Expiration = sess.IssuedAt.Add(time.Duration(seconds) * time.Second)
	return sess, nil
}

// FederatedUserARN is a federated user session's ARN, arn:aws:sts::ACCOUNT:federated-user/NAME.
func FederatedUserARN(sess *iam.Session) string {
	return arn.FederatedUser(sess.Account, sess.SessionName)
}
