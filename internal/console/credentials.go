package console

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store"
)

// The "Security credentials" page: password, MFA devices, access keys and signing certificates
// (and, for the root user, the contact details recovery relies on), each with the matching advice
// from AWS's root-user and IAM best practices beside it. Reads and plain changes are the IAM API
// operations invoked as the signed-in principal; the root user's password, access key and
// certificate go through the rootuser service (which demands the explicit confirmation of the
// risk) by way of guarded, after the same authorization check.

type accessKey struct {
	AccessKeyID string
	Status      string
	CreateDate  time.Time
}

type signingCert struct {
	CertificateID string
	Status        string
	UploadDate    time.Time
}

type credentialsData struct {
	Root     bool
	Details  *rootuser.AccountDetails
	Devices  []rootuser.Device
	Keys     []accessKey
	KeysErr  string
	Certs    []signingCert
	CertsErr string
	// KeyRisk and CertRisk are the confirmations, shown word for word beside a checkbox.
	KeyRisk, CertRisk string
	MaxDevices        bool
}

// self is the UserName member naming the signed-in principal: "" for the root user (the
// credential operations act on the caller then), the user's name for an IAM user.
func self(s *session) string {
	if s.Root() {
		return ""
	}
	return s.UserName
}

// accessKeys lists the signed-in principal's access keys (ListAccessKeys).
func (h *Handler) accessKeys(r *http.Request, s *session) ([]accessKey, error) {
	out, err := api.Invoke(h.run, r, s.principal(), iamapi.ListAccessKeys, &iamapi.ListAccessKeysInput{UserName: self(s)})
	if err != nil {
		return nil, err
	}
	keys := make([]accessKey, len(out.AccessKeyMetadata))
	for i, k := range out.AccessKeyMetadata {
		keys[i] = accessKey{AccessKeyID: k.AccessKeyID, Status: k.Status, CreateDate: time.Time(k.CreateDate)}
	}
	return keys, nil
}

// signingCerts lists the signed-in principal's signing certificates (ListSigningCertificates).
func (h *Handler) signingCerts(r *http.Request, s *session) ([]signingCert, error) {
	out, err := api.Invoke(h.run, r, s.principal(), iamapi.ListSigningCertificates, &iamapi.ListSigningCertificatesInput{UserName: self(s)})
	if err != nil {
		return nil, err
	}
	certs := make([]signingCert, len(out.Certificates))
	for i, c := range out.Certificates {
		certs[i] = signingCert{CertificateID: c.CertificateID, Status: c.Status, UploadDate: time.Time(c.UploadDate)}
	}
	return certs, nil
}

func (h *Handler) credentials(w http.ResponseWriter, r *http.Request, s *session) {
	h.credentialsPage(w, r, s, http.StatusOK, "", noticeText(r.URL.Query().Get("done")))
}

func (h *Handler) credentialsPage(w http.ResponseWriter, r *http.Request, s *session, status int, errMsg, notice string) {
	ctx := r.Context()
	d := credentialsData{Root: s.Root(), KeyRisk: rootuser.RootAccessKeyRisk, CertRisk: rootuser.RootSigningCertificateRisk}
	var err error
	if s.Root() {
		if d.Details, err = h.root.AccountDetails(ctx, s.Account); err != nil {
			h.internalError(w, r, err)
			return
		}
	}
	if d.Devices, err = h.root.Devices(ctx, s.Account, s.UserName); err != nil {
		h.internalError(w, r, err)
		return
	}
	d.MaxDevices = len(d.Devices) >= 8
	if d.Keys, err = h.accessKeys(r, s); err != nil {
		if d.KeysErr, _ = userMessage(err); d.KeysErr == "" {
			h.internalError(w, r, err)
			return
		}
	}
	if d.Certs, err = h.signingCerts(r, s); err != nil {
		if d.CertsErr, _ = userMessage(err); d.CertsErr == "" {
			h.internalError(w, r, err)
			return
		}
	}
	h.render(w, r, status, "credentials", s, view{Title: "Security credentials", Error: errMsg, Notice: notice, Data: d})
}

