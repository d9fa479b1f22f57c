package console

import (
	"net/http"
	"strings"

	"github.com/rootward/rootward/internal/iam"
)

func (h *Handler) rootRoutes(m *http.ServeMux) {}

// mfaRegistrationPath reports whether a restricted root session may reach path.
func mfaRegistrationPath(path string) bool {
	return strings.HasPrefix(path, "/console/mfa/")
}

// rootCredentialsPresent reports whether the account's root user has an access key or a signing
// certificate.
func (h *Handler) rootCredentialsPresent(r *http.Request, account string) (bool, error) {
	keys, err := h.iam.ListAccessKeys(r.Context(), account, "", iam.ListOpts{MaxItems: 1})
	if err != nil || len(keys.Items) > 0 {
		return len(keys.Items) > 0, err
	}
	certs, err := h.iam.ListSigningCertificates(r.Context(), account, "", iam.ListOpts{MaxItems: 1})
	return len(certs.Items) > 0, err
}
