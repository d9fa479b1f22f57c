package server

import (
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"regexp"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// STS operations over awsQuery; shapes from the STS API reference and aws-sdk-go-v2 service/sts.

type credentialsOut struct {
	AccessKeyID     string        `xml:"AccessKeyId"`
	SecretAccessKey string        `xml:"SecretAccessKey"`
	SessionToken    string        `xml:"SessionToken"`
	Expiration      awsproto.Time `xml:"Expiration"`
}

func credsOf(s *iam.Session) credentialsOut {
	return credentialsOut{s.AccessKeyID, s.Secret, s.Token, awsproto.Time(s.Expiration)}
}

// Constraints from the STS API reference (AssumeRole: RoleSessionName pattern [\w+=,.@-]*, length
// 2–64; SourceIdentity the same pattern, 2–64; ExternalId pattern [\w+=,.@:\/-]*, length 2–1224;
// at most 50 TransitiveTagKeys).
var (
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalIDPattern  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
)

func stsOps() map[string]*op {
	return map[string]*op{
		// GetCallerIdentity needs no permission: "No permissions are required to perform this
		// operation" (STS API reference), and an explicit deny does not stop it.
		"GetCallerIdentity": {authorize: func(*call) error { return nil }, run: func(c *call) (any, error) {
			return struct {
				Arn     string `xml:"Arn"`
				UserID  string `xml:"UserId"`
				Account string `xml:"Account"`
			}{c.Caller.ARN, c.Caller.UserID, c.Caller.Account}, nil
		}},
		"GetAccessKeyInfo": {run: func(c *call) (any, error) {
			id, err := c.params.Required("AccessKeyId")
			if err != nil {
				return nil, err
			}
			acct, err := c.s.iam.KeyAccount(c.Ctx, id)
			if err != nil {
				return nil, err
			}
			return struct {
				Account string `xml:"Account"`
			}{acct}, nil
		}},
		// GetSessionToken needs no permission, and a policy cannot refuse it: "No permissions are
		// required for a user to get a session token. ... You cannot use policies to control
		// authentication operations", and naming the action in a policy "has no effect" (IAM User
		// Guide, "Permissions for GetSessionToken",
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html).
		// An explicit Deny of sts:GetSessionToken, in an identity policy or an SCP, therefore
		// does not apply. Only a closed account's principals are refused, as on every call.
		"GetSessionToken": {authorize: authorizeAuthentication, run: getSessionToken},
		"AssumeRole":      {authorize: func(*call) error { return nil }, run: assumeRole},
		"AssumeRoot":      assumeRootOp(),
	}
}

// authorizeAuthentication lets any principal of an open account through, whatever its policies.
func authorizeAuthentication(c *call) error {
	_, err := c.Authorizer().Input(&c.Request)
	return err
}

// sessionTokenLimits refuses what credentials from sts:GetSessionToken may not do, whatever
// policies allow (STS API reference, GetSessionToken,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html): "You cannot call
// any IAM API operations unless MFA authentication information is included in the request" and
// "You cannot call any AWS STS API except AssumeRole or GetCallerIdentity". Other services
// (Organizations) are not restricted.
//
// For IAM, AWS answers InvalidClientTokenId "The security token included in the request is
// invalid." (403), not AccessDenied: that is what users of such sessions report
// (99designs/aws-vault issues 15 and 455, aws/aws-sdk-js issue 460). For STS, the wording follows
// AWS's own "Cannot call GetSessionToken with session credentials" (AccessDenied, 403) with the
// operation's name; AWS documents no text of its own for the other operations.
//
// Only SigV4 requests reach here: a stored session that is not a role session (AssumeRole) nor a
// privileged root session (AssumeRoot) was issued by GetSessionToken, to an IAM user or the root
// user.
func sessionTokenLimits(c *call) error {
	s := c.Caller.Session
	if s == nil || s.Type == iam.PrincipalAssumedRole || s.AssumedRoot {
		return nil
	}
	switch c.Service {
	case "iam":
		if !s.MFA {
			return authz.ErrInvalidToken
		}
	case "sts":
		if c.Action != "AssumeRole" && c.Action != "GetCallerIdentity" {
			return awserr.New(awserr.AccessDenied, "Cannot call %s with session credentials", c.Action)
		}
	}
	return nil
}