// changePassword changes the signed-in principal's password. The root user's change ends its other
// sessions (rootuser raises the epoch); this session carries on at the new epoch.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, s *session) {
	oldPw, newPw := r.PostFormValue("old_password"), r.PostFormValue("new_password")
	if newPw != r.PostFormValue("confirm_password") {
		h.credentialsPage(w, r, s, http.StatusBadRequest, "The new passwords do not match.", "")
		return
	}
	if s.Root() {
		// The root user's password is not IAM's (ChangePassword refuses the root user): the
		// rootuser service changes it, once the same authorization allows it.
		p, err := h.guard.changeRootPassword(r, s, oldPw, newPw)
		if err != nil {
			h.pageError(w, r, s, err)
			return
		}
		if err := h.setSessionEpoch(r.Context(), s, p.Epoch); err != nil {
			h.internalError(w, r, err)
			return
		}
	} else {
		in := &iamapi.ChangePasswordInput{OldPassword: oldPw, NewPassword: newPw}
		if _, err := api.Invoke(h.run, r, s.principal(), iamapi.ChangePassword, in); err != nil {
			h.pageError(w, r, s, err)
			return
		}
		// IAM's ChangePassword does not end other sessions; Rootward does, as for the root user.
		ep, err := h.root.EndAllSessions(r.Context(), s.Account, s.UserName)
		if err == nil {
			err = h.setSessionEpoch(r.Context(), s, ep)
		}
		if err != nil {
			h.internalError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/console/security-credentials?done="+noticeKey("Password changed. Your other sessions were signed out."), http.StatusSeeOther)
}

// setSessionEpoch moves this session to a new epoch, so that ending the others spares it.
func (h *Handler) setSessionEpoch(ctx context.Context, s *session, epoch int64) error {
	s.Epoch = epoch
	return h.st.Update(ctx, func(tx store.Tx) error { return putSession(tx, s) })
}

// pageError shows an error on the credentials page: an AWS error's message, nothing otherwise.
func (h *Handler) pageError(w http.ResponseWriter, r *http.Request, s *session, err error) {
	msg, ok := userMessage(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	h.credentialsPage(w, r, s, http.StatusBadRequest, msg, "")
}

type newKeyData struct {
	AccessKeyID string
	Secret      string
	Root        bool
	Created     time.Time
}

// createAccessKey creates an access key for the signed-in principal and redirects to the page that
// shows its secret once.
func (h *Handler) createAccessKey(w http.ResponseWriter, r *http.Request, s *session) {
	if h.onceRefused(w, r, "/console/security-credentials", h.spendForm(r.Context(), r)) {
		return
	}
	var created newKeyData
	if s.Root() {
		// The checkbox's value is the risk statement itself; rootuser refuses anything else.
		k, err := h.guard.createRootAccessKey(r, s, r.PostFormValue("confirm"))
		if err != nil {
			h.pageError(w, r, s, err)
			return
		}
		created = newKeyData{AccessKeyID: k.AccessKeyID, Secret: k.Secret, Root: true, Created: k.CreateDate}
	} else {
		out, err := api.Invoke(h.run, r, s.principal(), iamapi.CreateAccessKey, &iamapi.AccessKeyUserInput{UserName: s.UserName})
		if err != nil {
			h.pageError(w, r, s, err)
			return
		}
		k := out.AccessKey
		created = newKeyData{AccessKeyID: k.AccessKeyID, Secret: k.SecretAccessKey, Created: time.Time(k.CreateDate)}
	}
	next, err := h.stashSecret(r.Context(), r, s, created.AccessKeyID, created.Secret, created.Root, created.Created)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

const noticeSecretGone = "The secret access key was shown once and cannot be shown again. If it was not saved, deactivate and delete the key, then create another."

// accessKeyCreated shows a new key's secret, once: the record is gone after this answer.
func (h *Handler) accessKeyCreated(w http.ResponseWriter, r *http.Request, s *session) {
	k, err := h.takeSecret(r.Context(), r, s, r.URL.Query().Get("r"))
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if k == nil {
		http.Redirect(w, r, "/console/security-credentials?done="+noticeKey(noticeSecretGone), http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "access_key_created", s, view{Title: "Access key created", Data: *k})
}

func (h *Handler) updateAccessKey(w http.ResponseWriter, r *http.Request, s *session) {
	status, id := r.PostFormValue("status"), r.PostFormValue("id")
	// Without UserName the API acts on the caller's own keys, the root's included.
	_, err := api.Invoke(h.run, r, s.principal(), iamapi.UpdateAccessKey, &iamapi.UpdateAccessKeyInput{UserName: self(s), AccessKeyID: id, Status: status})
	if err != nil {
		h.pageError(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/security-credentials?done="+noticeKey("Access key updated."), http.StatusSeeOther)
}

// deleteAccessKey deletes a key that was deactivated first, once its ID is typed again, as AWS's
// console asks.
func (h *Handler) deleteAccessKey(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PostFormValue("id")
	if strings.TrimSpace(r.PostFormValue("confirm_id")) != id {
		h.credentialsPage(w, r, s, http.StatusBadRequest, "To delete access key "+id+", type its ID in the box beside Delete.", "")
		return
	}
	keys, err := h.accessKeys(r, s)
	if err != nil {
		h.pageError(w, r, s, err)
		return
	}
	for _, k := range keys {
		if k.AccessKeyID == id && k.Status == "Active" {
			h.credentialsPage(w, r, s, http.StatusBadRequest, "Deactivate access key "+id+" before deleting it: whatever still uses it fails visibly while you can still turn it back on.", "")
			return
		}
	}
	if h.onceRefused(w, r, "/console/security-credentials", h.spendForm(r.Context(), r)) {
		return
	}
	if _, err := api.Invoke(h.run, r, s.principal(), iamapi.DeleteAccessKey, &iamapi.AccessKeyInput{UserName: self(s), AccessKeyID: id}); err != nil {
		h.pageError(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/security-credentials?done="+noticeKey("Access key deleted."), http.StatusSeeOther)
}

// uploadCertificate adds a root signing certificate after the explicit confirmation. IAM users
// have no certificate page here: their administrators use the API.
func (h *Handler) uploadCertificate(w http.ResponseWriter, r *http.Request, s *session) {
	if !s.Root() {
		h.renderError(w, r, http.StatusForbidden, "Only the root user manages its signing certificates here.")
		return
	}
	body := strings.TrimSpace(r.PostFormValue("certificate"))
	up, err := h.guard.uploadRootCertificate(r, s, body)
	if err != nil {
		h.pageError(w, r, s, err)
		return
	}
	if h.onceRefused(w, r, "/console/security-credentials", h.spendForm(r.Context(), r)) {
		return
	}
	if _, err := up.upload(r, r.PostFormValue("confirm")); err != nil {
		h.pageError(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/security-credentials?done="+noticeKey("Signing certificate uploaded."), http.StatusSeeOther)
}

func (h *Handler) deleteCertificate(w http.ResponseWriter, r *http.Request, s *session) {
	if h.onceRefused(w, r, "/console/security-credentials", h.spendForm(r.Context(), r)) {
		return
	}
	in := &iamapi.DeleteSigningCertificateInput{UserName: self(s), CertificateID: r.PostFormValue("id")}
	if _, err := api.Invoke(h.run, r, s.principal(), iamapi.DeleteSigningCertificate, in); err != nil {
		h.pageError(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/security-credentials?done="+noticeKey("Signing certificate deleted."), http.StatusSeeOther)
}

// saveContacts sets the root user's phone number and security alternate contact, which lost-MFA
// recovery uses.
func (h *Handler) saveContacts(w http.ResponseWriter, r *http.Request, s *session) {
	if !s.Root() {
		h.renderError(w, r, http.StatusForbidden, "Only the root user sets the account's contacts.")
		return
	}
	p, c := s.rootPrincipal(), client(r)
	if err := h.root.SetPhone(r.Context(), p, strings.TrimSpace(r.PostFormValue("phone")), c); err != nil {
		h.pageError(w, r, s, err)
		return
	}
	var sc *rootuser.Contact
	if email := strings.TrimSpace(r.PostFormValue("contact_email")); email != "" {
		sc = &rootuser.Contact{Name: strings.TrimSpace(r.PostFormValue("contact_name")), EmailAddress: email, PhoneNumber: strings.TrimSpace(r.PostFormValue("contact_phone"))}
	}
	if err := h.root.SetSecurityContact(r.Context(), p, sc, c); err != nil {
		h.pageError(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/security-credentials?done="+noticeKey("Contact details saved."), http.StatusSeeOther)
}
