package iamapi

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/iam"
)

// Outbound identity federation (internal/iam/outbound.go): an account turns it on and off and
// reads its issuer URL; while it is on, its principals get JWTs from sts:GetWebIdentityToken
// (internal/api/stsapi/outbound.go). Each is its IAM action on "*" (Service Authorization
// Reference, IAM: the actions name no resource type).

var EnableOutboundWebIdentityFederation = add(&api.Op[struct{}, OutboundEnableOutput]{
	Name: "EnableOutboundWebIdentityFederation",
	Run: func(c *api.Call, _ *struct{}) (*OutboundEnableOutput, error) {
		issuer, err := c.IAM.EnableOutboundFederation(c.Ctx, c.Account())
		if err != nil {
			return nil, err
		}
		return &OutboundEnableOutput{IssuerIdentifier: issuer}, nil
	}})

// OutboundEnableOutput is EnableOutboundWebIdentityFederation's result.
type OutboundEnableOutput struct {
	IssuerIdentifier string `xml:"IssuerIdentifier"`
}

var DisableOutboundWebIdentityFederation = add(&api.Op[struct{}, struct{}]{
	Name: "DisableOutboundWebIdentityFederation",
	Run: func(c *api.Call, _ *struct{}) (*struct{}, error) {
		return nil, c.IAM.DisableOutboundFederation(c.Ctx, c.Account())
	}})

var GetOutboundWebIdentityFederationInfo = add(&api.Op[struct{}, OutboundInfoOutput]{
	Name: "GetOutboundWebIdentityFederationInfo",
	Run: func(c *api.Call, _ *struct{}) (*OutboundInfoOutput, error) {
		info, err := c.IAM.OutboundFederation(c.Ctx, c.Account())
		if err != nil {
			return nil, err
		}
		return &OutboundInfoOutput{IssuerIdentifier: info.IssuerURL, JwtVendingEnabled: info.Enabled}, nil
	}})

// OutboundInfoOutput is GetOutboundWebIdentityFederationInfo's result.
type OutboundInfoOutput struct {
	IssuerIdentifier  string `xml:"IssuerIdentifier"`
	JwtVendingEnabled bool   `xml:"JwtVendingEnabled"`
}

// IssuerHandler serves the accounts' outbound federation issuers' documents (iam.OutboundDocument)
// unsigned, for GET and HEAD under PUBLIC_URL/oidc/ (internal/httpmux routes them here): 404 for
// an unknown issuer or document, and a fixed 500 (the cause to log) when the store fails.
func IssuerHandler(svc *iam.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, iam.OutboundIssuerPath)
		if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		body, ok, err := svc.OutboundDocument(r.Context(), rest)
		switch {
		case err != nil:
			if log != nil {
				log.Error("serving an outbound federation issuer's document", "path", r.URL.Path, "err", err)
			}
			http.Error(w, "internal error", http.StatusInternalServerError)
		case !ok:
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "max-age=300")
			_, _ = w.Write(body)
		}
	})
}