func getSessionToken(c *call) (any, error) {
	if c.Caller.Session != nil {
		return nil, awserr.New(awserr.AccessDenied, "Cannot call GetSessionToken with session credentials")
	}
	// Durations from the STS API reference: 900–129,600 s for IAM users (default 43,200), at most
	// 3,600 s for the root user.
	hi, def := 129600, 43200
	if c.Caller.Type == iam.PrincipalRoot {
		hi, def = 3600, 3600
	}
	d, err := c.params.Int("DurationSeconds", def, 900, hi)
	if err != nil {
		return nil, err
	}
	sess := &iam.Session{
		Account: c.Account(), Type: c.Caller.Type, UserName: c.Caller.UserName, UserID: c.Caller.UserID,
		IssuedAt: c.Now.UTC().Truncate(time.Second), Tags: c.Caller.Tags,
	}
	if c.Caller.Type == iam.PrincipalUser {
		// The user's ARN is arn:aws:iam::ACCOUNT:user/PATH/NAME; the session keeps the path so that
		// its principal is that ARN, which policies may name or match (aws:PrincipalArn).
		sess.UserPath = strings.TrimSuffix(strings.TrimPrefix(c.Caller.ARN, arn.IAM(c.Account(), "user")), c.Caller.UserName)
	}
	sess.Expiration = sess.IssuedAt.Add(time.Duration(d) * time.Second)
	if serial := c.params.Get("SerialNumber"); serial != "" || c.params.Has("TokenCode") {
		if err := c.s.checkMFA(c, serial, c.params.Get("TokenCode")); err != nil {
			return nil, err
		}
		sess.MFA = true
		t := sess.IssuedAt
		sess.MFATime = &t
	}
	if err := c.s.iam.IssueSession(c.Ctx, sess); err != nil {
		return nil, err
	}
	return struct {
		Credentials credentialsOut `xml:"Credentials"`
	}{credsOf(sess)}, nil
}

