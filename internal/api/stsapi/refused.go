package stsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
)

// STS operations Rootward answers with a documented refusal after authorizing them (on "*"):
//   - GetDelegatedAccessToken exchanges a trade-in token that a temporary delegation request
//     hands out (STS API Reference, GetDelegatedAccessToken; IAM User Guide, "Temporary delegation
//     partner guide"). Rootward onboards no delegation partner and holds no delegation requests
//     (internal/api/iamapi/refused.go), so no trade-in token is valid: every one answers
//     ExpiredTradeInTokenException, the one error the model gives for a token that cannot be
//     exchanged (the message is Rootward's).
//   - GetWebIdentityToken issues JWTs for external services only while outbound web identity
//     federation is enabled; Rootward keeps it disabled (IAM's Enable/Get
//     OutboundWebIdentityFederation answer FeatureDisabled), so a well-formed request answers
//     OutboundWebIdentityFederationDisabledException (HTTP 403), as AWS does for an account that
//     has not enabled the feature (STS API Reference, GetWebIdentityToken, Errors).
// Nothing is issued or changed by either.

var GetDelegatedAccessToken = api.Add(&ops, &api.Op[DelegatedAccessTokenInput, struct{}]{
	Name: "GetDelegatedAccessToken", Refused: true,
	Run: func(*api.Call, *DelegatedAccessTokenInput) (*struct{}, error) {
		return nil, awserr.New(awserr.ExpiredTradeInToken, "The trade-in token cannot be exchanged: Rootward onboards no delegation partner, so it issues no trade-in tokens.")
	}})

// DelegatedAccessTokenInput is GetDelegatedAccessToken's request.
type DelegatedAccessTokenInput struct {
	TradeInToken string `required:"true"`
}

var GetWebIdentityToken = api.Add(&ops, &api.Op[WebIdentityTokenInput, struct{}]{
	Name: "GetWebIdentityToken", Refused: true,
	Run: func(*api.Call, *WebIdentityTokenInput) (*struct{}, error) {
		return nil, awserr.New(awserr.OutboundWebIdentityFederationDisabled, "Outbound web identity federation is disabled for this account: Rootward issues no web identity tokens for external services.")
	}})

// WebIdentityTokenInput is GetWebIdentityToken's request: 1–10 audiences, RS256 or ES384, a
// duration of 60–3600 seconds (STS API Reference, GetWebIdentityToken).
type WebIdentityTokenInput struct {
	Audience         []string `required:"true"`
	SigningAlgorithm string   `required:"true"`
	DurationSeconds  *int     `min:"60" max:"3600"`
	Tags             []struct {
		Key   string
		Value string
	}
}

// Validate checks the audiences and the algorithm.
func (in *WebIdentityTokenInput) Validate() error {
	if n := len(in.Audience); n < 1 || n > 10 {
		return awserr.New(awserr.ValidationError, "1 validation error detected: Value at 'audience' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	if in.SigningAlgorithm != "RS256" && in.SigningAlgorithm != "ES384" {
		return awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]", in.SigningAlgorithm)
	}
	return nil
}
