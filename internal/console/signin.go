package console

import (
	"encoding/json"
	"errors"
	"github.com/rootward/rootward/internal/awsproto"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/signin"
)

// Sign-in is internal/signin's state machine; the console only carries its opaque pending
// token between pages, in an HttpOnly cookie scoped to the console (never in a form or URL, so it
// does not end up in screenshots, history or logs), and renders whatever step comes next.

const cookieSignin = "rw_signin"

// Device cookies (internal/signin device.go): one per identity the browser has completed a
// sign-in for, named after the identity's digest and sent only to the sign-in pages, where the
// password attempts they vouch for are judged by their own counter.
const (
	cookieDevicePrefix = "rw_device_"
	deviceCookiePath   = "/console/signin/"
)

// msgBadSignin is AWS's one answer to wrong credentials, whatever part was wrong.
const msgBadSignin = "Your authentication information is incorrect. Please try again."

func client(r *http.Request) signin.Client {
	c := signin.Client{SourceIP: sourceIP(r), UserAgent: r.UserAgent()}
	for _, ck := range r.Cookies() {
		if strings.HasPrefix(ck.Name, cookieDevicePrefix) && ck.Value != "" {
			c.DeviceCookies = append(c.DeviceCookies, ck.Value)
		}
	}
	return c
}

// setDevice gives the browser its device cookie for the identity that just signed in.
func (h *Handler) setDevice(w http.ResponseWriter, r *http.Request, d *signin.DeviceCookie) {
	if d == nil {
		return
	}
	http.SetCookie(w, h.cookie(r, cookieDevicePrefix+d.ID, d.Value, deviceCookiePath, d.ExpiresAt.Sub(h.now())))
}

// pendingToken is the browser's pending sign-in token, "" if none.
func pendingToken(r *http.Request) string {
	if c, err := r.Cookie(cookieSignin); err == nil {
		return c.Value
	}
	return ""
}

func (h *Handler) setPending(w http.ResponseWriter, r *http.Request, p *signin.Pending) {
	life := time.Until(p.ExpiresAt)
	if d := p.ExpiresAt.Sub(h.now()); d > 0 {
		life = d
	}
	http.SetCookie(w, h.cookie(r, cookieSignin, p.Token, "/console/", life))
}

func (h *Handler) clearPending(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, h.cookie(r, cookieSignin, "", "/console/", -1))
}

// mfaStepData is what the MFA step page shows.
type mfaStepData struct {
	Root     bool
	Devices  []signin.Device
	TOTP     []signin.Device // devices that take a code
	WebAuthn bool            // at least one security key or passkey
}

func mfaData(root bool, devices []signin.Device) mfaStepData {
	d := mfaStepData{Root: root, Devices: devices}
	for _, dev := range devices {
		if dev.Type == iam.MFAWebAuthn {
			d.WebAuthn = true
		} else {
			d.TOTP = append(d.TOTP, dev)
		}
	}
	return d
}

// registrationData is what the MFA registration step of a sign-in shows.
type registrationData struct {
	Optional bool
	Deadline time.Time
	// DaysLeft is the whole days left in the 35-day window.
	DaysLeft int
}

// advance shows the step a pending sign-in needs next, or starts the session when it is done.
func (h *Handler) advance(w http.ResponseWriter, r *http.Request, p *signin.Pending) {
	switch p.Next {
	case signin.StepDone:
		h.clearPending(w, r)
		h.setDevice(w, r, p.Device)
		if err := h.startSession(w, r, newSession(p.Principal)); err != nil {
			h.internalError(w, r, err)
			return
		}
		if strings.Contains(r.Header.Get("Accept"), "application/json") {
			writeJSON(w, http.StatusOK, map[string]string{"redirect": "/console/home"})
			return
		}
		http.Redirect(w, r, "/console/home", http.StatusSeeOther)
	case signin.StepMFA:
		h.setPending(w, r, p)
		h.render(w, r, http.StatusOK, "signin_mfa", nil, view{Title: "Multi-factor authentication", Data: mfaData(p.Kind == signin.KindRoot, p.Devices)})
	case signin.StepMFARegistration:
		h.setPending(w, r, p)
		h.render(w, r, http.StatusOK, "signin_register", nil, view{Title: "Register an MFA device", Data: h.registrationData(p)})
	case signin.StepApproval:
		h.showApproval(w, r, http.StatusOK, p, "")
	case signin.StepPasswordChange:
		h.setPending(w, r, p)
		h.render(w, r, http.StatusOK, "signin_iam_password", nil, view{Title: "Change your password", Data: iamSigninData{UserName: p.UserName}})
	default:
		h.internalError(w, r, errUnknownStep)
	}
}

func (h *Handler) registrationData(p *signin.Pending) registrationData {
	d := registrationData{Optional: p.RegistrationOptional, Deadline: p.MFADeadline}
	if left := p.MFADeadline.Sub(h.now()); left > 0 {
		d.DaysLeft = int(left.Hours() / 24)
	}
	return d
}

var errUnknownStep = awserr.New(awserr.InternalFailure, "unknown sign-in step")

// signinFailed shows the sign-in page again with what may be said of err: throttling with its wait,
// an expired pending sign-in, or the generic message.
func (h *Handler) signinFailed(w http.ResponseWriter, r *http.Request, page string, data any, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	msg, status := msgBadSignin, http.StatusUnauthorized
	switch e.Code {
	case awserr.Throttling:
		msg, status = e.Message, http.StatusTooManyRequests
	case awserr.ExpiredToken:
		msg = e.Message
		h.clearPending(w, r)
	case awserr.AccessDenied:
		msg = e.Message
	}
	h.render(w, r, status, page, nil, view{Title: "Sign in", Error: msg, Data: data})
}

