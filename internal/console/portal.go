package console

import (
	"errors"
	"net/http"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/portal"
)

// The access portal of IAM Identity Center at PUBLIC_URL/start (internal/httpmux sends /start and
// /device here): an Identity Center user signs in (password, a new password after a one-time
// one, MFA registration or an MFA code: internal/portal's steps, with its throttling and
// CloudTrail events), sees the accounts and roles assigned to it and gets a role's credentials;
// PUBLIC_URL/device approves a device authorization that `aws sso login` started.
//
// The portal is not the console: its session is its own cookie (cookiePortal, path /), and its
// forms carry a double-submit CSRF token of their own (cookiePortalCSRF), compared in constant
// time. The pending sign-in token travels in a cookie too, never in a URL.

const (
	cookiePortal        = "rw_portal"
	cookiePortalCSRF    = "rw_portal_csrf"
	cookiePortalPending = "rw_portal_pending"
	// cookiePortalNext is where a finished sign-in continues: a device page waiting for it, or the
	// approval portal (approvals.go).
	cookiePortalNext = "rw_portal_next"
)

func (h *Handler) portalRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /start", h.portalStart)
	m.HandleFunc("GET /start/{$}", h.portalStart)
	m.HandleFunc("POST /start/signin", h.portalPost(h.portalSignIn))
	m.HandleFunc("POST /start/password", h.portalPost(h.portalSetPassword))
	m.HandleFunc("POST /start/mfa", h.portalPost(h.portalMFA))
	m.HandleFunc("POST /start/register", h.portalPost(h.portalRegister))
	m.HandleFunc("POST /start/passkey/register/begin", h.portalPost(h.portalPasskeyRegisterBegin))
	m.HandleFunc("POST /start/passkey/register/finish", h.portalPost(h.portalPasskeyRegisterFinish))
	m.HandleFunc("POST /start/passkey/options", h.portalPost(h.portalPasskeyOptions))
	m.HandleFunc("POST /start/passkey", h.portalPost(h.portalPasskey))
	m.HandleFunc("POST /start/credentials", h.portalPost(h.portalCredentials))
	m.HandleFunc("POST /start/signout", h.portalPost(h.portalSignOut))
	m.HandleFunc("GET /start/setup", h.portalSetupPage)
	m.HandleFunc("POST /start/setup", h.portalPost(h.portalSetup))
	m.HandleFunc("GET /device", h.portalDevicePage)
	m.HandleFunc("POST /device", h.portalPost(h.portalDevice))
	h.approvalsRoutes(m)
	h.custodyRoutes(m)
}

// portalView is what the portal's pages get in view.Data.
type portalView struct {
	User      *portal.User
	Instances []string // instance IDs to choose from, when there are several
	Pending   *portal.Pending
	Accounts  []portalAccount
	Creds     *portalCreds
	Device    *portal.DeviceRequest
	UserCode  string
	Setup     struct{ Instance, Token string }
	// External are the instances, when there are several, whose users sign in through their
	// identity provider: links to /start?instance=ID.
	External []string
}

type portalAccount struct {
	portal.AccountInfo
	Roles []string
}

type portalCreds struct {
	Account, Role, AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                                time.Time
}

func (h *Handler) portalCookie(r *http.Request, name, value string, maxAge time.Duration) *http.Cookie {
	return h.cookie(r, name, value, "/", maxAge)
}

// portalPost wraps a portal form handler: the body bounded and parsed, the CSRF token (the
// portal's double-submit cookie's, in the form or, for webauthn.js's JSON calls, the
// X-CSRF-Token header) checked.
func (h *Handler) portalPost(fn func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.cfg.Portal == nil {
			h.renderError(w, r, http.StatusNotFound, "IAM Identity Center's access portal is not configured.")
			return
		}
		got := r.Header.Get(headerCSRF)
		if r.Header.Get("Content-Type") == "application/json" {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		} else if !h.readForm(w, r) {
			return
		} else if got == "" {
			got = r.PostFormValue(fieldCSRF)
		}
		var want string
		if c, err := r.Cookie(cookiePortalCSRF); err == nil {
			want = c.Value
		}
		if !tokenFromHere(r, got, want) {
			h.renderError(w, r, http.StatusForbidden, "This form has expired or did not come from this portal. Go back, reload the page and try again.")
			return
		}
		fn(w, r)
	}
}

