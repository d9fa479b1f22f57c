package console

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/portal"
)

// The identity source of the account's Identity Center instances (the management account's for
// the organization's instance): the identity store, or an external SAML 2.0 identity provider
// whose metadata the administrator uploads ("Change your identity source", IAM Identity Center
// User Guide: a console setting, AWS has no API for it). The page shows what the identity provider
// needs of Identity Center — its SP metadata: entity ID, ACS URL PUBLIC_URL/start/saml and the
// instance's signing certificate. Reading it takes sso:ListDirectoryAssociations; switching to an
// external identity provider (or replacing its metadata) sso:AssociateDirectory, and back to the
// identity store sso:DisassociateDirectory — the actions of the User Guide's example policy for
// managing an instance's connected directory (Rootward's choice; AWS does not list the actions
// of this console step). Every change, and every refused one, is a CloudTrail record (internal/
// portal's identitysource.go).
//
// With an external identity provider, PUBLIC_URL/start sends the browser there (portalExternal)
// and the provider posts its response to the ACS (portalACS), which signs the user in.

const (
	icSourcePath = "/console/identity-center/identity-source"
	// cookiePortalSAML binds an AuthnRequest to the browser that started it. The identity
	// provider posts its response from its own site, so the cookie is SameSite=None (which
	// browsers take only when Secure: over plain HTTP it is Lax, fine for a provider on the same
	// site, as in tests).
	cookiePortalSAML = "rw_portal_saml"
	// maxSAMLForm bounds the ACS's form: a SAMLResponse is at most 100,000 characters of base64
	// as STS takes it, and the RelayState.
	maxSAMLForm = 256 << 10
	// maxMetadataForm bounds the identity source form: a metadata document and the form.
	maxMetadataForm = 1 << 20
)

func (h *Handler) identitySourceRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+icSourcePath, h.signedIn(h.identitySourceView))
	m.HandleFunc("POST "+icSourcePath, func(w http.ResponseWriter, r *http.Request) {
		// A metadata file is larger than the console's usual form bound.
		r.Body = http.MaxBytesReader(w, r.Body, maxMetadataForm)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			if err := r.ParseMultipartForm(maxMetadataForm); err != nil {
				h.renderError(w, r, http.StatusBadRequest, "The form could not be read.")
				return
			}
		}
		h.postSignedIn(h.identitySourceChange)(w, r)
	})
	m.HandleFunc("GET /start/saml/{store}", h.portalSPMetadata)
	m.HandleFunc("POST /start/saml", h.portalACS)
}

type icSourceData struct {
	Instances []icSourceInstance
}

type icSourceInstance struct {
	InstanceID, IdentityStoreID string
	Source                      *identitycenter.IdentitySource
	SPEntityID, ACSURL, CertPEM string
}

func (h *Handler) identitySourceView(w http.ResponseWriter, r *http.Request, s *session) {
	h.identitySource(w, r, s, http.StatusOK, view{})
}

func (h *Handler) identitySource(w http.ResponseWriter, r *http.Request, s *session, status int, v view) {
	if h.cfg.Portal == nil {
		h.renderError(w, r, http.StatusNotFound, "IAM Identity Center's access portal is not configured.")
		return
	}
	v.Title = "Identity Center identity source"
	if _, err := h.authorizeAction(r, s, "sso:ListDirectoryAssociations", "*"); err != nil {
		h.identitySourceFailed(w, r, s, err)
		return
	}
	ins, err := h.cfg.Portal.Instances(r.Context())
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	var d icSourceData
	for _, in := range ins {
		if in.Account != s.Account {
			continue
		}
		src, err := h.cfg.Portal.IdentitySource(r.Context(), s.Account, in.InstanceID)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		d.Instances = append(d.Instances, icSourceInstance{InstanceID: in.InstanceID, IdentityStoreID: in.IdentityStoreID, Source: src,
			SPEntityID: h.cfg.Portal.SPEntityID(in.IdentityStoreID), ACSURL: h.cfg.Portal.ACSURL(), CertPEM: portal.CertPEM(src.SPCert)})
	}
	v.Data = d
	h.render(w, r, status, "icsource", s, v)
}

func (h *Handler) identitySourceFailed(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if msg, ok := userMessage(err); ok {
		h.render(w, r, http.StatusForbidden, "message", s, view{Title: "Identity Center identity source", Error: msg})
		return
	}
	h.internalError(w, r, err)
}

