package console

import (
	"net/http"
	"strings"
)

// IAM-user sign-in: account (ID or alias), user name and password; then a code from one of the
// user's MFA devices if it has any; then, when PasswordResetRequired is set, a new password — the
// order of AWS's own sign-in page. The steps are internal/signin's (with its throttling and
// CloudTrail events); the forced password change is authorized as iam:ChangePassword by the user,
// like the API call it is.

type iamSigninData struct {
	Account  string
	UserName string
}

func (h *Handler) signinPage(w http.ResponseWriter, r *http.Request) {
	s, _ := h.session(r)
	v := view{Title: "Sign in"}
	switch {
	case r.URL.Query().Get("signedout") != "":
		v.Notice = "You have signed out."
	case r.URL.Query().Get("expired") != "":
		v.Notice = "Your session has ended. Sign in again."
	}
	h.render(w, r, http.StatusOK, "signin", s, v)
}

func (h *Handler) iamSigninPage(w http.ResponseWriter, r *http.Request) {
	s, _ := h.session(r)
	h.render(w, r, http.StatusOK, "signin_iam", s, view{Title: "Sign in as IAM user",
		Data: iamSigninData{Account: r.URL.Query().Get("account")}})
}

func (h *Handler) iamSignin(w http.ResponseWriter, r *http.Request, _ *session) {
	d := iamSigninData{Account: strings.TrimSpace(r.PostFormValue("account")), UserName: strings.TrimSpace(r.PostFormValue("username"))}
	p, err := h.signin.BeginUserSignIn(r.Context(), d.Account, d.UserName, r.PostFormValue("password"), client(r))
	if err != nil {
		h.signinFailed(w, r, "signin_iam", d, err)
		return
	}
	h.advance(w, r, p)
}

// iamForcedPasswordChange is the password change PasswordResetRequired imposes.
func (h *Handler) iamForcedPasswordChange(w http.ResponseWriter, r *http.Request, _ *session) {
	tok := pendingToken(r)
	p, err := h.signin.PendingAt(r.Context(), tok)
	if err != nil {
		h.signinFailed(w, r, "signin_iam", iamSigninData{}, err)
		return
	}
	data := iamSigninData{Account: p.Account, UserName: p.UserName}
	again := func(status int, msg string) {
		h.render(w, r, status, "signin_iam_password", nil, view{Title: "Change your password", Error: msg, Data: data})
	}
	oldPw, newPw := r.PostFormValue("old_password"), r.PostFormValue("new_password")
	if newPw != r.PostFormValue("confirm_password") {
		again(http.StatusBadRequest, "The new passwords do not match.")
		return
	}
	// The user needs iam:ChangePassword, granted by a policy or by the password policy's
	// AllowUsersToChangePassword, as for the API call; without it AWS's sign-in cannot finish either.
	change, err := h.guard.forcedPasswordChange(r, tok, p, h.now(), oldPw, newPw)
	if err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		again(http.StatusForbidden, msg)
		return
	}
	next, err := change.complete(r)
	if err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		again(http.StatusBadRequest, msg)
		return
	}
	h.advance(w, r, next)
}
