package ssooidcapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/portal"
)

// RegisterClient registers a public client of the device authorization grant.
var RegisterClient = api.Add(&ops, &api.Op[RegisterClientInput, RegisterClientOutput]{
	Name: "RegisterClient", HTTP: "POST /client/register", Authorize: noAuthorization[RegisterClientInput], Run: registerClient})

// RegisterClientInput is the request (OIDC API Reference, RegisterClient).
type RegisterClientInput struct {
	ClientName             string   `json:"clientName" required:"true"`
	ClientType             string   `json:"clientType" required:"true"`
	Scopes                 []string `json:"scopes"`
	RedirectURIs           []string `json:"redirectUris"`
	GrantTypes             []string `json:"grantTypes"`
	IssuerURL              string   `json:"issuerUrl"`
	EntitledApplicationArn string   `json:"entitledApplicationArn"`
}

// RegisterClientOutput is the registered client; the secret is in this answer only.
type RegisterClientOutput struct {
	ClientID              string `json:"clientId"`
	ClientSecret          string `json:"clientSecret"`
	ClientIDIssuedAt      int64  `json:"clientIdIssuedAt"`
	ClientSecretExpiresAt int64  `json:"clientSecretExpiresAt"`
}

func registerClient(c *api.Call, in *RegisterClientInput) (*RegisterClientOutput, error) {
	var out *RegisterClientOutput
	err := guarded(c, func(p *portal.Service) error {
		cl, err := p.RegisterClient(c.Ctx, portal.RegisterClientInput{ClientName: in.ClientName, ClientType: in.ClientType,
			Scopes: in.Scopes, GrantTypes: in.GrantTypes, RedirectURIs: in.RedirectURIs, IssuerURL: in.IssuerURL})
		if err != nil {
			return err
		}
		out = &RegisterClientOutput{ClientID: cl.ClientID, ClientSecret: cl.ClientSecret,
			ClientIDIssuedAt: cl.IssuedAt.Unix(), ClientSecretExpiresAt: cl.ExpiresAt.Unix()}
		return nil
	})
	return out, err
}

// StartDeviceAuthorization opens a device authorization for the start URL PUBLIC_URL/start.
var StartDeviceAuthorization = api.Add(&ops, &api.Op[StartDeviceAuthorizationInput, StartDeviceAuthorizationOutput]{
	Name: "StartDeviceAuthorization", HTTP: "POST /device_authorization", Authorize: noAuthorization[StartDeviceAuthorizationInput],
	Run: startDeviceAuthorization})

// StartDeviceAuthorizationInput is the request.
type StartDeviceAuthorizationInput struct {
	ClientID     string `json:"clientId" required:"true"`
	ClientSecret string `json:"clientSecret" required:"true"`
	StartURL     string `json:"startUrl" required:"true"`
}

// StartDeviceAuthorizationOutput is the device and user codes and where the user approves.
type StartDeviceAuthorizationOutput struct {
	DeviceCode              string `json:"deviceCode"`
	UserCode                string `json:"userCode"`
	VerificationURI         string `json:"verificationUri"`
	VerificationURIComplete string `json:"verificationUriComplete"`
	ExpiresIn               int    `json:"expiresIn"`
	Interval                int    `json:"interval"`
}

func startDeviceAuthorization(c *api.Call, in *StartDeviceAuthorizationInput) (*StartDeviceAuthorizationOutput, error) {
	var out *StartDeviceAuthorizationOutput
	err := guarded(c, func(p *portal.Service) error {
		d, err := p.StartDeviceAuthorization(c.Ctx, in.ClientID, in.ClientSecret, in.StartURL)
		if err != nil {
			return err
		}
		out = &StartDeviceAuthorizationOutput{DeviceCode: d.DeviceCode, UserCode: d.UserCode, VerificationURI: d.VerificationURI,
			VerificationURIComplete: d.VerificationURIComplete, ExpiresIn: d.ExpiresIn, Interval: d.Interval}
		return nil
	})
	return out, err
}

// CreateToken exchanges a device code or a refresh token for an access token.
var CreateToken = api.Add(&ops, &api.Op[CreateTokenInput, CreateTokenOutput]{
	Name: "CreateToken", HTTP: "POST /token", Authorize: noAuthorization[CreateTokenInput], Run: createToken})

// CreateTokenInput is the request.
type CreateTokenInput struct {
	ClientID     string   `json:"clientId" required:"true"`
	ClientSecret string   `json:"clientSecret" required:"true"`
	GrantType    string   `json:"grantType" required:"true"`
	DeviceCode   string   `json:"deviceCode"`
	Code         string   `json:"code"`
	RefreshToken string   `json:"refreshToken"`
	Scope        []string `json:"scope"`
	RedirectURI  string   `json:"redirectUri"`
	CodeVerifier string   `json:"codeVerifier"`
}

// CreateTokenOutput is the bearer token (and its refresh token when the client may refresh).
type CreateTokenOutput struct {
	AccessToken  string `json:"accessToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int    `json:"expiresIn"`
	RefreshToken string `json:"refreshToken,omitempty"`
}

func createToken(c *api.Call, in *CreateTokenInput) (*CreateTokenOutput, error) {
	var out *CreateTokenOutput
	err := guarded(c, func(p *portal.Service) error {
		tok, err := p.CreateToken(c.Ctx, portal.CreateTokenInput{ClientID: in.ClientID, ClientSecret: in.ClientSecret,
			GrantType: in.GrantType, DeviceCode: in.DeviceCode, RefreshToken: in.RefreshToken, Code: in.Code, Scope: in.Scope})
		if err != nil {
			return err
		}
		if err := p.TokenEvent(c.Ctx, tok.User, c.SourceIP, c.HTTP.UserAgent(), c.RequestID, in.ClientID, in.GrantType); err != nil {
			return err
		}
		out = &CreateTokenOutput{AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: tok.ExpiresIn, RefreshToken: tok.RefreshToken}
		return nil
	})
	return out, err
}
