package server

import (
	"net/http"

	"github.com/rootward/rootward/internal/api/stsapi"
)

// Centralized root access (IAM User Guide, "Centrally manage root access for member accounts"):
// IAM's five root-access operations are internal/api/iamapi's (rootaccess.go), sts:AssumeRoot and
// the deletion of a member's root credentials in a privileged root session internal/api/stsapi's.

// RootCredentialDeletion reports what DeleteRootCredentials removed from a member's root user.
type RootCredentialDeletion = stsapi.RootCredentialDeletion

// DeleteRootCredentials is stsapi.DeleteRootCredentials, the console's "delete root credentials"
// action, on the server's runner.
func (s *Server) DeleteRootCredentials(r *http.Request, p Principal, member string) (*RootCredentialDeletion, error) {
	return stsapi.DeleteRootCredentials(s.runner, r, p, member)
}