// renderPortal writes a portal page, its forms carrying the portal's own CSRF token.
func (h *Handler) renderPortal(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	v.CSRF = h.doubleSubmitToken(w, r, cookiePortalCSRF, "/")
	h.writePage(w, r, status, name, v)
}

func portalCall(r *http.Request) portal.Call {
	return portal.Call{SourceIP: sourceIP(r), UserAgent: r.UserAgent()}
}

// portalSession is the request's live portal session, or nil.
func (h *Handler) portalSession(r *http.Request) (*portal.Session, error) {
	c, err := r.Cookie(cookiePortal)
	if err != nil {
		return nil, nil
	}
	return h.cfg.Portal.SessionUser(r.Context(), c.Value)
}

// portalStart is the start URL: the user's accounts and roles once signed in, else sign-in.
func (h *Handler) portalStart(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Portal == nil {
		h.renderError(w, r, http.StatusNotFound, "IAM Identity Center's access portal is not configured.")
		return
	}
	sess, err := h.portalSession(r)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if sess == nil {
		if !h.portalExternal(w, r, "") {
			h.portalSignInPage(w, r, http.StatusOK, "")
		}
		return
	}
	h.portalHome(w, r, sess, nil, "")
}

func (h *Handler) portalSignInPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	var d portalView
	ins, err := h.cfg.Portal.Instances(r.Context())
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if len(ins) > 1 {
		for _, in := range ins {
			ext, err := h.cfg.Portal.UsesExternalIdP(r.Context(), in.InstanceID)
			if err != nil {
				h.internalError(w, r, err)
				return
			}
			if ext {
				d.External = append(d.External, in.InstanceID)
			} else {
				d.Instances = append(d.Instances, in.InstanceID)
			}
		}
	}
	h.renderPortal(w, r, status, "portal_signin", view{Title: "Sign in to the AWS access portal", Error: msg, Data: d})
}

