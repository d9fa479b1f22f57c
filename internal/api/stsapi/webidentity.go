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
// counted against its source address's limits (iam.Service.GuardFederation).
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
	var out *AssumeRoleWithWebIdentityOutput
	err := c.IAM.GuardFederation(c.Ctx, c.SourceIP, func() (err error) {
		out, err = webIdentity(c, in)
		return err
	})
	return out, err
}

func webIdentity(c *api.Call, in *AssumeRoleWithWebIdentityInput) (*AssumeRoleWithWebIdentityOutput, error) {
	const action = "sts:AssumeRoleWithWebIdentity"
	if err := sts.CheckRoleARN(in.RoleArn); err != nil {
		return nil, err
	}
	if err := sts.CheckSessionName(in.RoleSessionName); err != nil {
		return nil, err
	}
	if in.ProviderID != "" {
		return nil, awserr.New(awserr.InvalidParameterValue, "ProviderId is not supported: Rootward trusts OpenID Connect providers only.")
	}
	acct, roleName, ok := sts.SplitRoleARN(in.RoleArn)
	if !ok {
		return nil, awserr.New(awserr.ValidationError, "%s is invalid", in.RoleArn)
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
	role, err := c.IAM.GetRole(c.Ctx, acct, roleName)
	if err != nil || role.Arn != in.RoleArn {
		return nil, awserr.New(awserr.AccessDenied, "Not authorized to perform %s", action)
	}
	pl, err := c.Orgs.PlacementOf(c.Ctx, acct)
	if err != nil {
		return nil, err
	} else if pl != nil && pl.Closed {
		return nil, awserr.New(awserr.AccessDenied, "Not authorized to perform %s", action)
	}
	rcps, err := authz.ResourceControlPolicies(pl, nil)
	if err != nil {
		return nil, err
	}
	if claims.SourceIdentity != "" {
		if err := sts.CheckSourceIdentity(claims.SourceIdentity); err != nil {
			return nil, awserr.New(awserr.IDPRejectedClaim, "Invalid source identity in the token.")
		}
	}
	d, err := sts.RoleDuration(c.Caller, role, in.DurationSeconds)
	if err != nil {
		return nil, err
	}
	sess := sts.RoleSession(acct, role, in.RoleSessionName, claims.SourceIdentity, c.Now, d)
	if err := addSessionPolicies(c, sess, in.Policy, in.PolicyArns); err != nil {
		return nil, err
	}
	if err := sts.ClaimTags(sess, claims.Tags, claims.Transitive); err != nil {
		return nil, err
	}
	size, err := packedSize(in.Policy, in.PolicyArns, sess.Tags)
	if err != nil {
		return nil, err
	}
	prefix := prov.URL + ":"
	keys2 := sts.AssumeKeys(role, sess, sts.AssumeRequest{Tags: sess.Tags, Transitive: sess.TransitiveTagKeys})
	ctx, release := c.PolicyContext(func(ctx *policy.Context) {
		keys2(ctx)
		ctx.Set("aws:FederatedProvider", prov.Arn)
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
	})
	defer release()
	if err := sts.AuthorizeFederated(role, acct, prov.Arn, sts.FederatedActions(action, sess), rcps, ctx); err != nil {
		return nil, err
	}
	if err := c.IAM.IssueSession(c.Ctx, sess); err != nil {
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
