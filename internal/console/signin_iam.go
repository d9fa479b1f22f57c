package console

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/server"
)

// IAM-user sign-in: account (ID or alias), user name and password; then a code from one of the
// user's MFA devices if it has any; then, when PasswordResetRequired is set, a new password — the
// order of AWS's own sign-in page, which asks for MFA before the password change.

// msgBadSignin is the one answer to a wrong account, user or password, as AWS gives it ("Your
// authentication information is incorrect. Please try again."), so the page tells nothing about
// which part was wrong.
const msgBadSignin = "Your authentication information is incorrect. Please try again."

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

type iamSigninData struct {
	Account  string
	UserName string
	Devices  []string // MFA step: the user's device serial numbers
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

// resolveAccount finds an account by its 12-digit ID or its alias.
func (h *Handler) resolveAccount(r *http.Request, idOrAlias string) (*iam.Account, error) {
	idOrAlias = strings.TrimSpace(idOrAlias)
	if accountIDPattern.MatchString(idOrAlias) {
		return h.iam.GetAccount(r.Context(), idOrAlias)
	}
	return h.iam.AccountByAlias(r.Context(), strings.ToLower(idOrAlias))
}

func (h *Handler) iamSignin(w http.ResponseWriter, r *http.Request, _ *session) {
	in := iamSigninData{Account: r.PostFormValue("account"), UserName: strings.TrimSpace(r.PostFormValue("username"))}
	fail := func(msg string) {
		h.recordUserSignIn(r, in.Account, in.UserName, false, false, "")
		h.render(w, r, http.StatusUnauthorized, "signin_iam", nil, view{Title: "Sign in as IAM user", Error: msg, Data: in})
	}
	acct, err := h.resolveAccount(r, in.Account)
	if err != nil && !awserr.IsCode(err, awserr.NoSuchEntity) {
		h.internalError(w, r, err)
		return
	}
	var lp *iam.LoginProfile
	if acct != nil {
		in.Account = acct.ID
		lp, err = h.iam.VerifyUserPassword(r.Context(), acct.ID, in.UserName, r.PostFormValue("password"))
		if err != nil && !awserr.IsCode(err, awserr.AccessDenied) {
			h.internalError(w, r, err)
			return
		}
	}
	if lp == nil {
		fail(msgBadSignin)
		return
	}
	in.UserName = lp.UserName
	devices, err := h.userDevices(r, acct.ID, lp.UserName)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	p := &pending{Account: acct.ID, UserName: lp.UserName, MFADone: len(devices) == 0, PasswordChange: lp.PasswordResetRequired}
	if p.MFADone && !p.PasswordChange {
		h.finishUserSignin(w, r, p)
		return
	}
	if err := h.savePending(w, r, p); err != nil {
		h.internalError(w, r, err)
		return
	}
	if !p.MFADone {
		in.Devices = devices
		h.render(w, r, http.StatusOK, "signin_iam_mfa", nil, view{Title: "Multi-factor authentication", Data: in})
		return
	}
	h.render(w, r, http.StatusOK, "signin_iam_password", nil, view{Title: "Change your password", Data: in})
}

func (h *Handler) userDevices(r *http.Request, account, user string) ([]string, error) {
	page, err := h.iam.ListMFADevices(r.Context(), account, user, iam.ListOpts{MaxItems: 8})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range page.Items {
		out = append(out, d.SerialNumber)
	}
	return out, nil
}

// iamSigninMFA checks a code from one of the user's devices.
func (h *Handler) iamSigninMFA(w http.ResponseWriter, r *http.Request, _ *session) {
	serial, code := r.PostFormValue("device"), strings.TrimSpace(r.PostFormValue("code"))
	now := h.now()
	// An attempt is counted before the code is checked, in its own transaction, so parallel
	// guesses cannot exceed pendingAttempts; the check itself is iam's replay-safe one.
	p, err := h.updatePending(r, func(p *pending) error {
		if !p.MFADone {
			p.Attempts++
		}
		return nil
	})
	if errors.Is(err, errNoPending) {
		h.render(w, r, http.StatusUnauthorized, "signin_iam", nil, view{Title: "Sign in as IAM user", Error: "Your sign-in took too long or had too many wrong codes. Start again.", Data: iamSigninData{}})
		return
	}
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if !p.MFADone {
		err = h.iam.VerifyMFACode(r.Context(), p.Account, p.UserName, serial, code, now)
		if err == nil {
			p, err = h.updatePending(r, func(p *pending) error {
				p.MFADone, p.MFAUsed, p.MFATime = true, true, now.UTC()
				return nil
			})
		}
	}
	if err != nil {
		if _, ok := awserr.As(err); !ok {
			h.internalError(w, r, err)
			return
		}
		h.recordUserSignIn(r, p.Account, p.UserName, false, true, serial)
		devices, derr := h.userDevices(r, p.Account, p.UserName)
		if derr != nil {
			h.internalError(w, r, derr)
			return
		}
		h.render(w, r, http.StatusUnauthorized, "signin_iam_mfa", nil, view{Title: "Multi-factor authentication",
			Error: "The code is not valid for this device. Wait for the next code and try again.",
			Data:  iamSigninData{Account: p.Account, UserName: p.UserName, Devices: devices}})
		return
	}
	if p.PasswordChange {
		h.render(w, r, http.StatusOK, "signin_iam_password", nil, view{Title: "Change your password",
			Data: iamSigninData{Account: p.Account, UserName: p.UserName}})
		return
	}
	h.finishUserSignin(w, r, p)
}

// iamForcedPasswordChange is the password change PasswordResetRequired imposes. It runs
// iam:ChangePassword as the user, through the API's authorization: the user needs the permission
// (IAMUserChangePassword, or the password policy's AllowUsersToChangePassword), as in AWS.
func (h *Handler) iamForcedPasswordChange(w http.ResponseWriter, r *http.Request, _ *session) {
	oldPw, newPw := r.PostFormValue("old_password"), r.PostFormValue("new_password")
	var p pending
	_, err := h.updatePending(r, func(pp *pending) error {
		p = *pp
		return nil
	})
	if errors.Is(err, errNoPending) || err == nil && (!p.MFADone || !p.PasswordChange) {
		h.render(w, r, http.StatusUnauthorized, "signin_iam", nil, view{Title: "Sign in as IAM user", Error: "Your sign-in took too long. Start again.", Data: iamSigninData{}})
		return
	}
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	data := iamSigninData{Account: p.Account, UserName: p.UserName}
	if newPw != r.PostFormValue("confirm_password") {
		h.render(w, r, http.StatusBadRequest, "signin_iam_password", nil, view{Title: "Change your password", Error: "The new passwords do not match.", Data: data})
		return
	}
	// The session does not exist yet: the principal is the user, signed in up to this step.
	principal := server.Principal{Account: p.Account, UserName: p.UserName, IssuedAt: h.now(), MFA: p.MFAUsed, MFATime: p.MFATime}
	_, err = h.api.Invoke(r, principal, "iam", "ChangePassword", awsproto.Params{"OldPassword": oldPw, "NewPassword": newPw})
	if err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		h.render(w, r, http.StatusBadRequest, "signin_iam_password", nil, view{Title: "Change your password", Error: msg, Data: data})
		return
	}
	p.PasswordChange = false
	h.finishUserSignin(w, r, &p)
}

// finishUserSignin turns a completed sign-in into a session.
func (h *Handler) finishUserSignin(w http.ResponseWriter, r *http.Request, p *pending) {
	h.endPending(r.Context(), w, r)
	s := &session{Account: p.Account, UserName: p.UserName, MFA: p.MFAUsed, MFATime: p.MFATime}
	if err := h.startSession(w, r, s); err != nil {
		h.internalError(w, r, err)
		return
	}
	h.recordUserSignIn(r, p.Account, p.UserName, true, p.MFAUsed, "")
	http.Redirect(w, r, "/console/home", http.StatusSeeOther)
}
