package stsapi

import (
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/sts"
	"github.com/rootward/rootward/internal/uuid"
)

// GetWebIdentityToken issues a JWT for an external service that trusts the account's outbound
// identity federation issuer (internal/iam/outbound.go): sts:GetWebIdentityToken on "*" with
// the condition keys sts:IdentityTokenAudience (every audience), sts:SigningAlgorithm and
// sts:DurationSeconds (the token's lifetime, 300 when the request names none), and, when the
// request passes tags, sts:TagGetWebIdentityToken too with aws:RequestTag/* and aws:TagKeys
// (IAM User Guide, "Permissions for outbound identity federation"). The claims are those of the
// IAM User Guide's "Understanding token claims" (sts.OutboundClaims).
var GetWebIdentityToken = api.Add(&ops, &api.Op[WebIdentityTokenInput, WebIdentityTokenOutput]{
	Name: "GetWebIdentityToken", Authorize: authorizeWebIdentityToken, Run: getWebIdentityToken})

// WebIdentityTokenInput is GetWebIdentityToken's request: 1–10 audiences, RS256 or ES384, a
// duration of 60–3600 seconds (STS API Reference, GetWebIdentityToken).
type WebIdentityTokenInput struct {
	Audience         []string `required:"true"`
	SigningAlgorithm string   `required:"true"`
	DurationSeconds  *int     `min:"60" max:"3600"`
	Tags             []iam.Tag
}

// WebIdentityTokenOutput is GetWebIdentityToken's result.
type WebIdentityTokenOutput struct {
	WebIdentityToken string        `xml:"WebIdentityToken"`
	Expiration       awsproto.Time `xml:"Expiration"`
}

// Validate checks the audiences and the algorithm.
func (in *WebIdentityTokenInput) Validate() error {
	if n := len(in.Audience); n < 1 || n > 10 {
		return awserr.New(awserr.ValidationError, "1 validation error detected: Value at 'audience' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	for i, a := range in.Audience {
		if len(a) < 1 || len(a) > 1000 {
			return awserr.New(awserr.ValidationError, "1 validation error detected: Value at 'audience.%d.member' failed to satisfy constraint: Member must have length less than or equal to 1000 and greater than or equal to 1", i+1)
		}
	}
	if in.SigningAlgorithm != "RS256" && in.SigningAlgorithm != "ES384" {
		return awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]", in.SigningAlgorithm)
	}
	return nil
}

// duration is the token's lifetime: DurationSeconds, 300 seconds when not sent.
func (in *WebIdentityTokenInput) duration() int {
	if in.DurationSeconds == nil {
		return 300
	}
	return *in.DurationSeconds
}

func authorizeWebIdentityToken(c *api.Call, in *WebIdentityTokenInput) error {
	c.Resource = "*"
	keys := func(ctx *policy.Context) {
		ctx.Set("sts:IdentityTokenAudience", in.Audience...)
		ctx.Set("sts:SigningAlgorithm", in.SigningAlgorithm)
		ctx.Set("sts:DurationSeconds", strconv.Itoa(in.duration()))
		if len(in.Tags) > 0 {
			authz.SetRequestTags(ctx, in.Tags)
		}
	}
	if err := c.Authorize("sts:GetWebIdentityToken", "*", keys); err != nil {
		return err
	}
	if len(in.Tags) > 0 {
		return c.Authorize("sts:TagGetWebIdentityToken", "*", keys)
	}
	return nil
}

func getWebIdentityToken(c *api.Call, in *WebIdentityTokenInput) (*WebIdentityTokenOutput, error) {
	if err := sts.CheckSessionTags(in.Tags); err != nil {
		return nil, err
	}
	now := c.Now.UTC().Truncate(time.Second)
	exp := now.Add(time.Duration(in.duration()) * time.Second)
	if s := c.Caller.Session; s != nil && exp.After(s.Expiration) {
		// The exception's documented meaning; AWS's exact message is not documented.
		return nil, awserr.New(awserr.SessionDurationEscalation, "The requested token duration would extend the session beyond its original expiration time.")
	}
	claims := sts.OutboundClaims(sts.OutboundToken{
		Caller: c.Caller, Audience: in.Audience, IssuedAt: now, Expiration: exp, ID: uuid.Random(),
		Region: c.Region, Org: c.Org, RequestTags: in.Tags,
	})
	token, err := c.IAM.SignOutboundToken(c.Ctx, c.Caller.Account, in.SigningAlgorithm, claims)
	if err != nil {
		return nil, err
	}
	return &WebIdentityTokenOutput{WebIdentityToken: token, Expiration: awsproto.Time(exp)}, nil
}
