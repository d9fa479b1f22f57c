package sts

import (
	"time"

	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
)

// OutboundNamespace is the claim GetWebIdentityToken nests AWS's own claims under (IAM User
// Guide, "Understanding token claims").
const OutboundNamespace = "https://sts.amazonaws.com/"

// OutboundToken is what a GetWebIdentityToken token says.
type OutboundToken struct {
	Caller               *authz.Identity
	Audience             []string
	IssuedAt, Expiration time.Time
	ID                   string
	Region               string
	Org                  *orgs.Placement // nil outside an organization
	RequestTags          []iam.Tag
}

// OutboundClaims are a GetWebIdentityToken token's claims but iss (the issuer's, set when it is
// signed), as the IAM User Guide's "Understanding token claims" lists them: sub is the caller's
// ARN — a role session's is its role's ARN, as the guide's sample shows — aud the audience (a
// string when there is one, an array otherwise: RFC 7519 section 4.1.3), iat, exp and jti; and
// under https://sts.amazonaws.com/ the account (aws_account), the Region called (source_region),
// the organization and OU path when the account is in one (org_id, ou_path), the caller's
// principal tags (principal_tags) and the request's tags (request_tags). The session-context
// claims of AWS compute services (an EC2 instance's, a Lambda function's) have nothing to say
// here: Rootward runs no compute.
func OutboundClaims(t OutboundToken) map[string]any {
	sub := t.Caller.ARN
	if t.Caller.Type == iam.PrincipalAssumedRole && t.Caller.PrincipalARN != "" {
		sub = t.Caller.PrincipalARN
	}
	aws := map[string]any{"aws_account": t.Caller.Account, "source_region": t.Region}
	if t.Org != nil {
		aws["org_id"] = t.Org.OrgID
		aws["ou_path"] = t.Org.Path
	}
	if m := tagMap(t.Caller.Tags); m != nil {
		aws["principal_tags"] = m
	}
	if m := tagMap(t.RequestTags); m != nil {
		aws["request_tags"] = m
	}
	claims := map[string]any{
		"sub": sub, "iat": t.IssuedAt.Unix(), "exp": t.Expiration.Unix(), "jti": t.ID,
		OutboundNamespace: aws,
	}
	if len(t.Audience) == 1 {
		claims["aud"] = t.Audience[0]
	} else {
		claims["aud"] = t.Audience
	}
	return claims
}

// tagMap is tags as a JSON object, nil when there are none.
func tagMap(tags []iam.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}
