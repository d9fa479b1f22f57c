package console

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/signin"
)

// MFA device registration, from two places: the "Security credentials" page of a signed-in
// principal, and the MFA registration step of a sign-in (the root user's 35-day window, or after a
// lost-MFA recovery), where the pending sign-in names the principal. A device registered during
// sign-in completes it: registering proved possession of the device.

// The principal whose devices a request manages is guarded's mfaSubject: the session's, once the
// API call the step stands for allows it (so an IAM user whose policies forbid managing their own
// MFA cannot do it here either), else the pending sign-in's at its registration step.

// totpData is the page that enrols an authenticator app.
type totpData struct {
	Serial string
	Name   string
	// QR is a data: URL of the PNG, and Seed the Base32 secret: shown on this page only, never
	// stored in the clear and never retrievable again. QR is marked safe for html/template (which
	// otherwise blanks data: URLs) because it is built here from the PNG bytes, never from input.
	QR      template.URL
	Seed    string
	Signin  bool
	Retried bool
}

// mfaPageError shows an MFA error where the person came from.
func (h *Handler) mfaPageError(w http.ResponseWriter, r *http.Request, s *session, err error) {
	msg, ok := userMessage(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	if errors.Is(err, iam.ErrMFACodeUsed) {
		msg = msgCodesUsed // a hardware token's registration
	}
	if s == nil {
		if p, perr := h.signin.PendingAt(r.Context(), pendingToken(r)); perr == nil && p.Next == signin.StepMFARegistration {
			h.render(w, r, http.StatusBadRequest, "signin_register", nil, view{Title: "Register an MFA device", Error: msg, Data: h.registrationData(p)})
			return
		}
		h.clearPending(w, r)
		h.render(w, r, http.StatusUnauthorized, "signin", nil, view{Title: "Sign in", Error: msg})
		return
	}
	h.credentialsPage(w, r, s, http.StatusBadRequest, msg, "")
}

// createTOTP creates a virtual device and redirects to the page that shows its QR code and seed,
// once; a form sent twice creates one device.
func (h *Handler) createTOTP(w http.ResponseWriter, r *http.Request, s *session) {
	sub, err := h.guard.enableMFA(r, s)
	if err != nil {
		h.mfaPageError(w, r, s, err)
		return
	}
	back := "/console/security-credentials"
	if s == nil {
		back = "/console/signin/continue"
	}
	if h.onceRefused(w, r, back, h.spendForm(r.Context(), r)) {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	enr, err := sub.createTOTP(r, name)
	if err != nil {
		h.mfaPageError(w, r, s, err)
		return
	}
	tok, err := h.stash(r.Context(), reveal{Owner: revealOwner(r, s), Serial: enr.Serial, Name: name,
		Sealed: h.iam.Seal([]byte(enr.Seed), revealAD(enr.Serial)), SealedQR: h.iam.Seal(enr.QRCodePNG, revealAD(enr.Serial+"#qr")),
		Created: h.now().UTC()})
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/mfa/totp/setup?"+url.Values{"r": {tok}}.Encode(), http.StatusSeeOther)
}

// totpSetup shows a new authenticator app's QR code and seed, once; a reload asks for the codes
// only, without the seed, which the app already holds.
func (h *Handler) totpSetup(w http.ResponseWriter, r *http.Request) {
	s, err := h.session(r)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	rv, err := h.take(r.Context(), revealOwner(r, s), r.URL.Query().Get("r"))
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if rv == nil || rv.Serial == "" {
		h.renderError(w, r, http.StatusNotFound, "The secret key of this authenticator app was shown once and cannot be shown again. Start the registration again.")
		return
	}
	seed, err := h.iam.Unseal(rv.Sealed, revealAD(rv.Serial))
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	png, err := h.iam.Unseal(rv.SealedQR, revealAD(rv.Serial+"#qr"))
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	d := totpData{Serial: rv.Serial, Name: rv.Name, Seed: string(seed), Signin: s == nil,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
	h.render(w, r, http.StatusOK, "mfa_totp", s, view{Title: "Set up an authenticator app", Data: d})
}

// enableTOTP assigns the virtual device after two consecutive codes.
func (h *Handler) enableTOTP(w http.ResponseWriter, r *http.Request, s *session) {
	sub, err := h.guard.enableMFA(r, s)
	if err != nil {
		h.mfaPageError(w, r, s, err)
		return
	}
	serial := r.PostFormValue("serial")
	err = sub.enableTOTP(r, serial, strings.TrimSpace(r.PostFormValue("code1")), strings.TrimSpace(r.PostFormValue("code2")))
	if awserr.IsCode(err, awserr.InvalidAuthenticationCode) {
		// The app holds the seed already: ask for two new codes without showing it again.
		msg := "The codes were not accepted. Enter two consecutive codes the app shows now."
		if errors.Is(err, iam.ErrMFACodeUsed) {
			msg = msgCodesUsed
		}
		h.render(w, r, http.StatusBadRequest, "mfa_totp", s, view{Title: "Set up an authenticator app",
			Error: msg, Data: totpData{Serial: serial, Signin: s == nil, Retried: true}})
		return
	}
	h.registered(w, r, s, err, "Authenticator app registered.")
}

// enableHardware registers a hardware TOTP token by serial number and seed.
func (h *Handler) enableHardware(w http.ResponseWriter, r *http.Request, s *session) {
	sub, err := h.guard.enableMFA(r, s)
	if err != nil {
		h.mfaPageError(w, r, s, err)
		return
	}
	err = sub.enableHardware(r, strings.TrimSpace(r.PostFormValue("serial")),
		strings.TrimSpace(r.PostFormValue("seed")), strings.TrimSpace(r.PostFormValue("code1")), strings.TrimSpace(r.PostFormValue("code2")))
	h.registered(w, r, s, err, "Hardware TOTP token registered.")
}

// msgCodeUsed answers a TOTP code refused because it was already accepted (iam.ErrMFACodeUsed):
// waiting for the next code helps, where retyping this one would not.
const msgCodeUsed = "This code was already used; wait for the next one."

// msgCodesUsed answers a registration whose codes were already used, or one code typed twice.
const msgCodesUsed = msgCodeUsed + " Enter two consecutive codes: the second is the one shown after the first."

// registered ends a registration: back to the credentials page, or on with the sign-in.
func (h *Handler) registered(w http.ResponseWriter, r *http.Request, s *session, err error, notice string) {
	if err != nil {
		h.mfaPageError(w, r, s, err)
		return
	}
	if s != nil {
		http.Redirect(w, r, "/console/security-credentials?done="+noticeKey(notice), http.StatusSeeOther)
		return
	}
	p, err := h.signin.CompleteMFARegistration(r.Context(), pendingToken(r), client(r))
	if err != nil {
		h.signinFailed(w, r, "signin", nil, err)
		return
	}
	h.advance(w, r, p)
}

// webauthnBegin starts registering a security key or passkey: the options for
// navigator.credentials.create() and a ceremony token.
func (h *Handler) webauthnBegin(w http.ResponseWriter, r *http.Request, s *session) {
	var in struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		h.jsonError(w, r, awserr.New(awserr.InvalidInput, "The request could not be read."))
		return
	}
	sub, err := h.guard.enableMFA(r, s)
	if err != nil {
		h.jsonError(w, r, err)
		return
	}
	creation, ceremony, err := sub.beginWebAuthn(r, strings.TrimSpace(in.Name))
	if err != nil {
		h.jsonError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ceremony": ceremony, "options": creation})
}

// webauthnFinish checks the authenticator's answer and assigns the key.
func (h *Handler) webauthnFinish(w http.ResponseWriter, r *http.Request, s *session) {
	var in struct {
		Ceremony   string          `json:"ceremony"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		h.jsonError(w, r, awserr.New(awserr.InvalidInput, "The request could not be read."))
		return
	}
	sub, err := h.guard.enableMFA(r, s)
	if err != nil {
		h.jsonError(w, r, err)
		return
	}
	if _, err := sub.finishWebAuthn(r, in.Ceremony, in.Credential); err != nil {
		h.jsonError(w, r, err)
		return
	}
	if s != nil {
		writeJSON(w, http.StatusOK, map[string]string{"redirect": "/console/security-credentials?done=" + noticeKey("Security key registered.")})
		return
	}
	p, err := h.signin.CompleteMFARegistration(r.Context(), pendingToken(r), client(r))
	if err != nil {
		h.jsonError(w, r, err)
		return
	}
	r.Header.Set("Accept", "application/json")
	h.advance(w, r, p)
}

// removeDevice removes an MFA device after asking again: the first post shows a page naming the
// device, and only its confirmation (the serial number sent back as confirm, with a one-time
// form token) removes it.
func (h *Handler) removeDevice(w http.ResponseWriter, r *http.Request, s *session) {
	sub, err := h.guard.deactivateMFA(r, s)
	if err != nil {
		h.mfaPageError(w, r, s, err)
		return
	}
	serial := r.PostFormValue("serial")
	if r.PostFormValue("confirm") != serial {
		devices, err := h.root.Devices(r.Context(), s.Account, s.UserName)
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		for _, d := range devices {
			if d.Serial == serial {
				h.render(w, r, http.StatusOK, "mfa_remove", s, view{Title: "Remove this MFA device?", Data: d})
				return
			}
		}
		h.mfaPageError(w, r, s, awserr.New(awserr.NoSuchEntity, "There is no MFA device %s.", serial))
		return
	}
	if h.onceRefused(w, r, "/console/security-credentials", h.spendForm(r.Context(), r)) {
		return
	}
	if err := sub.remove(r, serial); err != nil {
		h.mfaPageError(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/security-credentials?done="+noticeKey("MFA device removed."), http.StatusSeeOther)
}

// notices are the confirmations a redirect may ask the credentials page to show; a key, not the
// text, travels in the URL so that nobody can make the page say something else.
var notices = []string{
	"Authenticator app registered.", "Hardware TOTP token registered.", "Security key registered.",
	"MFA device removed.", "Password changed. Your other sessions were signed out.", "Access key deleted.",
	"Access key updated.", "Signing certificate deleted.", "Contact details saved.", noticeFormSpent,
	"Signing certificate uploaded.", noticeSecretGone, noticeRecoveryCancelled,
}

func noticeKey(text string) string {
	for i, n := range notices {
		if n == text {
			return string(rune('a' + i))
		}
	}
	return ""
}

func noticeText(key string) string {
	if len(key) == 1 && key[0] >= 'a' && int(key[0]-'a') < len(notices) {
		return notices[key[0]-'a']
	}
	return ""
}
