package stsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
)

// The STS operation Rootward answers with a documented refusal after authorizing it (on "*"):
// GetDelegatedAccessToken exchanges a trade-in token that a temporary delegation request hands
// out (STS API Reference, GetDelegatedAccessToken; IAM User Guide, "Temporary delegation partner
// guide"). Rootward onboards no delegation partner and holds no delegation requests
// (internal/api/iamapi/refused.go), so no trade-in token is valid: every one answers
// ExpiredTradeInTokenException, the one error the model gives for a token that cannot be
// exchanged (the message is Rootward's).
// Nothing is issued or changed.

var GetDelegatedAccessToken = api.Add(&ops, &api.Op[DelegatedAccessTokenInput, struct{}]{
	Name: "GetDelegatedAccessToken", Refused: true,
	Run: func(*api.Call, *DelegatedAccessTokenInput) (*struct{}, error) {
		return nil, awserr.New(awserr.ExpiredTradeInToken, "The trade-in token cannot be exchanged: Rootward onboards no delegation partner, so it issues no trade-in tokens.")
	}})

// DelegatedAccessTokenInput is GetDelegatedAccessToken's request.
type DelegatedAccessTokenInput struct {
	TradeInToken string `required:"true"`
}
