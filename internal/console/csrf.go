package console

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// CSRF protection. A signed-in form carries the token stored in its session (session-bound); a form
// shown before sign-in carries the value of a random cookie (double-submit), which another site can
// neither read nor set because of SameSite=Strict and HttpOnly. Either way the token is compared in
// constant time, and a POST whose Origin header names another origin is refused before that.
const (
	cookieCSRF = "rw_csrf"
	fieldCSRF  = "csrf"
	// headerCSRF carries the token on the WebAuthn JSON calls, which are not form posts.
	headerCSRF = "X-CSRF-Token"
	// maxFormBytes bounds a form body: the largest form is a signing certificate upload.
	maxFormBytes = 64 << 10
)

// csrfToken returns the token the page's forms must carry, setting the double-submit cookie when
// there is no session and no cookie yet.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request, s *session) string {
	if s != nil {
		return s.CSRF
	}
	return h.doubleSubmitToken(w, r, cookieCSRF, "/console/")
}

// doubleSubmitToken returns the value of the double-submit cookie name (path path), setting a new
// random one when the request has none.
func (h *Handler) doubleSubmitToken(w http.ResponseWriter, r *http.Request, name, path string) string {
	if c, err := r.Cookie(name); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := randomToken()
	c := h.cookie(r, name, tok, path, 0)
	http.SetCookie(w, c)
	// A page may ask twice (two forms): the second call must see the same token.
	r.AddCookie(c)
	return tok
}

// checkCSRF reports whether a state-changing request is from this console's own pages.
func (h *Handler) checkCSRF(r *http.Request, s *session) bool {
	got := r.Header.Get(headerCSRF)
	if got == "" {
		got = r.PostFormValue(fieldCSRF)
	}
	var want string
	if s != nil {
		want = s.CSRF
	} else if c, err := r.Cookie(cookieCSRF); err == nil {
		want = c.Value
	}
	return tokenFromHere(r, got, want)
}

// tokenFromHere reports whether a state-changing request comes from this origin (no Origin header
// naming another host, not a cross-site fetch) with the token got equal to want, compared in
// constant time.
func tokenFromHere(r *http.Request, got, want string) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// readForm bounds and parses a form body, answering 400 when it cannot be read.
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "The form could not be read.")
		return false
	}
	return true
}

// post wraps a state-changing handler: it bounds and parses the form, loads the session if any,
// and refuses the request with 403 unless its CSRF token is right.
func (h *Handler) post(fn func(w http.ResponseWriter, r *http.Request, s *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" {
			if !h.readForm(w, r) {
				return
			}
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		s, err := h.session(r)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		if !h.checkCSRF(r, s) {
			h.renderError(w, r, http.StatusForbidden, "This form has expired or did not come from this console. Go back, reload the page and try again.")
			return
		}
		fn(w, r, s)
	}
}
