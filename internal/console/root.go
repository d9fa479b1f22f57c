package console

import "net/http"

// signinRoutes are the pages before a session: sign-in steps, first-run claim and recovery.
func (h *Handler) signinRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/signin", h.signinPage)
	m.HandleFunc("GET /console/signin/iam", h.iamSigninPage)
	m.HandleFunc("POST /console/signin/iam", h.post(h.iamSignin))
	m.HandleFunc("POST /console/signin/password-change", h.post(h.iamForcedPasswordChange))
	m.HandleFunc("POST /console/signin/root", h.post(h.rootEmail))
	m.HandleFunc("POST /console/signin/root/password", h.post(h.rootPassword))
	m.HandleFunc("POST /console/signin/mfa", h.post(h.mfaStep))
	m.HandleFunc("POST /console/signin/webauthn/options", h.post(h.webauthnSigninOptions))
	m.HandleFunc("POST /console/signin/webauthn", h.post(h.webauthnSignin))
	m.HandleFunc("GET /console/signin/continue", h.signinContinue)
	m.HandleFunc("POST /console/signin/skip-mfa", h.post(h.skipRegistration))
	h.rootApprovalRoutes(m)
	m.HandleFunc("GET /console/claim/{token}", h.claimPage)
	m.HandleFunc("POST /console/claim/{token}", h.post(h.claim))
	m.HandleFunc("GET /console/recover/password", h.passwordResetPage)
	m.HandleFunc("POST /console/recover/password", h.post(h.requestPasswordReset))
	m.HandleFunc("POST /console/recover/password/complete", h.post(h.completePasswordReset))
	m.HandleFunc("POST /console/recover/mfa/begin", h.post(h.beginMFARecovery))
	m.HandleFunc("GET /console/recover/mfa", h.mfaRecoveryPage)
	m.HandleFunc("GET /console/recover/mfa/email", h.verifyRecoveryEmail)
	m.HandleFunc("POST /console/recover/mfa/send", h.post(h.sendRecoveryCode))
	m.HandleFunc("POST /console/recover/mfa/phone", h.post(h.verifyRecoveryPhone))
	m.HandleFunc("GET /console/recover/mfa/cancel", h.cancelRecoveryPage)
	m.HandleFunc("POST /console/recover/mfa/cancel", h.post(h.cancelRecovery))
	m.HandleFunc("POST /console/recover/mfa/cancel-mine", h.postSignedIn(h.cancelMyRecovery))
	m.HandleFunc("GET /console/verify-email", h.verifyEmailPage)
	m.HandleFunc("POST /console/verify-email", h.post(h.verifyEmail))
}

// accountRoutes are the pages of a signed-in session. The MFA registration routes also serve the
// registration step of a sign-in, so they take a session when there is one rather than require it.
func (h *Handler) accountRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /console/signout", h.post(h.signout))
	m.HandleFunc("POST /console/signout/everywhere", h.post(h.signoutEverywhere))
	m.HandleFunc("GET /console/home", h.signedIn(h.home))
	m.HandleFunc("GET /console/security-credentials", h.signedIn(h.credentials))
	m.HandleFunc("POST /console/security-credentials/password", h.postSignedIn(h.changePassword))
	m.HandleFunc("POST /console/security-credentials/contacts", h.postSignedIn(h.saveContacts))
	m.HandleFunc("POST /console/access-keys/create", h.postSignedIn(h.createAccessKey))
	m.HandleFunc("GET /console/access-keys/created", h.signedIn(h.accessKeyCreated))
	m.HandleFunc("POST /console/access-keys/status", h.postSignedIn(h.updateAccessKey))
	m.HandleFunc("POST /console/access-keys/delete", h.postSignedIn(h.deleteAccessKey))
	m.HandleFunc("POST /console/certificates/upload", h.postSignedIn(h.uploadCertificate))
	m.HandleFunc("POST /console/certificates/delete", h.postSignedIn(h.deleteCertificate))
	m.HandleFunc("POST /console/mfa/totp", h.post(h.createTOTP))
	m.HandleFunc("GET /console/mfa/totp/setup", h.totpSetup)
	m.HandleFunc("POST /console/mfa/totp/enable", h.post(h.enableTOTP))
	m.HandleFunc("POST /console/mfa/hardware", h.post(h.enableHardware))
	m.HandleFunc("POST /console/mfa/webauthn/begin", h.post(h.webauthnBegin))
	m.HandleFunc("POST /console/mfa/webauthn/finish", h.post(h.webauthnFinish))
	m.HandleFunc("POST /console/mfa/remove", h.postSignedIn(h.removeDevice))
}

// postSignedIn is post for actions that need a session.
func (h *Handler) postSignedIn(fn func(w http.ResponseWriter, r *http.Request, s *session)) http.HandlerFunc {
	return h.post(func(w http.ResponseWriter, r *http.Request, s *session) {
		if s == nil {
			http.Redirect(w, r, "/console/signin?expired=1", http.StatusSeeOther)
			return
		}
		fn(w, r, s)
	})
}

// rootCredentialsPresent reports whether the account's root user has an access key or a signing
// certificate.
func (h *Handler) rootCredentialsPresent(r *http.Request, account string) (bool, error) {
	f, err := h.root.RootCredentials(r.Context(), account)
	if err != nil {
		return false, err
	}
	return f.Present(), nil
}
