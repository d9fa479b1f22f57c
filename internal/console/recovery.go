package console

import (
	"github.com/rootward/rootward/internal/awsproto"
	"net/http"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/rootuser"
)

// Recovery pages over the rootuser flows: a forgotten root password (an emailed one-hour,
// single-use link) and a lost MFA device (the email link and a phone code within 30 minutes, then
// a cooling-off period any security contact can cancel). The links rootuser mails point here:
// <console URL>/recover/password?token=…, /recover/mfa/email?token=…, /recover/mfa/cancel?token=….

// cookieRecovery holds the browser's handle on its lost-MFA recovery.
const cookieRecovery = "rw_recovery"

type resetData struct {
	Token string
	Email string
}

// passwordResetPage asks for the email, or, opened from the emailed link, for the new password.
func (h *Handler) passwordResetPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if tok == "" {
		h.render(w, r, http.StatusOK, "recover_password", nil, view{Title: "Root user password recovery"})
		return
	}
	info, err := h.root.CheckPasswordReset(r.Context(), tok)
	if err != nil {
		h.recoveryError(w, r, "Choose a new root password", err)
		return
	}
	h.render(w, r, http.StatusOK, "recover_password_new", nil, view{Title: "Choose a new root password", Data: resetData{Token: tok, Email: info.Email}})
}

// requestPasswordReset mails the link. The page says the same whether or not the email is known.
func (h *Handler) requestPasswordReset(w http.ResponseWriter, r *http.Request, _ *session) {
	err := h.root.RequestPasswordReset(r.Context(), strings.TrimSpace(r.PostFormValue("email")), client(r))
	if err != nil {
		h.recoveryError(w, r, "Root user password recovery", err)
		return
	}
	h.render(w, r, http.StatusOK, "message", nil, view{Title: "Check your email",
		Notice: "If this email address belongs to a root user, we sent it a link to reset the password. The link works once, for one hour.",
		Outbox: h.outboxNote(notify.Email)})
}

func (h *Handler) completePasswordReset(w http.ResponseWriter, r *http.Request, _ *session) {
	tok, pw := r.PostFormValue("token"), r.PostFormValue("password")
	if pw != r.PostFormValue("confirm_password") {
		h.render(w, r, http.StatusBadRequest, "recover_password_new", nil, view{Title: "Choose a new root password", Error: "The passwords do not match.", Data: resetData{Token: tok}})
		return
	}
	if err := h.root.CompletePasswordReset(r.Context(), tok, pw, client(r)); err != nil {
		if awserr.IsCode(err, awserr.PasswordPolicyViolation) {
			msg, _ := userMessage(err)
			h.render(w, r, http.StatusBadRequest, "recover_password_new", nil, view{Title: "Choose a new root password", Error: msg, Data: resetData{Token: tok}})
			return
		}
		h.recoveryError(w, r, "Choose a new root password", err)
		return
	}
	h.render(w, r, http.StatusOK, "message", nil, view{Title: "Password changed",
		Notice: "The root password is changed and every root session was signed out. Sign in with the new password."})
}

// recoveryError shows a recovery error's safe message under the heading of the page the person
// was on, so the heading does not change because something went wrong.
func (h *Handler) recoveryError(w http.ResponseWriter, r *http.Request, title string, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, awsproto.Status(e), "message", nil, view{Title: title, Error: e.Message})
}

// beginMFARecovery starts a lost-MFA recovery from the MFA step of a root sign-in.
func (h *Handler) beginMFARecovery(w http.ResponseWriter, r *http.Request, _ *session) {
	rec, err := h.signin.BeginMFARecovery(r.Context(), pendingToken(r), client(r))
	if err != nil {
		h.recoveryError(w, r, "Lost MFA device", err)
		return
	}
	h.clearPending(w, r)
	http.SetCookie(w, h.cookie(r, cookieRecovery, rec.Token, "/console/", rootuser.RecoveryWindow+rootuser.DefaultCoolingOff))
	h.render(w, r, http.StatusOK, "recover_mfa", nil, view{Title: "Lost MFA device", Data: rec, Outbox: h.outboxNote(notify.Email)})
}

// outboxNote tells where a message of channel ch went when no transport is configured for it:
// into the server's outbox, which the operator reads with rootward outbox. "" when a mail server
// (email) or an SMS webhook (text and voice) is configured.
func (h *Handler) outboxNote(ch notify.Channel) string {
	if h.root.Transport(ch) != notify.TransportOutbox {
		return ""
	}
	if ch == notify.Email {
		return "No mail server is configured: the message is kept in the server's outbox. On the server, run: " + h.cfg.CLI + " outbox --data DIR"
	}
	return "No SMS webhook is configured: the code is kept in the server's outbox. On the server, run: " + h.cfg.CLI + " outbox --data DIR"
}

func recoveryToken(r *http.Request) string {
	if c, err := r.Cookie(cookieRecovery); err == nil {
		return c.Value
	}
	return ""
}

