package ssoapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/portal"
)

// ListAccounts lists the accounts the token's user is assigned roles in.
var ListAccounts = api.Add(&ops, &api.Op[ListAccountsInput, ListAccountsOutput]{
	Name: "ListAccounts", HTTP: "GET /assignment/accounts", Authorize: noAuthorization[ListAccountsInput], Run: listAccounts})

// ListAccountsInput is the request (Portal API Reference, ListAccounts).
type ListAccountsInput struct {
	AccessToken string `json:"-" location:"header" locationName:"x-amz-sso_bearer_token" required:"true"`
	NextToken   string `json:"-" location:"querystring" locationName:"next_token"`
	MaxResults  *int   `json:"-" location:"querystring" locationName:"max_result" min:"1" max:"100"`
}

// AccountInfo is the AccountInfo shape.
type AccountInfo struct {
	AccountID    string `json:"accountId"`
	AccountName  string `json:"accountName,omitempty"`
	EmailAddress string `json:"emailAddress,omitempty"`
}

// ListAccountsOutput is a page of accounts.
type ListAccountsOutput struct {
	AccountList []AccountInfo `json:"accountList"`
	NextToken   string        `json:"nextToken,omitempty"`
}

func listAccounts(c *api.Call, in *ListAccountsInput) (*ListAccountsOutput, error) {
	var out *ListAccountsOutput
	err := authenticated(c, in.AccessToken, "ListAccounts", nil, func(p *portal.Service, u *portal.User) error {
		accts, err := p.Accounts(c.Ctx, u)
		if err != nil {
			return err
		}
		page, next, err := pageOf(accts, func(a portal.AccountInfo) string { return a.AccountID }, in.NextToken, in.MaxResults)
		if err != nil {
			return err
		}
		out = &ListAccountsOutput{AccountList: []AccountInfo{}, NextToken: next}
		for _, a := range page {
			out.AccountList = append(out.AccountList, AccountInfo{AccountID: a.AccountID, AccountName: a.AccountName, EmailAddress: a.EmailAddress})
		}
		return nil
	})
	return out, err
}

// ListAccountRoles lists the roles the token's user is assigned in an account.
var ListAccountRoles = api.Add(&ops, &api.Op[ListAccountRolesInput, ListAccountRolesOutput]{
	Name: "ListAccountRoles", HTTP: "GET /assignment/roles", Authorize: noAuthorization[ListAccountRolesInput], Run: listAccountRoles})

// ListAccountRolesInput is the request.
type ListAccountRolesInput struct {
	AccessToken string `json:"-" location:"header" locationName:"x-amz-sso_bearer_token" required:"true"`
	AccountID   string `json:"-" location:"querystring" locationName:"account_id" required:"true"`
	NextToken   string `json:"-" location:"querystring" locationName:"next_token"`
	MaxResults  *int   `json:"-" location:"querystring" locationName:"max_result" min:"1" max:"100"`
}

// RoleInfo is the RoleInfo shape.
type RoleInfo struct {
	RoleName  string `json:"roleName"`
	AccountID string `json:"accountId"`
}

// ListAccountRolesOutput is a page of roles.
type ListAccountRolesOutput struct {
	RoleList  []RoleInfo `json:"roleList"`
	NextToken string     `json:"nextToken,omitempty"`
}

func listAccountRoles(c *api.Call, in *ListAccountRolesInput) (*ListAccountRolesOutput, error) {
	var out *ListAccountRolesOutput
	err := authenticated(c, in.AccessToken, "ListAccountRoles", map[string]any{"account_id": in.AccountID}, func(p *portal.Service, u *portal.User) error {
		roles, err := p.Roles(c.Ctx, u, in.AccountID)
		if err != nil {
			return err
		}
		page, next, err := pageOf(roles, func(a portal.Assignment) string { return a.PermissionSetName }, in.NextToken, in.MaxResults)
		if err != nil {
			return err
		}
		out = &ListAccountRolesOutput{RoleList: []RoleInfo{}, NextToken: next}
		for _, r := range page {
			out.RoleList = append(out.RoleList, RoleInfo{RoleName: r.PermissionSetName, AccountID: r.AccountID})
		}
		return nil
	})
	return out, err
}

// GetRoleCredentials issues the credentials of the role a permission set provisioned.
var GetRoleCredentials = api.Add(&ops, &api.Op[GetRoleCredentialsInput, GetRoleCredentialsOutput]{
	Name: "GetRoleCredentials", HTTP: "GET /federation/credentials", Authorize: noAuthorization[GetRoleCredentialsInput], Run: getRoleCredentials})

// GetRoleCredentialsInput is the request.
type GetRoleCredentialsInput struct {
	AccessToken string `json:"-" location:"header" locationName:"x-amz-sso_bearer_token" required:"true"`
	RoleName    string `json:"-" location:"querystring" locationName:"role_name" required:"true"`
	AccountID   string `json:"-" location:"querystring" locationName:"account_id" required:"true"`
}

// RoleCredentials is the RoleCredentials shape; expiration is in milliseconds since the epoch.
type RoleCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
	Expiration      int64  `json:"expiration"`
}

// GetRoleCredentialsOutput holds the credentials.
type GetRoleCredentialsOutput struct {
	RoleCredentials RoleCredentials `json:"roleCredentials"`
}

func getRoleCredentials(c *api.Call, in *GetRoleCredentialsInput) (*GetRoleCredentialsOutput, error) {
	p := c.Portal
	if p == nil {
		return nil, errNoPortal
	}
	var out *GetRoleCredentialsOutput
	err := p.Guard(c.Ctx, c.SourceIP, tooMany, func() error {
		u, err := p.TokenUser(c.Ctx, in.AccessToken)
		if err != nil {
			return err
		}
		call := callOf(c)
		call.CredentialID = portal.CredentialID(in.AccessToken)
		sess, err := p.RoleCredentials(c.Ctx, c.IAM, u, in.AccountID, in.RoleName, c.Now, call)
		if err != nil {
			return err
		}
		out = &GetRoleCredentialsOutput{RoleCredentials: RoleCredentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret,
			SessionToken: sess.Token, Expiration: sess.Expiration.UnixMilli()}}
		return nil
	})
	return out, err
}

// Logout ends the token's session: the access token and every token refreshed from the same
// sign-in.
var Logout = api.Add(&ops, &api.Op[LogoutInput, struct{}]{
	Name: "Logout", HTTP: "POST /logout", Authorize: noAuthorization[LogoutInput], Run: logout})

// LogoutInput is the request.
type LogoutInput struct {
	AccessToken string `json:"-" location:"header" locationName:"x-amz-sso_bearer_token" required:"true"`
}

func logout(c *api.Call, in *LogoutInput) (*struct{}, error) {
	err := authenticated(c, in.AccessToken, "Logout", nil, func(p *portal.Service, _ *portal.User) error {
		_, err := p.Logout(c.Ctx, in.AccessToken)
		return err
	})
	return nil, err
}
