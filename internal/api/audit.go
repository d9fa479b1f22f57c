package api

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/trail"
)

// secretParams are request members CloudTrail never shows.
var secretParams = map[string]bool{
	"Password": true, "NewPassword": true, "OldPassword": true, "AuthenticationCode1": true,
	"AuthenticationCode2": true, "TokenCode": true, "SecretAccessKey": true, "PrivateKey": true,
	// The bearer credentials of AssumeRoleWithWebIdentity and AssumeRoleWithSAML: whoever reads
	// the trail could replay them until they expire.
	"WebIdentityToken": true, "SAMLAssertion": true,
}

// readOnlyPrefixes mark actions CloudTrail records with readOnly true.
var readOnlyPrefixes = []string{"Get", "List", "Describe", "Simulate", "Lookup"}

// audit records an authenticated call as a CloudTrail AwsApiCall event, err being its outcome, and
// returns once the record is durable (trail.Recorder.Record). A call is recorded once: Run records
// a success before the answer is written, Finish any other outcome before the error is answered.
// When the record cannot be stored, audit returns the recorder's error and the call answers an
// internal error instead of its own answer (an operation that did run stays done; its client is
// told to retry, and the log has the cause): no call is answered without its record.
func (r *Runner) audit(c *Call, err error) error {
	if r.cfg.Trail == nil || c.Caller == nil || c.recorded {
		return nil
	}
	c.recorded = true
	e := &trail.Event{
		UserIdentity:       UserIdentity(c.Caller),
		EventTime:          c.Now,
		EventSource:        c.Service + ".amazonaws.com",
		EventName:          c.Action,
		AWSRegion:          r.cfg.Region,
		SourceIPAddress:    c.SourceIP,
		UserAgent:          c.HTTP.UserAgent(),
		RequestParameters:  requestParameters(c),
		RequestID:          c.RequestID,
		EventType:          trail.AwsAPICall,
		RecipientAccountID: c.Caller.Account,
	}
	if c.TrailRequest != nil {
		e.RequestParameters = c.TrailRequest
	}
	if err == nil && c.TrailResponse != nil {
		e.ResponseElements = c.TrailResponse
	}
	if err == nil && c.TrailAssumedRoot {
		// IAM User Guide, "Track privileged tasks in AWS CloudTrail": the AssumeRoot record's
		// userIdentity (the caller's) carries sessionContext.assumedRoot "true". AWS's example is of
		// a role session; a caller without a session (an IAM user) gets a sessionContext holding
		// only the mark.
		if e.UserIdentity.SessionContext == nil {
			e.UserIdentity.SessionContext = &trail.SessionContext{}
		}
		e.UserIdentity.SessionContext.AssumedRoot = "true"
	}
	ro := false
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(c.Action, p) {
			ro = true
		}
	}
	e.ReadOnly = &ro
	if err != nil {
		if ae, ok := awserr.As(err); ok {
			e.ErrorCode, e.ErrorMessage = string(ae.Code), ae.Message
		} else {
			e.ErrorCode = string(awserr.InternalFailure)
		}
	}
	return r.cfg.Trail.Record(e)
}

// UserIdentity is CloudTrail's userIdentity for a caller.
func UserIdentity(id *authz.Identity) trail.UserIdentity {
	if id.IdentityProvider != "" || federatedTypes[id.Type] {
		// A caller of AssumeRoleWithSAML or AssumeRoleWithWebIdentity, known by its identity
		// provider alone: no ARN, account or key (CloudTrail User Guide, "AWS STS API calls with
		// SAML and web identity federation"); of a call refused before its assertion or token was
		// verified, what is known (stsapi's federation.go).
		return trail.UserIdentity{Type: id.Type, PrincipalID: id.UserID, UserName: id.UserName, IdentityProvider: id.IdentityProvider}
	}
	key := id.AccessKeyID
	u := trail.UserIdentity{PrincipalID: id.UserID, ARN: id.ARN, AccountID: id.Account, AccessKeyID: &key}
	switch id.Type {
	case iam.PrincipalFederatedUser:
		u.Type = "FederatedUser"
	case iam.PrincipalRoot:
		u.Type = "Root"
	case iam.PrincipalUser:
		u.Type, u.UserName = "IAMUser", id.UserName
	case iam.PrincipalAssumedRole:
		u.Type = "AssumedRole"
	}
	if s := id.Session; s != nil {
		mfa := "false"
		if s.MFA {
			mfa = "true"
		}
		sc := &trail.SessionContext{
			Attributes:     map[string]string{"creationDate": s.IssuedAt.UTC().Format("2006-01-02T15:04:05Z"), "mfaAuthenticated": mfa},
			SourceIdentity: s.SourceIdentity,
		}
		if s.Type == iam.PrincipalAssumedRole {
			sc.SessionIssuer = &trail.SessionIssuer{Type: "Role", PrincipalID: s.RoleID, ARN: s.RoleARN(), AccountID: s.Account, UserName: s.RoleName}
			sc.WebIDFederationData = webIDFederationData(s.FederatedProvider)
		}
		if s.Type == iam.PrincipalFederatedUser {
			// A federated user's issuer is the IAM user (or root user) who called GetFederationToken.
			if s.UserName == "" {
				sc.SessionIssuer = &trail.SessionIssuer{Type: "Root", PrincipalID: s.Account, ARN: arn.Root(s.Account), AccountID: s.Account}
			} else {
				sc.SessionIssuer = &trail.SessionIssuer{Type: "IAMUser", PrincipalID: s.UserID, ARN: s.UserARN(), AccountID: s.Account, UserName: s.UserName}
			}
		}
		if s.AssumedRoot {
			// A privileged root session: type Root in the member account, marked assumedRoot, with
			// the principal that called sts:AssumeRoot kept as the session's issuer.
			sc.AssumedRoot = "true"
			sc.SessionIssuer = RootSessionIssuer(s)
		}
		u.SessionContext = sc
	}
	return u
}

