package stsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/sts"
)

// AssumeRoleWithWebIdentity is unsigned (internal/server serves it without credentials): the
// caller is whoever the token says, once its signature, issuer, audience and dates are checked
// (internal/sts/webidentity.go), and only the role's trust policy decides, with the provider's
// ARN as the Federated principal and the token's claims as the provider's keys. Every call is
// counted against its source address's limits and recorded, refused or not (federation.go).
var AssumeRoleWithWebIdentity = api.Add(&ops, &api.Op[AssumeRoleWithWebIdentityInput, AssumeRoleWithWebIdentityOutput]{
	Name: "AssumeRoleWithWebIdentity", Authorize: noAuthorization[AssumeRoleWithWebIdentityInput], Run: assumeRoleWithWebIdentity})

// AssumeRoleWithWebIdentityInput is the request (STS API Reference, AssumeRoleWithWebIdentity).
type AssumeRoleWithWebIdentityInput struct {
	RoleArn          string `required:"true"`
	RoleSessionName  string `required:"true"`
	WebIdentityToken string `required:"true"`
	// ProviderId names an OAuth 2.0 provider (www.amazon.com, graph.facebook.com); Rootward trusts
	// OpenID Connect providers only and refuses any ProviderId.
	ProviderID      string `query:"ProviderId"`
	DurationSeconds int    `min:"900" max:"43200"`
	Policy          *string
	PolicyArns      []PolicyDescriptor
}

// AssumeRoleWithWebIdentityOutput is the role session and what STS read from the token.
type AssumeRoleWithWebIdentityOutput struct {
	Credentials                 Credentials     `xml:"Credentials"`
	SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken"`
	AssumedRoleUser             AssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize            int             `xml:"PackedPolicySize,omitempty"`
	Provider                    string          `xml:"Provider"`
	Audience                    string          `xml:"Audience"`
	SourceIdentity              string          `xml:"SourceIdentity,omitempty"`
}

func assumeRoleWithWebIdentity(c *api.Call, in *AssumeRoleWithWebIdentityInput) (*AssumeRoleWithWebIdentityOutput, error) {
	return unsigned(c, func(known *authz.Identity) (*AssumeRoleWithWebIdentityOutput, error) {
		return webIdentity(c, in, known)
	})
}

func webIdentity(c *api.Call, in *AssumeRoleWithWebIdentityInput, known *authz.Identity) (*AssumeRoleWithWebIdentityOutput, error) {
	if err := sts.CheckRoleARN(in.RoleArn); err != nil {
		return nil, err
	}
	acct, roleName, err := roleAccount(in.RoleArn, sts.TypeWebIdentityUser, known)
	if err != nil {
		return nil, err
	}
	if err := sts.CheckSessionName(in.RoleSessionName); err != nil {
		return nil, err
	}
	if in.ProviderID != "" {
		return nil, awserr.New(awserr.InvalidParameterValue, "ProviderId is not supported: Rootward trusts OpenID Connect providers only.")
	}
	iss, err := sts.PeekIssuer(in.WebIdentityToken)
	if err != nil {
		return nil, err
	}
	prov, err := c.IAM.OIDCProviderByIssuer(c.Ctx, acct, iss)
	if err != nil {
		return nil, err
	}
	if prov == nil {
		return nil, sts.NoOIDCProvider(iss)
	}
	// The issuer is one of the account's providers: a refused token is recorded as a
	// WebIdentityUser of it (the token's unverified subject is not).
	known.IdentityProvider = prov.URL
	keys, err := issuerKeys(c, prov.Issuer(), sts.TokenKID(in.WebIdentityToken))
	if err != nil {
		return nil, err
	}
	claims, err := sts.VerifyWebToken(in.WebIdentityToken, keys, iss, prov.ClientIDs, c.Now)
	if err != nil {
		return nil, err
	}
	// From here the caller is known, and the call is recorded in the role's account as AWS records
	// it: a WebIdentityUser, its principal ID provider:audience:subject.
	c.Caller = sts.FederatedCaller(sts.TypeWebIdentityUser, acct, prov.URL+":"+claims.Audience+":"+claims.Subject, claims.Subject, prov.URL)
	prefix := prov.URL + ":"
	f := &federation{
		action: "sts:AssumeRoleWithWebIdentity", account: acct, roleARN: in.RoleArn, roleName: roleName, provider: prov.Arn,
		sessionName: in.RoleSessionName, sourceIdentity: claims.SourceIdentity, badSourceIdentity: "Invalid source identity in the token.",
		duration: in.DurationSeconds, tags: claims.Tags, transitive: claims.Transitive, policy: in.Policy, policyArns: in.PolicyArns,
		keys: func(ctx *policy.Context) {
			ctx.Set(prefix+"sub", claims.Subject)
			ctx.Set(prefix+"aud", claims.Audience)
			if len(claims.OtherAudiences) > 0 {
				ctx.Set(prefix+"oaud", claims.OtherAudiences...)
			}
			if len(claims.AMR) > 0 {
				ctx.Set(prefix+"amr", claims.AMR...)
			}
			if claims.AZP != "" {
				ctx.Set(prefix+"azp", claims.AZP)
			}
		},
	}
	sess, role, size, err := f.assume(c)
	if err != nil {
		return nil, err
	}
	return &AssumeRoleWithWebIdentityOutput{
		Credentials:                 credentialsOf(sess),
		SubjectFromWebIdentityToken: claims.Subject,
		AssumedRoleUser:             AssumedRoleUser{AssumedRoleID: role.RoleID + ":" + in.RoleSessionName, Arn: sess.AssumedRoleARN()},
		PackedPolicySize:            size,
		Provider:                    iss,
		Audience:                    claims.Audience,
		SourceIdentity:              claims.SourceIdentity,
	}, nil
}
