package portal

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/sts"
)

// RoleCredentials issues u the credentials of the role the permission set roleName provisioned in
// account, for the permission set's session duration (at most the role's maximum): a session of
// the AWSReservedSSO_ role named after the user (SessionName). The portal API's
// GetRoleCredentials and the portal page's "Access keys" both call it, and it records the
// GetRoleCredentials event (sso.amazonaws.com) in the user's instance account either way, and the
// session's start (AssumeRoleWithSAML) in the role's account (portalevents.go).
// Returns ResourceNotFoundException ("No access") when the role is not assigned or not
// provisioned.
func (s *Service) RoleCredentials(ctx context.Context, svc *iam.Service, u *User, account, roleName string, now time.Time, c Call) (*iam.Session, error) {
	sess, err := s.roleCredentials(ctx, svc, u, account, roleName, now)
	code, msg := "", ""
	if e, ok := awserr.As(err); ok {
		code, msg = string(e.Code), e.Message
	} else if err != nil {
		code = string(awserr.SSOInternalServerError)
	}
	if rerr := s.PortalEvent(u, c, "GetRoleCredentials", map[string]any{"role_name": roleName, "account_id": account}, code, msg); rerr != nil {
		return nil, rerr
	}
	return sess, err
}

func (s *Service) roleCredentials(ctx context.Context, svc *iam.Service, u *User, account, roleName string, now time.Time) (*iam.Session, error) {
	a, err := s.Role(ctx, u, account, roleName)
	if err != nil {
		return nil, err
	}
	role, err := svc.GetRole(ctx, a.AccountID, a.RoleName)
	if awserr.IsCode(err, awserr.NoSuchEntity) {
		// Assigned, but not (or no longer) provisioned in the account.
		return nil, &awserr.Error{Code: awserr.SSOResourceNotFound, Message: "No access", Status: http.StatusNotFound}
	}
	if err != nil {
		return nil, err
	}
	seconds := int(a.SessionDuration / time.Second)
	if seconds <= 0 {
		seconds = 3600
	}
	seconds = min(seconds, role.MaxSessionDuration)
	sess := sts.RoleSession(a.AccountID, role, SessionName(u.UserName), "", now, seconds)
	if err := svc.IssueSession(ctx, sess); err != nil {
		return nil, err
	}
	if err := s.sessionStartEvent(u, a, role, sess, seconds); err != nil {
		return nil, err
	}
	return sess, nil
}

var badSessionChars = regexp.MustCompile(`[^\w+=,.@-]`)

// SessionName is the role session name of a user's credentials: the user name, as AWS names the
// sessions of Identity Center users. A user name that is no valid session name (characters
// outside [\w+=,.@-], longer than 64) has each such character replaced by "_" and is cut to 64
// characters; AWS's handling of such names is not documented — Rootward's choice.
func SessionName(userName string) string {
	n := badSessionChars.ReplaceAllString(userName, "_")
	if len(n) > 64 {
		n = n[:64]
	}
	for len(n) < 2 {
		n += "_"
	}
	if sts.CheckSessionName(n) != nil {
		return strings.Repeat("_", 2)
	}
	return n
}