// federatedTypes are the userIdentity types of AssumeRoleWithSAML's and AssumeRoleWithWebIdentity's
// callers (sts.TypeSAMLUser, sts.TypeWebIdentityUser).
var federatedTypes = map[string]bool{"SAMLUser": true, "WebIdentityUser": true}

// webIDFederationData is what CloudTrail records of the identity provider of a session that
// AssumeRoleWithWebIdentity or AssumeRoleWithSAML issued through provider (an IAM provider's ARN),
// nil for any other session. A web identity session names its OpenID Connect provider's ARN, with
// the provider's attributes, which AWS records empty for OpenID Connect providers (AWS's own
// example, a RegisterUsage call from an EKS pod's web identity session in the AWS Marketplace
// documentation on CloudTrail logging, and the records users publish of GitHub Actions sessions
// show "attributes": {}; the attributes the CloudTrail User Guide names, www.amazon.com:app_id and
// :user_id, are those of the OAuth 2.0 providers Rootward does not trust). A SAML session's
// element is empty, as AWS records it for role sessions other than web identity ones.
func webIDFederationData(provider string) *trail.WebIDFederationData {
	a, err := arn.Parse(provider)
	switch {
	case err != nil:
		return nil
	case strings.HasPrefix(a.Resource, "oidc-provider/"):
		return &trail.WebIDFederationData{FederatedProvider: provider, Attributes: &map[string]string{}}
	case strings.HasPrefix(a.Resource, "saml-provider/"):
		return &trail.WebIDFederationData{}
	}
	return nil
}

// RootSessionIssuer is the sessionIssuer of a privileged root session's CloudTrail records: the
// principal that called AssumeRoot, in the management or delegated administrator account.
func RootSessionIssuer(s *iam.Session) *trail.SessionIssuer {
	typ := map[string]string{iam.PrincipalUser: "IAMUser", iam.PrincipalAssumedRole: "AssumedRole", iam.PrincipalRoot: "Root"}[s.SourceType]
	return &trail.SessionIssuer{Type: typ, PrincipalID: s.SourceID, ARN: s.SourceARN, AccountID: s.SourceAccount}
}

// requestParameters renders the call's input with CloudTrail's camelCase names, secrets hidden:
// the members as the client sent them (awsQuery parameters, an awsJson body), or, for a console
// call, the typed input's members that are set.
func requestParameters(c *Call) map[string]any {
	out := map[string]any{}
	secret := func(name string) bool {
		return secretParams[name] || c.svc != nil && c.svc.Sensitive[name]
	}
	switch {
	case c.Query != nil:
		for k, v := range c.Query {
			if k == "Action" || k == "Version" {
				continue
			}
			top, _, _ := strings.Cut(k, ".")
			if secret(top) {
				v = trail.Hidden
			}
			out[lowerFirstKey(k)] = v
		}
	case c.JSON != nil:
		var m map[string]any
		if json.Unmarshal(c.JSON, &m) == nil {
			for k, v := range m {
				if secret(k) {
					v = trail.Hidden
				}
				out[lowerFirstKey(k)] = v
			}
		}
	case c.Input != nil:
		v := reflect.ValueOf(c.Input)
		if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
			typedParameters(v.Elem(), out, secret)
		}
	}
	if len(out) == 0 {
		// A call without parameters is recorded with requestParameters null, as CloudTrail
		// records GetCallerIdentity (CloudTrail User Guide, "CloudTrail record contents":
		// requestParameters "can be null").
		return nil
	}
	return out
}

// typedParameters adds the set members of a typed input: scalars as the client would have sent
// them, lists and structures as JSON values.
func typedParameters(v reflect.Value, out map[string]any, secret func(string) bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			typedParameters(fv, out, secret)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := f.Tag.Get("query")
		if name == "-" || fv.IsZero() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		var val any = fv.Interface()
		if secret(name) {
			val = trail.Hidden
		}
		out[lowerFirstKey(name)] = val
	}
}

func lowerFirstKey(k string) string {
	if k == "" {
		return k
	}
	return strings.ToLower(k[:1]) + k[1:]
}