func assumeRole(c *call) (any, error) {
	p := c.params
	roleARN, err := p.Required("RoleArn")
	if err != nil {
		return nil, err
	}
	if len(roleARN) < 20 || len(roleARN) > 2048 {
		return nil, awsproto.Invalid("RoleArn", roleARN, "Member must have length between 20 and 2048")
	}
	name, err := p.Required("RoleSessionName")
	if err != nil {
		return nil, err
	}
	if len(name) < 2 || len(name) > 64 {
		return nil, awsproto.Invalid("RoleSessionName", name, "Member must have length between 2 and 64")
	}
	if !sessionNamePattern.MatchString(name) {
		return nil, awsproto.Invalid("RoleSessionName", name, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	srcID := p.Get("SourceIdentity")
	if p.Has("SourceIdentity") && (len(srcID) < 2 || len(srcID) > 64 || !sessionNamePattern.MatchString(srcID)) {
		return nil, awsproto.Invalid("SourceIdentity", srcID, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	extID := p.Get("ExternalId")
	if p.Has("ExternalId") {
		if len(extID) < 2 || len(extID) > 1224 {
			return nil, awsproto.Invalid("ExternalId", extID, "Member must have length between 2 and 1224")
		}
		if !externalIDPattern.MatchString(extID) {
			return nil, awsproto.Invalid("ExternalId", extID, `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)
		}
	}
	if c.Caller.Type == iam.PrincipalRoot && (c.Caller.Session == nil || !c.Caller.Session.AssumedRoot) {
		// The root user cannot assume roles (IAM User Guide, "Methods to assume a role"), with its
		// long-term keys nor with credentials it got from GetSessionToken.
		return nil, awserr.New(awserr.AccessDenied, "Roles may not be assumed by root accounts.")
	}
	acct, roleName, ok := splitRoleARN(roleARN)
	if !ok {
		return nil, awserr.New(awserr.ValidationError, "%s is invalid", roleARN)
	}
	role, err := c.s.iam.GetRole(c.Ctx, acct, roleName)
	if err != nil || role.Arn != roleARN {
		// Unknown roles answer AccessDenied like a refused trust policy, so a caller cannot probe
		// another account for role names.
		return nil, c.assumeDenied(roleARN)
	}
	// Nobody assumes a role in a closed account.
	if pl, err := c.s.orgs.PlacementOf(c.Ctx, acct); err != nil {
		return nil, err
	} else if pl != nil && pl.Closed {
		return nil, c.assumeDenied(roleARN)
	}
	if srcID != "" && c.Caller.Session != nil && c.Caller.Session.SourceIdentity != "" && c.Caller.Session.SourceIdentity != srcID {
		return nil, awserr.New(awserr.AccessDenied, "SourceIdentity cannot be changed in a role chain.")
	}
	if srcID == "" && c.Caller.Session != nil {
		srcID = c.Caller.Session.SourceIdentity
	}
	d, err := p.Int("DurationSeconds", 3600, 900, 43200)
	if err != nil {
		return nil, err
	}
	if d > role.MaxSessionDuration {
		return nil, awserr.New(awserr.ValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if c.Caller.Session != nil && c.Caller.Type == iam.PrincipalAssumedRole && d > 3600 {
		// Role chaining limits a session to one hour (IAM User Guide, "Role chaining").
		return nil, awserr.New(awserr.ValidationError, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	// Session policies: the inline Policy and up to ten managed PolicyArns. The packed size limit is
	// approximated by the documented 2,048-character plaintext limit.
	sess := iam.RoleSession(acct, role)
	sess.SessionName, sess.SourceIdentity, sess.IssuedAt = name, srcID, c.Now.UTC().Truncate(time.Second)
	sess.Expiration = sess.IssuedAt.Add(time.Duration(d) * time.Second)
	if doc := p.Get("Policy"); p.Has("Policy") {
		if len(doc) > 2048 {
			return nil, awserr.New(awserr.PackedPolicyTooLarge, "Packed policy consumes %d%% of allotted space, please use smaller policy.", len(doc)*100/2048)
		}
		if _, err := policy.Parse(doc, policy.KindSession); err != nil {
			return nil, err
		}
		sess.Policies = append(sess.Policies, iam.PolicyDoc{Label: "session policy", Document: doc})
		sess.HasPolicies = true
	}
	arns := p.Structs("PolicyArns", "arn")
	if len(arns) > 10 {
		return nil, awsproto.Invalid("PolicyArns", "...", "Member must have length less than or equal to 10")
	}
	for _, m := range arns {
		mp, err := c.s.iam.GetPolicy(c.Ctx, acct, m["arn"])
		if err != nil {
			return nil, err
		}
		sess.Policies = append(sess.Policies, iam.PolicyDoc{Label: mp.Arn, Document: mp.DefaultDocument()})
		sess.HasPolicies = true
	}
	req := assumeRequest{tags: tagsParam(c, "Tags"), transitive: p.List("TransitiveTagKeys"), externalID: extID}
	if err := checkSessionTags(req.tags); err != nil {
		return nil, err
	}
	if err := sessionTags(c, sess, req); err != nil {
		return nil, err
	}
	if err := c.s.authorizeAssume(c, role, sess, req); err != nil {
		return nil, err
	}
	if serial := p.Get("SerialNumber"); serial != "" {
		if err := c.s.checkMFA(c, serial, p.Get("TokenCode")); err != nil {
			return nil, err
		}
		sess.MFA = true
		t := sess.IssuedAt
		sess.MFATime = &t
	}
	if err := c.s.iam.IssueSession(c.Ctx, sess); err != nil {
		return nil, err
	}
	return struct {
		Credentials     credentialsOut `xml:"Credentials"`
		AssumedRoleUser struct {
			AssumedRoleID string `xml:"AssumedRoleId"`
			Arn           string `xml:"Arn"`
		} `xml:"AssumedRoleUser"`
		PackedPolicySize int    `xml:"PackedPolicySize,omitempty"`
		SourceIdentity   string `xml:"SourceIdentity,omitempty"`
	}{Credentials: credsOf(sess), AssumedRoleUser: struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	}{role.RoleID + ":" + name, sess.AssumedRoleARN()}, SourceIdentity: srcID}, nil
}

func (c *call) assumeDenied(roleARN string) error {
	return c.stsDenied("sts:AssumeRole", roleARN)
}

func (c *call) stsDenied(action, roleARN string) error {
	return awserr.New(awserr.AccessDenied, "User: %s is not authorized to perform: %s on resource: %s", c.Caller.ARN, action, roleARN)
}

// assumeRequest is what an AssumeRole request asks beyond the role and session name: the session
// tags it passes, which of them are transitive, and its external ID.
type assumeRequest struct {
	tags       []iam.Tag
	transitive []string
	externalID string
}

// sessionTags gives sess its tags: the transitive tags of the calling session, which a role chain
// carries on and the request cannot replace, then the request's own; and the keys that stay
// transitive (IAM User Guide, "Passing session tags in AWS STS", "Chaining roles with session
// tags"). Returns InvalidParameterValue for a transitive key that names no tag of the request or a
// tag that would replace an inherited one: the documentation says such a request fails but not
// with which code and text, so these follow what LocalStack's STS answers (chosen, not verified
// against AWS).
func sessionTags(c *call, sess *iam.Session, req assumeRequest) error {
	if len(req.transitive) > 50 {
		return awsproto.Invalid("TransitiveTagKeys", strings.Join(req.transitive, ","), "Member must have length less than or equal to 50")
	}
	for _, k := range req.transitive {
		if !hasTagKey(req.tags, k) {
			return awserr.New(awserr.InvalidParameterValue, "The specified transitive tag key must be included in the requested tags.")
		}
	}
	if from := c.Caller.Session; from != nil {
		for _, t := range from.Tags {
			if !containsFold(from.TransitiveTagKeys, t.Key) {
				continue
			}
			if hasTagKey(req.tags, t.Key) {
				return awserr.New(awserr.InvalidParameterValue, "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
			}
			sess.Tags = append(sess.Tags, t)
			sess.TransitiveTagKeys = append(sess.TransitiveTagKeys, t.Key)
		}
	}
	sess.Tags = append(sess.Tags, req.tags...)
	for _, k := range req.transitive {
		if !containsFold(sess.TransitiveTagKeys, k) {
			sess.TransitiveTagKeys = append(sess.TransitiveTagKeys, k)
		}
	}
	return nil
}

func hasTagKey(tags []iam.Tag, key string) bool {
	for _, t := range tags {
		if strings.EqualFold(t.Key, key) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// authorizeAssume evaluates the role's trust policy as the resource-based policy of the request,
// together with the caller's identity policies: same-account trust that names the caller decides
// alone, cross-account needs both sides (IAM User Guide, "Policy evaluation logic"). Besides
// sts:AssumeRole, a request that passes session tags or transitive keys needs sts:TagSession, and
// one whose session carries a source identity — passed, or kept from the calling session in a role
// chain — needs sts:SetSourceIdentity (IAM User Guide, "Passing session tags in AWS STS",
// "Permissions required to add session tags"; "Monitor and control actions taken with assumed
// roles", "Permissions required to set source identity"). Every action is evaluated with the keys
// the Service Authorization Reference lists for AssumeRole ("Actions, resources, and condition keys
// for AWS Security Token Service"): the role's tags (aws:ResourceTag/*, iam:ResourceTag/*),
// sts:RoleSessionName, sts:SourceIdentity, sts:ExternalId, the tags passed (aws:RequestTag/*,
// aws:TagKeys) and sts:TransitiveTagKeys.
func (s *Server) authorizeAssume(c *call, role *iam.Role, sess *iam.Session, req assumeRequest) error {
	in, err := c.Authorizer().Input(&c.Request)
	if err != nil {
		return err
	}
	trust, err := policy.Parse(role.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		return err
	}
	trust.Name = role.Arn + " trust policy"
	eval := *in
	eval.Resource = trust
	eval.ResourceAccount = sess.Account
	ctx, release := c.PolicyContext(nil)
	defer release()
	setResourceTags(ctx, role.Tags, true)
	ctx.Set("sts:RoleSessionName", sess.SessionName)
	setIfPresent(ctx, "sts:SourceIdentity", sess.SourceIdentity)
	setIfPresent(ctx, "sts:ExternalId", req.externalID)
	setRequestTags(ctx, req.tags)
	if len(req.transitive) > 0 {
		ctx.Set("sts:TransitiveTagKeys", req.transitive...)
	}
	actions := []string{"sts:AssumeRole"}
	if len(req.tags) > 0 || len(req.transitive) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if sess.SourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		if err := c.trustAllows(&eval, action, role.Arn, ctx); err != nil {
			return err
		}
	}
	return nil
}

// trustAllows decides action on a role with in, whose resource policy is the role's trust policy.
func (c *call) trustAllows(in *policy.Input, action, roleARN string, ctx *policy.Context) error {
	x := policy.Explain(in, &policy.Request{Action: action, Resource: roleARN, Context: ctx, Principal: c.Caller.PolicyPrincipal()})
	if !x.Decision.Allowed() {
		return authz.AccessDenied(c.Caller, action, roleARN, x.Decision)
	}
	// Unlike other resource-based policies, a role's trust policy must always allow: an identity
	// policy alone never lets anyone assume a role (IAM User Guide, "Granting a user permissions to
	// switch roles": "the trust policy of the role must also allow").
	for _, m := range x.Matched {
		if m.Type == policy.PolicyResource && m.Effect == "Allow" {
			return nil
		}
	}
	return c.stsDenied(action, roleARN)
}

func splitRoleARN(a string) (account, name string, ok bool) {
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

// checkMFA verifies an MFA code presented to STS for the calling user.
func (s *Server) checkMFA(c *call, serial, code string) error {
	if serial == "" {
		return awsproto.MissingParam("SerialNumber")
	}
	if code == "" {
		return awsproto.MissingParam("TokenCode")
	}
	// Only IAM users and the root user own MFA devices. A role session has none: its empty user
	// name must not fall through to "the root user" in VerifyMFACode.
	switch c.Caller.Type {
	case iam.PrincipalUser:
		if c.Caller.UserName == "" {
			return awserr.New(awserr.AccessDenied, "MultiFactorAuthentication failed, unable to validate MFA code.")
		}
	case iam.PrincipalRoot:
	default:
		return awserr.New(awserr.AccessDenied, "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	}
	return c.mfaOutcome(s.iam.CheckMFACode(c.Ctx, c.Action, c.Account(), c.Caller.UserName, serial, code, c.Now))
}

// checkSessionTags validates AssumeRole's session tags with IAM's rules (the STS Tag shape is
// IAM's: key 1–128 and value 0–256 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@], at most 50; keys
// are case insensitive, "you cannot have separate Department and department tag keys", STS API
// reference, AssumeRole). STS has no InvalidInput code: the refusals that are not model
// validation (a key twice, the aws: prefix) answer InvalidParameterValue, Rootward's choice.
func checkSessionTags(tags []iam.Tag) error {
	err := iam.CheckTags("Tags", tags)
	if e, ok := awserr.As(err); ok && e.Code == awserr.InvalidInput {
		return awserr.New(awserr.InvalidParameterValue, "%s", e.Message)
	}
	return err
}