// portalFailed shows an error's safe message on page, or an internal error.
func (h *Handler) portalFailed(w http.ResponseWriter, r *http.Request, err error, again func(status int, msg string)) {
	msg, ok := userMessage(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	status := http.StatusBadRequest
	var e *awserr.Error
	if errors.As(err, &e) && e.Code == awserr.Throttling {
		status = http.StatusTooManyRequests
	} else if errors.As(err, &e) && (e.Code == awserr.AccessDenied || e.Code == awserr.ExpiredToken) {
		status = http.StatusForbidden
	}
	again(status, msg)
}

func (h *Handler) portalSignIn(w http.ResponseWriter, r *http.Request) {
	p, err := h.cfg.Portal.BeginSignIn(r.Context(), r.PostFormValue("instance"), r.PostFormValue("username"), r.PostFormValue("password"), portalCall(r))
	if err != nil {
		h.portalFailed(w, r, err, func(status int, msg string) { h.portalSignInPage(w, r, status, msg) })
		return
	}
	h.portalAdvance(w, r, p)
}

// portalAdvance shows the next step of a sign-in, or, once signed in, sets the session cookie and
// goes where the sign-in was for.
func (h *Handler) portalAdvance(w http.ResponseWriter, r *http.Request, p *portal.Pending) {
	if p.Next != portal.StepDone {
		http.SetCookie(w, h.portalCookie(r, cookiePortalPending, p.Token, 10*time.Minute))
		h.portalStep(w, r, http.StatusOK, p, "")
		return
	}
	http.Redirect(w, r, h.portalSignedIn(w, r, p), http.StatusSeeOther)
}

// portalSignedIn sets the session cookie of a finished sign-in and returns where it continues.
func (h *Handler) portalSignedIn(w http.ResponseWriter, r *http.Request, p *portal.Pending) string {
	http.SetCookie(w, h.portalCookie(r, cookiePortalPending, "", -1))
	http.SetCookie(w, h.portalCookie(r, cookiePortal, p.Session.Token, p.Session.ExpiresAt.Sub(h.now())))
	next := "/start"
	if c, err := r.Cookie(cookiePortalNext); err == nil {
		if code := portal.NormalizeUserCode(c.Value); code != "" {
			next = "/device?user_code=" + code
		} else if c.Value == approvalsPath || c.Value == custodyPath {
			next = c.Value
		}
		http.SetCookie(w, h.portalCookie(r, cookiePortalNext, "", -1))
	}
	return next
}

func (h *Handler) portalStep(w http.ResponseWriter, r *http.Request, status int, p *portal.Pending, msg string) {
	title := map[portal.Step]string{portal.StepSetPassword: "Set a new password", portal.StepMFARegistration: "Register an MFA device",
		portal.StepMFA: "Multi-factor authentication"}[p.Next]
	h.renderPortal(w, r, status, "portal_step", view{Title: title, Error: msg, Data: portalView{Pending: p, User: p.User}})
}

// pendingStep continues the pending sign-in of the request with fn; a failure shows the step
// again with the message (or sign-in, once the pending sign-in is gone).
func (h *Handler) pendingStep(w http.ResponseWriter, r *http.Request, fn func(token string) (*portal.Pending, error)) {
	var tok string
	if c, err := r.Cookie(cookiePortalPending); err == nil {
		tok = c.Value
	}
	p, err := fn(tok)
	if err == nil {
		h.portalAdvance(w, r, p)
		return
	}
	cur, perr := h.cfg.Portal.PendingStep(r.Context(), tok)
	if perr != nil {
		h.portalFailed(w, r, err, func(status int, msg string) { h.portalSignInPage(w, r, status, msg) })
		return
	}
	h.portalFailed(w, r, err, func(status int, msg string) { h.portalStep(w, r, status, cur, msg) })
}

func (h *Handler) portalSetPassword(w http.ResponseWriter, r *http.Request) {
	h.pendingStep(w, r, func(tok string) (*portal.Pending, error) {
		if r.PostFormValue("new_password") != r.PostFormValue("confirm_password") {
			return nil, awserr.New(awserr.PasswordPolicyViolation, "The new passwords do not match.")
		}
		return h.cfg.Portal.CompleteSetPassword(r.Context(), tok, r.PostFormValue("new_password"), portalCall(r))
	})
}

func (h *Handler) portalMFA(w http.ResponseWriter, r *http.Request) {
	h.pendingStep(w, r, func(tok string) (*portal.Pending, error) {
		return h.cfg.Portal.CompleteMFA(r.Context(), tok, r.PostFormValue("code"), portalCall(r))
	})
}

func (h *Handler) portalRegister(w http.ResponseWriter, r *http.Request) {
	h.pendingStep(w, r, func(tok string) (*portal.Pending, error) {
		return h.cfg.Portal.CompleteMFARegistration(r.Context(), tok, r.PostFormValue("code"), portalCall(r))
	})
}

// portalHome lists the user's accounts with their roles; creds, when set, are a role's
// credentials just issued, shown once.
func (h *Handler) portalHome(w http.ResponseWriter, r *http.Request, sess *portal.Session, creds *portalCreds, msg string) {
	ctx := r.Context()
	accts, err := h.cfg.Portal.Accounts(ctx, sess.User)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	d := portalView{User: sess.User, Creds: creds}
	for _, a := range accts {
		roles, err := h.cfg.Portal.Roles(ctx, sess.User, a.AccountID)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		pa := portalAccount{AccountInfo: a}
		for _, ro := range roles {
			pa.Roles = append(pa.Roles, ro.PermissionSetName)
		}
		d.Accounts = append(d.Accounts, pa)
	}
	h.renderPortal(w, r, http.StatusOK, "portal_home", view{Title: "AWS access portal", Error: msg, Data: d})
}

func (h *Handler) portalCredentials(w http.ResponseWriter, r *http.Request) {
	sess, err := h.portalSession(r)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if sess == nil {
		http.Redirect(w, r, "/start", http.StatusSeeOther)
		return
	}
	account, role := r.PostFormValue("account"), r.PostFormValue("role")
	call := portalCall(r)
	call.CredentialID = portal.CredentialID(sess.Token)
	s, err := h.cfg.Portal.RoleCredentials(r.Context(), h.cfg.IAM, sess.User, account, role, h.now(), call)
	if err != nil {
		if msg, ok := userMessage(err); ok {
			h.portalHome(w, r, sess, nil, msg)
			return
		}
		h.internalError(w, r, err)
		return
	}
	h.portalHome(w, r, sess, &portalCreds{Account: account, Role: role, AccessKeyID: s.AccessKeyID, SecretAccessKey: s.Secret,
		SessionToken: s.Token, Expiration: s.Expiration}, "")
}

func (h *Handler) portalSignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookiePortal); err == nil {
		if err := h.cfg.Portal.EndSession(r.Context(), c.Value); err != nil {
			h.internalError(w, r, err)
			return
		}
	}
	http.SetCookie(w, h.portalCookie(r, cookiePortal, "", -1))
	http.Redirect(w, r, "/start", http.StatusSeeOther)
}