// mfaRecoveryPage shows the progress of the browser's recovery.
func (h *Handler) mfaRecoveryPage(w http.ResponseWriter, r *http.Request) {
	rec, err := h.root.MFARecoveryStatus(r.Context(), recoveryToken(r))
	if err != nil {
		h.recoveryError(w, r, "Lost MFA device", err)
		return
	}
	v := view{Title: "Lost MFA device", Data: rec}
	if rec.State == rootuser.RecoveryVerifying && !rec.EmailVerified {
		v.Outbox = h.outboxNote(notify.Email)
	}
	h.render(w, r, http.StatusOK, "recover_mfa", nil, v)
}

// verifyRecoveryEmail is the emailed link: opening it proves the root email.
func (h *Handler) verifyRecoveryEmail(w http.ResponseWriter, r *http.Request) {
	rec, err := h.root.VerifyMFARecoveryEmail(r.Context(), r.URL.Query().Get("token"), client(r))
	if err != nil {
		h.recoveryError(w, r, "Lost MFA device", err)
		return
	}
	h.render(w, r, http.StatusOK, "recover_mfa", nil, view{Title: "Lost MFA device", Notice: "Email address confirmed.", Data: rec})
}

func (h *Handler) sendRecoveryCode(w http.ResponseWriter, r *http.Request, _ *session) {
	ch := notify.SMS
	if r.PostFormValue("channel") == "voice" {
		ch = notify.Voice
	}
	tok := recoveryToken(r)
	if err := h.root.SendMFARecoveryCode(r.Context(), tok, ch, client(r)); err != nil {
		h.recoveryError(w, r, "Lost MFA device", err)
		return
	}
	rec, err := h.root.MFARecoveryStatus(r.Context(), tok)
	if err != nil {
		h.recoveryError(w, r, "Lost MFA device", err)
		return
	}
	h.render(w, r, http.StatusOK, "recover_mfa", nil, view{Title: "Lost MFA device", Notice: "We sent a code to the account's phone number.", Data: rec,
		Outbox: h.outboxNote(ch)})
}

func (h *Handler) verifyRecoveryPhone(w http.ResponseWriter, r *http.Request, _ *session) {
	tok := recoveryToken(r)
	rec, err := h.root.VerifyMFARecoveryPhone(r.Context(), tok, strings.TrimSpace(r.PostFormValue("code")), client(r))
	if err != nil {
		if awserr.IsCode(err, awserr.InvalidAuthenticationCode) {
			if cur, serr := h.root.MFARecoveryStatus(r.Context(), tok); serr == nil {
				h.render(w, r, http.StatusBadRequest, "recover_mfa", nil, view{Title: "Lost MFA device", Error: "That code is not right.", Data: cur})
				return
			}
		}
		h.recoveryError(w, r, "Lost MFA device", err)
		return
	}
	h.render(w, r, http.StatusOK, "recover_mfa", nil, view{Title: "Lost MFA device", Data: rec})
}

type cancelData struct{ Token string }

// cancelRecoveryPage is a security contact's link; cancelling takes a POST, so that a mail
// scanner that opens links cannot cancel a recovery by itself.
// cancelRecoveryPage serves the cancel link sent to the contacts. It renders with the browser's
// session when there is one, so that its form carries the token that session's posts are checked
// against: the link works signed in or not.
func (h *Handler) cancelRecoveryPage(w http.ResponseWriter, r *http.Request) {
	s, err := h.session(r)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "recover_mfa_cancel", s, view{Title: "Cancel the MFA recovery", Data: cancelData{Token: r.URL.Query().Get("token")}})
}

// cancelMyRecovery is the banner's Cancel button for the signed-in root user.
func (h *Handler) cancelMyRecovery(w http.ResponseWriter, r *http.Request, s *session) {
	if !s.Root() {
		h.renderError(w, r, http.StatusForbidden, "Only the root user cancels its recovery here; contacts use the link they were sent.")
		return
	}
	if err := h.root.CancelMFARecoveryAsRoot(r.Context(), s.rootPrincipal(), client(r)); err != nil {
		h.recoveryError(w, r, "Cancel the MFA recovery", err)
		return
	}
	http.Redirect(w, r, "/console/home?done="+noticeKey(noticeRecoveryCancelled), http.StatusSeeOther)
}

const noticeRecoveryCancelled = "The lost-MFA recovery was cancelled and every security contact was told."

func (h *Handler) cancelRecovery(w http.ResponseWriter, r *http.Request, _ *session) {
	if err := h.root.CancelMFARecovery(r.Context(), r.PostFormValue("token"), client(r)); err != nil {
		h.recoveryError(w, r, "Cancel the MFA recovery", err)
		return
	}
	h.render(w, r, http.StatusOK, "message", nil, view{Title: "Recovery cancelled",
		Notice: "The lost-MFA recovery was cancelled and every security contact was told. The root user's MFA devices stay as they are."})
}