func (h *Handler) identitySourceChange(w http.ResponseWriter, r *http.Request, s *session) {
	if h.cfg.Portal == nil {
		h.renderError(w, r, http.StatusNotFound, "IAM Identity Center's access portal is not configured.")
		return
	}
	instance := r.PostFormValue("instance")
	if _, err := identitycenter.InstanceID(identitycenter.InstanceARN(instance)); err != nil {
		h.identitySource(w, r, s, http.StatusBadRequest, view{Error: "Choose an instance of this account."})
		return
	}
	external := r.PostFormValue("action") == "external"
	action := "sso:DisassociateDirectory"
	if external {
		action = "sso:AssociateDirectory"
	}
	c := h.run.NewCall(r)
	id, err := authz.IdentityOf(r.Context(), h.cfg.IAM, s.principal())
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	c.Caller = id
	a := portal.Admin{Account: s.Account, ARN: s.ARN, Identity: api.UserIdentity(id), Call: portalCall(r)}
	if err := c.Authorize(action, "*", nil); err != nil {
		if rerr := h.cfg.Portal.RecordRefusedChange(a, external, instance, err); rerr != err {
			h.internalError(w, r, rerr)
			return
		}
		h.identitySourceFailed(w, r, s, err)
		return
	}
	if external {
		doc := r.PostFormValue("metadata")
		if f, _, ferr := r.FormFile("metadata_file"); ferr == nil {
			b, rerr := io.ReadAll(io.LimitReader(f, maxMetadataForm))
			_ = f.Close()
			if rerr != nil {
				h.renderError(w, r, http.StatusBadRequest, "The form could not be read.")
				return
			}
			if len(strings.TrimSpace(string(b))) > 0 {
				doc = string(b)
			}
		}
		err = h.cfg.Portal.SetExternalIdP(r.Context(), a, instance, doc)
	} else {
		err = h.cfg.Portal.UseIdentityStore(r.Context(), a, instance)
	}
	if err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		h.identitySource(w, r, s, http.StatusBadRequest, view{Error: msg})
		return
	}
	notice := "The identity source is now the Identity Center directory: users sign in with their password and MFA."
	if external {
		notice = "The identity source is now your external identity provider: users sign in there."
	}
	h.identitySource(w, r, s, http.StatusOK, view{Notice: notice})
}

// portalSPMetadata serves an instance's SP metadata at its entity ID, PUBLIC_URL/start/saml/STORE.
func (h *Handler) portalSPMetadata(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Portal == nil {
		h.renderError(w, r, http.StatusNotFound, "IAM Identity Center's access portal is not configured.")
		return
	}
	doc, ok, err := h.cfg.Portal.SPMetadataOf(r.Context(), r.PathValue("store"))
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if !ok {
		h.renderError(w, r, http.StatusNotFound, "This page does not exist.")
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = io.WriteString(w, doc)
}

// portalExternal sends the browser of a sign-in to an instance with an external identity provider
// there, and reports whether it did.
func (h *Handler) portalExternal(w http.ResponseWriter, r *http.Request, userCode string) bool {
	red, err := h.cfg.Portal.ExternalSignIn(r.Context(), r.URL.Query().Get("instance"), userCode)
	if err != nil {
		h.internalError(w, r, err)
		return true
	}
	if red == nil {
		return false
	}
	c := h.portalCookie(r, cookiePortalSAML, red.Browser, 10*time.Minute)
	c.Path = "/start/saml"
	c.SameSite = http.SameSiteLaxMode
	if c.Secure {
		c.SameSite = http.SameSiteNoneMode
	}
	http.SetCookie(w, c)
	http.Redirect(w, r, red.URL, http.StatusFound)
	return true
}

// portalACS is the assertion consumer service: the identity provider's SAMLResponse, posted by the
// browser (HTTP-POST binding). It carries no CSRF token of the portal's — it comes from the
// provider's page — and needs none: the RelayState names a request this browser started (its
// cookie), and the response must answer that request.
func (h *Handler) portalACS(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Portal == nil {
		h.renderError(w, r, http.StatusNotFound, "IAM Identity Center's access portal is not configured.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSAMLForm)
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	var browser string
	if c, err := r.Cookie(cookiePortalSAML); err == nil {
		browser = c.Value
	}
	p, userCode, err := h.cfg.Portal.CompleteExternalSignIn(r.Context(), r.PostFormValue("SAMLResponse"), r.PostFormValue("RelayState"), browser, portalCall(r))
	if err != nil {
		h.portalFailed(w, r, err, func(status int, msg string) {
			h.renderPortal(w, r, status, "portal_external", view{Title: "Sign-in failed", Error: msg})
		})
		return
	}
	gone := h.portalCookie(r, cookiePortalSAML, "", -1)
	gone.Path = "/start/saml"
	http.SetCookie(w, gone)
	http.SetCookie(w, h.portalCookie(r, cookiePortal, p.Session.Token, p.Session.ExpiresAt.Sub(h.now())))
	next := "/start"
	if code := portal.NormalizeUserCode(userCode); code != "" {
		next = "/device?user_code=" + code
	}
	// Not a redirect: the post came from the identity provider's site, and a browser does not
	// send the portal's SameSite=Strict session cookie on a redirect that a cross-site request
	// started. A page of this site that moves on is a same-site navigation.
	h.renderPortal(w, r, http.StatusOK, "portal_external", view{Title: "Signed in", Data: next})
}