func (h *Handler) portalSetupPage(w http.ResponseWriter, r *http.Request) {
	var d portalView
	d.Setup.Instance, d.Setup.Token = r.URL.Query().Get("instance"), r.URL.Query().Get("token")
	h.renderPortal(w, r, http.StatusOK, "portal_setup", view{Title: "Set your password", Data: d})
}

func (h *Handler) portalSetup(w http.ResponseWriter, r *http.Request) {
	var d portalView
	d.Setup.Instance, d.Setup.Token = r.PostFormValue("instance"), r.PostFormValue("token")
	again := func(status int, msg string) {
		h.renderPortal(w, r, status, "portal_setup", view{Title: "Set your password", Error: msg, Data: d})
	}
	if r.PostFormValue("new_password") != r.PostFormValue("confirm_password") {
		again(http.StatusBadRequest, "The new passwords do not match.")
		return
	}
	if err := h.cfg.Portal.SetupPassword(r.Context(), d.Setup.Instance, d.Setup.Token, r.PostFormValue("new_password"), portalCall(r)); err != nil {
		h.portalFailed(w, r, err, again)
		return
	}
	h.portalSignInPage(w, r, http.StatusOK, "")
}

// portalDevicePage asks the signed-in user to approve the client of a user code; a user not
// signed in signs in first and comes back.
func (h *Handler) portalDevicePage(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Portal == nil {
		h.renderError(w, r, http.StatusNotFound, "IAM Identity Center's access portal is not configured.")
		return
	}
	code := portal.NormalizeUserCode(r.URL.Query().Get("user_code"))
	sess, err := h.portalSession(r)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if sess == nil {
		if h.portalExternal(w, r, code) {
			return
		}
		if code != "" {
			http.SetCookie(w, h.portalCookie(r, cookiePortalNext, code, 30*time.Minute))
		}
		h.portalSignInPage(w, r, http.StatusOK, "")
		return
	}
	h.deviceView(w, r, http.StatusOK, sess, code, "")
}

func (h *Handler) deviceView(w http.ResponseWriter, r *http.Request, status int, sess *portal.Session, code, msg string) {
	d := portalView{User: sess.User, UserCode: code}
	if code != "" && msg == "" {
		req, err := h.cfg.Portal.PendingDevice(r.Context(), code)
		if err != nil {
			if m, ok := userMessage(err); ok {
				msg, status = m, http.StatusBadRequest
			} else {
				h.internalError(w, r, err)
				return
			}
		}
		d.Device = req
	}
	h.renderPortal(w, r, status, "portal_device", view{Title: "Authorize request", Error: msg, Data: d})
}

func (h *Handler) portalDevice(w http.ResponseWriter, r *http.Request) {
	sess, err := h.portalSession(r)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if sess == nil {
		http.Redirect(w, r, "/start", http.StatusSeeOther)
		return
	}
	code := portal.NormalizeUserCode(r.PostFormValue("user_code"))
	if r.PostFormValue("action") == "" {
		// The code typed in: show the request it names.
		h.deviceView(w, r, http.StatusOK, sess, code, "")
		return
	}
	approve := r.PostFormValue("action") == "approve"
	if err := h.cfg.Portal.AnswerDevice(r.Context(), code, sess.User, approve, sess.ExpiresAt); err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		h.deviceView(w, r, http.StatusBadRequest, sess, "", msg)
		return
	}
	notice := "Request approved. You can close this window and return to your terminal."
	if !approve {
		notice = "Request denied."
	}
	h.renderPortal(w, r, http.StatusOK, "portal_device", view{Title: "Authorize request", Notice: notice, Data: portalView{User: sess.User}})
}