// rootSigninData carries the email between the two root sign-in pages.
type rootSigninData struct{ Email string }

// rootEmail is the first root step: AWS asks for the email alone, then the password.
func (h *Handler) rootEmail(w http.ResponseWriter, r *http.Request, _ *session) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" {
		h.render(w, r, http.StatusBadRequest, "signin", nil, view{Title: "Sign in", Error: "Enter the root user's email address."})
		return
	}
	h.render(w, r, http.StatusOK, "signin_root_password", nil, view{Title: "Root user sign in", Data: rootSigninData{Email: email}})
}

func (h *Handler) rootPassword(w http.ResponseWriter, r *http.Request, _ *session) {
	d := rootSigninData{Email: strings.TrimSpace(r.PostFormValue("email"))}
	p, err := h.signin.BeginRootSignIn(r.Context(), d.Email, r.PostFormValue("password"), client(r))
	if err != nil {
		h.signinFailed(w, r, "signin_root_password", d, err)
		return
	}
	h.advance(w, r, p)
}

// mfaStep checks a code from the device the person chose.
func (h *Handler) mfaStep(w http.ResponseWriter, r *http.Request, _ *session) {
	tok := pendingToken(r)
	resp := signin.MFAResponse{Serial: r.PostFormValue("device"), Code: strings.TrimSpace(r.PostFormValue("code"))}
	p, err := h.signin.CompleteMFA(r.Context(), tok, resp, client(r))
	if err == nil {
		h.advance(w, r, p)
		return
	}
	h.mfaFailed(w, r, tok, err)
}

// mfaFailed shows the MFA step again after a wrong answer, or sign-in when the pending sign-in
// has ended (too many wrong answers, or expired).
func (h *Handler) mfaFailed(w http.ResponseWriter, r *http.Request, tok string, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	p, perr := h.signin.PendingAt(r.Context(), tok)
	if perr != nil || p.Next != signin.StepMFA {
		h.clearPending(w, r)
		msg := "Your sign-in has expired or had too many wrong codes. Sign in again."
		if e.Code == awserr.Throttling {
			msg = e.Message
		}
		h.render(w, r, http.StatusUnauthorized, "signin", nil, view{Title: "Sign in", Error: msg})
		return
	}
	msg := "The code is not valid for this device. Wait for the next code and try again."
	status := http.StatusUnauthorized
	switch {
	case e.Code == awserr.Throttling:
		msg, status = e.Message, http.StatusTooManyRequests
	case errors.Is(err, iam.ErrMFACodeUsed):
		msg = msgCodeUsed
	}
	h.render(w, r, status, "signin_mfa", nil, view{Title: "Multi-factor authentication", Error: msg, Data: mfaData(p.Kind == signin.KindRoot, p.Devices)})
}

// webauthnSigninOptions answers the assertion options for the pending sign-in's security keys.
func (h *Handler) webauthnSigninOptions(w http.ResponseWriter, r *http.Request, _ *session) {
	opts, err := h.signin.BeginWebAuthnMFA(r.Context(), pendingToken(r))
	if err != nil {
		h.jsonError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, opts)
}

// webauthnSignin checks the browser's assertion; the answer tells the script where to go.
func (h *Handler) webauthnSignin(w http.ResponseWriter, r *http.Request, _ *session) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.jsonError(w, r, awserr.New(awserr.InvalidInput, "The request could not be read."))
		return
	}
	r.Header.Set("Accept", "application/json")
	p, err := h.signin.CompleteMFA(r.Context(), pendingToken(r), signin.MFAResponse{WebAuthn: body}, client(r))
	if err != nil {
		h.jsonError(w, r, err)
		return
	}
	if p.Next != signin.StepDone {
		// An IAM user with a forced password change continues on the page flow.
		h.setPending(w, r, p)
		writeJSON(w, http.StatusOK, map[string]string{"redirect": "/console/signin/continue"})
		return
	}
	h.advance(w, r, p)
}

// signinContinue shows the current step of a pending sign-in (after a script-driven step).
func (h *Handler) signinContinue(w http.ResponseWriter, r *http.Request) {
	p, err := h.signin.PendingAt(r.Context(), pendingToken(r))
	if err != nil {
		http.Redirect(w, r, "/console/signin?expired=1", http.StatusSeeOther)
		return
	}
	h.advance(w, r, p)
}

// skipRegistration postpones MFA registration inside the 35-day window.
func (h *Handler) skipRegistration(w http.ResponseWriter, r *http.Request, _ *session) {
	p, err := h.signin.SkipMFARegistration(r.Context(), pendingToken(r), client(r))
	if err != nil {
		h.signinFailed(w, r, "signin", nil, err)
		return
	}
	h.advance(w, r, p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// jsonError answers a script's call with an AWS error's code and safe message; anything else is
// logged and answered with a fixed message.
func (h *Handler) jsonError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.log.Error("console: internal error", "path", r.URL.Path, "err", err)
		e = awserr.New(awserr.InternalFailure, "Something went wrong. Try again.")
	}
	writeJSON(w, awsproto.Status(e), map[string]string{"code": string(e.Code), "message": e.Message})
}
