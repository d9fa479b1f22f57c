package main

import (
	"net/http"

	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/console"
	"github.com/rootward/rootward/internal/server"
)

// consoleLegacy runs the console's calls whose operations are not yet typed operations of a
// service package, through the API server's legacy tables (console.Legacy).
type consoleLegacy struct{ *server.Server }

func (l consoleLegacy) DeleteRootCredentials(r *http.Request, p authz.Principal, member string) (*console.RootCredentialDeletion, error) {
	out, err := l.Server.DeleteRootCredentials(r, p, member)
	if out == nil {
		return nil, err
	}
	d := console.RootCredentialDeletion(*out)
	return &d, err
}
