package portal

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// userOf is the live user of a token: the directory's, so a user deleted or renamed since the
// token was issued is seen as it is now. A deleted user's token is unauthorized.
func (s *Service) userOf(ctx context.Context, r *tokenRecord) (*User, error) {
	u, err := s.dir.UserByID(ctx, r.Instance, r.UserID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errUnauthorized
	}
	return u, nil
}

// TokenUser returns the user of a live access token. Returns UnauthorizedException.
func (s *Service) TokenUser(ctx context.Context, accessToken string) (*User, error) {
	r, err := s.tokenUser(ctx, accessToken)
	if err != nil {
		return nil, err
	}
	return s.userOf(ctx, r)
}

// AccountInfo is an account the user has roles in.
type AccountInfo struct {
	AccountID, AccountName, EmailAddress string
}

// Accounts lists the accounts u is assigned a role in, by account ID.
func (s *Service) Accounts(ctx context.Context, u *User) ([]AccountInfo, error) {
	as, err := s.dir.Assignments(ctx, u)
	if err != nil {
		return nil, err
	}
	var out []AccountInfo
	seen := map[string]bool{}
	for _, a := range as {
		if !seen[a.AccountID] {
			seen[a.AccountID] = true
			out = append(out, AccountInfo{AccountID: a.AccountID, AccountName: a.AccountName, EmailAddress: a.AccountEmail})
		}
	}
	slices.SortFunc(out, func(a, b AccountInfo) int { return strings.Compare(a.AccountID, b.AccountID) })
	return out, nil
}

// Roles lists the roles (permission set names) u is assigned in account, by name.
func (s *Service) Roles(ctx context.Context, u *User, account string) ([]Assignment, error) {
	as, err := s.dir.Assignments(ctx, u)
	if err != nil {
		return nil, err
	}
	var out []Assignment
	seen := map[string]bool{}
	for _, a := range as {
		if a.AccountID == account && !seen[a.PermissionSetName] {
			seen[a.PermissionSetName] = true
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b Assignment) int { return strings.Compare(a.PermissionSetName, b.PermissionSetName) })
	return out, nil
}

// errNoAccess answers a role the user is not assigned: AWS's ResourceNotFoundException ("No
// access", HTTP 404), the same whether the account, the role or the assignment is missing.
var errNoAccess = &awserr.Error{Code: awserr.SSOResourceNotFound, Message: "No access", Status: http.StatusNotFound}

// Role returns u's assignment of the permission set roleName in account. Returns
// ResourceNotFoundException.
func (s *Service) Role(ctx context.Context, u *User, account, roleName string) (*Assignment, error) {
	roles, err := s.Roles(ctx, u, account)
	if err != nil {
		return nil, err
	}
	for i := range roles {
		if roles[i].PermissionSetName == roleName {
			return &roles[i], nil
		}
	}
	return nil, errNoAccess
}
