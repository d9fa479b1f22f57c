package server

import (
	"encoding/json"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/trail"
)

// secretParams are request parameters CloudTrail never shows.
var secretParams = map[string]bool{
	"Password": true, "NewPassword": true, "OldPassword": true, "AuthenticationCode1": true,
	"AuthenticationCode2": true, "TokenCode": true, "SecretAccessKey": true, "PrivateKey": true,
}

// readOnlyPrefixes mark actions CloudTrail records with readOnly true.
var readOnlyPrefixes = []string{"Get", "List", "Describe", "Simulate", "Lookup"}

// audit records an authenticated API call as a CloudTrail AwsApiCall event.
func (s *Server) audit(c *call, err error) {
	if s.trail == nil || c.id == nil {
		return
	}
	e := &trail.Event{
		UserIdentity:       userIdentity(c.id),
		EventTime:          c.now,
		EventSource:        c.service + ".amazonaws.com",
		EventName:          c.action,
		AWSRegion:          s.region,
		SourceIPAddress:    remoteIP(c.r),
		UserAgent:          c.r.UserAgent(),
		RequestParameters:  requestParameters(c),
		RequestID:          c.reqID,
		EventType:          trail.AwsAPICall,
		RecipientAccountID: c.id.account,
	}
	if c.trailRequest != nil {
		e.RequestParameters = c.trailRequest
	}
	if err == nil && c.trailResponse != nil {
		e.ResponseElements = c.trailResponse
	}
	ro := false
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(c.action, p) {
			ro = true
		}
	}
	e.ReadOnly = &ro
	if err != nil {
		if ae, ok := awserr.As(err); ok {
			e.ErrorCode, e.ErrorMessage = ae.Code, ae.Message
		} else {
			e.ErrorCode = awserr.InternalFailure
		}
	}
	s.trail.Record(e)
}

// userIdentity is CloudTrail's userIdentity for a caller.
func userIdentity(id *identity) trail.UserIdentity {
	key := id.accessKeyID
	u := trail.UserIdentity{PrincipalID: id.userID, ARN: id.arn, AccountID: id.account, AccessKeyID: &key}
	switch id.ptype {
	case iam.PrincipalRoot:
		u.Type = "Root"
	case iam.PrincipalUser:
		u.Type, u.UserName = "IAMUser", id.userName
	case iam.PrincipalAssumedRole:
		u.Type = "AssumedRole"
	}
	if s := id.session; s != nil {
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
		}
		if s.AssumedRoot {
			// A privileged root session: type Root in the member account, marked assumedRoot, with
			// the principal that called sts:AssumeRoot kept as the session's issuer (issue 5 §6).
			sc.AssumedRoot = "true"
			sc.SessionIssuer = rootSessionIssuer(s)
		}
		u.SessionContext = sc
	}
	return u
}

// requestParameters renders the call's input with CloudTrail's camelCase names, secrets hidden.
func requestParameters(c *call) map[string]any {
	out := map[string]any{}
	if c.svc != nil && c.svc.json {
		var m map[string]any
		if json.Unmarshal(c.body, &m) == nil {
			for k, v := range m {
				if secretParams[k] {
					v = trail.Hidden
				}
				out[lowerFirstKey(k)] = v
			}
		}
		return out
	}
	for k, v := range c.params {
		if k == "Action" || k == "Version" {
			continue
		}
		top, _, _ := strings.Cut(k, ".")
		if secretParams[top] {
			v = trail.Hidden
		}
		out[lowerFirstKey(k)] = v
	}
	return out
}

func lowerFirstKey(k string) string {
	if k == "" {
		return k
	}
	return strings.ToLower(k[:1]) + k[1:]
}
