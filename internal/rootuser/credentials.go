package rootuser

import (
	"context"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/trail"
)

// Root credentials and account details, changed by the signed-in root user.
//
// AWS recommends that the root user have no access keys ("Root user best practices for your AWS
// account": "Don't create access keys for the root user"), and Security Hub rates a root access key
// Critical (IAM.4). Rootward allows one only after a confirmation whose text names the risk, records
// the creation with severity HIGH, mails every security contact, and RootCredentialFlags lets the
// console flag it on every page until it is deleted. Signing certificates get the same treatment.

// The confirmations the console shows and the caller must send back word for word.
const (
	RootAccessKeyRisk          = "I understand that a root access key gives unrestricted access to the whole account, cannot be limited by any IAM policy, and should be deleted as soon as the task that needs it is done."
	RootSigningCertificateRisk = "I understand that a root signing certificate authenticates as the root user with unrestricted access to the whole account, and should be deleted as soon as the task that needs it is done."
)

// Severity is recorded in additionalEventData of root credential events.
const SeverityHigh = "HIGH"

var errNotRoot = awserr.New(awserr.AccessDenied, "Only the root user can do this.")

func requireRoot(p *Principal) error {
	if p == nil || !p.Root {
		return errNotRoot
	}
	return nil
}

// CreateRootAccessKey creates an access key for the root user. confirmation must be
// RootAccessKeyRisk. The secret is in the answer only. Returns AccessDenied (not the root user),
// InvalidInput (no confirmation), LimitExceeded.
func (s *Service) CreateRootAccessKey(ctx context.Context, p *Principal, confirmation string, c Client) (*iam.AccessKey, error) {
	if err := requireRoot(p); err != nil {
		return nil, err
	}
	if confirmation != RootAccessKeyRisk {
		return nil, awserr.New(awserr.InvalidInput, "Creating a root access key needs the explicit confirmation of its risk.")
	}
	var k *iam.AccessKey
	err := s.approved(ctx, p, ProtectedRootAccessKey, nil)
	if err == nil {
		k, err = s.iam.CreateRootAccessKey(ctx, p.Account)
	}
	extra := map[string]any{"Severity": SeverityHigh, "RootCredential": "AccessKey", "Confirmation": "accepted"}
	if err != nil {
		return nil, answer(err, s.apiEvent(principalIdentity(p), c, sourceIAM, "CreateAccessKey", nil, nil, extra, err))
	}
	// The record is durable before the answer; when it cannot be stored the contacts are still
	// alerted, and the caller gets the recorder's error instead of the new credential.
	rerr := s.apiEvent(principalIdentity(p), c, sourceIAM, "CreateAccessKey", nil, map[string]any{"accessKey": map[string]any{
		"accessKeyId": k.AccessKeyID, "status": k.Status, "createDate": k.CreateDate, "secretAccessKey": trail.Hidden,
	}}, extra, nil)
	if err := s.alertContacts(ctx, p.Account, PurposeRootCredential, "A root access key was created for account "+p.Account,
		"An access key for the root user of account "+p.Account+" was created ("+k.AccessKeyID+"). It has unrestricted access to the\n"+
			"account. If you did not expect this, sign in as the root user and delete it from the Security credentials page."); err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	return k, nil
}

// DeleteRootAccessKey deletes a root access key. Returns AccessDenied, NoSuchEntity.
func (s *Service) DeleteRootAccessKey(ctx context.Context, p *Principal, id string, c Client) error {
	if err := requireRoot(p); err != nil {
		return err
	}
	err := s.iam.DeleteAccessKey(ctx, p.Account, "", id)
	return answer(err, s.apiEvent(principalIdentity(p), c, sourceIAM, "DeleteAccessKey", map[string]any{"accessKeyId": id}, nil, nil, err))
}

// UploadRootSigningCertificate adds an X.509 signing certificate to the root user. confirmation
// must be RootSigningCertificateRisk. Returns AccessDenied, InvalidInput, MalformedCertificate,
// DuplicateCertificate, LimitExceeded.
func (s *Service) UploadRootSigningCertificate(ctx context.Context, p *Principal, body, confirmation string, c Client) (*iam.SigningCertificate, error) {
	if err := requireRoot(p); err != nil {
		return nil, err
	}
	if confirmation != RootSigningCertificateRisk {
		return nil, awserr.New(awserr.InvalidInput, "Uploading a root signing certificate needs the explicit confirmation of its risk.")
	}
	var cert *iam.SigningCertificate
	err := s.approved(ctx, p, ProtectedRootSigningCertificate, []byte(body))
	if err == nil {
		cert, err = s.iam.UploadSigningCertificate(ctx, p.Account, "", body)
	}
	extra := map[string]any{"Severity": SeverityHigh, "RootCredential": "SigningCertificate", "Confirmation": "accepted"}
	if err != nil {
		return nil, answer(err, s.apiEvent(principalIdentity(p), c, sourceIAM, "UploadSigningCertificate", nil, nil, extra, err))
	}
	// The record is durable before the answer; when it cannot be stored the contacts are still
	// alerted, and the caller gets the recorder's error instead of the new credential.
	rerr := s.apiEvent(principalIdentity(p), c, sourceIAM, "UploadSigningCertificate", nil,
		map[string]any{"certificate": map[string]any{"certificateId": cert.CertificateID, "status": cert.Status}}, extra, nil)
	if err := s.alertContacts(ctx, p.Account, PurposeRootCredential, "A root signing certificate was added to account "+p.Account,
		"A signing certificate ("+cert.CertificateID+") was added to the root user of account "+p.Account+". If you did not expect\n"+
			"this, sign in as the root user and delete it from the Security credentials page."); err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	return cert, nil
}

// DeleteRootSigningCertificate deletes a root signing certificate. Returns AccessDenied,
// NoSuchEntity.
func (s *Service) DeleteRootSigningCertificate(ctx context.Context, p *Principal, id string, c Client) error {
	if err := requireRoot(p); err != nil {
		return err
	}
	err := s.iam.DeleteSigningCertificate(ctx, p.Account, "", id)
	return answer(err, s.apiEvent(principalIdentity(p), c, sourceIAM, "DeleteSigningCertificate", map[string]any{"certificateId": id}, nil, nil, err))
}

// RootCredentialFlags lists the root user's long-term credentials besides its password, which the
// console flags on every page while any exists.
type RootCredentialFlags struct {
	AccessKeyIDs   []string
	CertificateIDs []string
}

// Present reports whether the root user has an access key or a signing certificate.
func (f *RootCredentialFlags) Present() bool { return len(f.AccessKeyIDs)+len(f.CertificateIDs) > 0 }

// RootCredentials returns the root user's access keys and signing certificates.
func (s *Service) RootCredentials(ctx context.Context, account string) (*RootCredentialFlags, error) {
	keys, err := s.iam.ListAccessKeys(ctx, account, "", iam.ListOpts{MaxItems: 100})
	if err != nil {
		return nil, err
	}
	certs, err := s.iam.ListSigningCertificates(ctx, account, "", iam.ListOpts{MaxItems: 100})
	if err != nil {
		return nil, err
	}
	f := &RootCredentialFlags{}
	for _, k := range keys.Items {
		f.AccessKeyIDs = append(f.AccessKeyIDs, k.AccessKeyID)
	}
	for _, c := range certs.Items {
		f.CertificateIDs = append(f.CertificateIDs, c.CertificateID)
	}
	return f, nil
}

func errMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := awserr.As(err); ok {
		return e.Message
	}
	return string(awserr.InternalFailure)
}

// alertContacts mails the root email and the security alternate contact.
func (s *Service) alertContacts(ctx context.Context, account, purpose, subject, body string) error {
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return err
	}
	st, err := s.loadState(ctx, account)
	if err != nil {
		return err
	}
	for _, ct := range s.contacts(st, a.Email) {
		if ct.channel != notify.Email {
			continue
		}
		if err := s.notify.Send(ctx, notify.Message{Channel: notify.Email, To: ct.to, Account: account, Purpose: purpose, Subject: subject, Body: body + "\n"}); err != nil {
			return err
		}
	}
	return nil
}

// ChangeRootPassword changes the root password of a signed-in root user after checking the current
// one. It ends the root user's other console sessions and returns p with the new epoch, so the
// calling session goes on. Returns AccessDenied (wrong current password), PasswordPolicyViolation,
// Throttling.
func (s *Service) ChangeRootPassword(ctx context.Context, p *Principal, oldPw, newPw string, c Client) (*Principal, error) {
	if err := requireRoot(p); err != nil {
		return nil, err
	}
	if err := s.reserve(ctx, s.scopes("password-change", p.Account, c)...); err != nil {
		return nil, err
	}
	a, err := s.iam.GetAccount(ctx, p.Account)
	if err != nil {
		return nil, err
	}
	hash := a.RootPasswordHash
	if hash == "" {
		hash = s.dummyHash()
	}
	if ok, _ := verifyPassword(oldPw, hash); !ok || a.RootPasswordHash == "" {
		const msg = "The current password is incorrect."
		return nil, answer(awserr.New(awserr.AccessDenied, msg), s.consoleEvent(principalIdentity(p), c, "PasswordUpdated", nil, msg))
	}
	if err := s.succeeded(ctx, "password-change", p.Account, c); err != nil {
		return nil, err
	}
	if err := s.iam.SetRootPassword(ctx, p.Account, newPw); err != nil {
		return nil, answer(err, s.consoleEvent(principalIdentity(p), c, "PasswordUpdated", nil, errMessage(err)))
	}
	epoch, err := s.EndAllSessions(ctx, p.Account, "")
	if err != nil {
		return nil, err
	}
	// The password has changed: when its record cannot be stored the root email is still told,
	// and the caller gets the recorder's error.
	rerr := s.consoleEvent(principalIdentity(p), c, "PasswordUpdated", nil, "")
	if err := s.notify.Send(ctx, notify.Message{
		Channel: notify.Email, To: a.Email, Account: a.ID, Purpose: PurposePasswordChanged,
		Subject: "The root password of account " + a.ID + " was changed",
		Body:    "The root user password of account " + a.ID + " (" + a.Name + ") was changed, and the root user's other console sessions\nwere ended. If this was not you, reset the password now.\n",
	}); err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	np := *p
	np.Epoch = epoch
	return &np, nil
}

// AccountDetails are an account's contact details as the root user's pages show them.
type AccountDetails struct {
	AccountID       string
	AccountName     string
	Alias           string
	Email           string
	Phone           string
	SecurityContact *Contact
	// Contact is the whole primary contact information (its PhoneNumber is Phone); nil when none
	// was set. Billing and Operations are the other alternate contacts.
	Contact             *ContactInformation
	Billing, Operations *Contact
}

// AccountDetails returns an account's details. Returns NoSuchEntity.
func (s *Service) AccountDetails(ctx context.Context, account string) (*AccountDetails, error) {
	a, err := s.iam.GetAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	st, err := s.loadState(ctx, account)
	if err != nil {
		return nil, err
	}
	return &AccountDetails{AccountID: a.ID, AccountName: a.Name, Alias: a.Alias, Email: a.Email, Phone: st.Phone,
		SecurityContact: st.SecurityContact.contact(), Contact: st.contactInformation(),
		Billing: st.BillingContact.contact(), Operations: st.OperationsContact.contact()}, nil
}

// SetAccountName renames the account. Returns AccessDenied, InvalidInput.
func (s *Service) SetAccountName(ctx context.Context, p *Principal, name string, c Client) error {
	if err := requireRoot(p); err != nil {
		return err
	}
	err := s.iam.SetAccountName(ctx, p.Account, name)
	return answer(err, s.apiEvent(principalIdentity(p), c, sourceAccount, "PutAccountName", map[string]any{"accountName": name}, nil, nil, err))
}

// SetRootEmail changes the root email after the current password is confirmed; the old and the new
// address are both told. Returns AccessDenied, InvalidInput, EntityAlreadyExists, Throttling.
func (s *Service) SetRootEmail(ctx context.Context, p *Principal, email, currentPw string, c Client) error {
	if err := requireRoot(p); err != nil {
		return err
	}
	if err := s.reserve(ctx, s.scopes("password-change", p.Account, c)...); err != nil {
		return err
	}
	a, err := s.iam.GetAccount(ctx, p.Account)
	if err != nil {
		return err
	}
	if ok, _ := password.Verify(currentPw, a.RootPasswordHash); !ok {
		err := awserr.New(awserr.AccessDenied, "The current password is incorrect.")
		return answer(err, s.apiEvent(principalIdentity(p), c, sourceAccount, "UpdateRootEmail", nil, nil, nil, err))
	}
	if err := s.succeeded(ctx, "password-change", p.Account, c); err != nil {
		return err
	}
	err = s.iam.SetRootEmail(ctx, p.Account, email)
	rerr := s.apiEvent(principalIdentity(p), c, sourceAccount, "UpdateRootEmail", nil, nil, nil, err)
	if err != nil {
		return answer(err, rerr)
	}
	// The email has changed: both addresses are told even when the record cannot be stored.
	if err := s.notifyRootEmailChanged(ctx, a, strings.TrimSpace(email)); err != nil {
		return err
	}
	return rerr
}

// SetPhone sets the account's contact phone number (E.164, "+15555550100"), where lost-MFA
// recovery codes go; "" removes it. Returns AccessDenied, InvalidInput.
func (s *Service) SetPhone(ctx context.Context, p *Principal, phone string, c Client) error {
	if err := requireRoot(p); err != nil {
		return err
	}
	phone = NormalizePhone(phone)
	if phone != "" {
		if err := CheckPhone(phone); err != nil {
			return err
		}
	}
	err := s.setPhone(ctx, p.Account, phone)
	return answer(err, s.apiEvent(principalIdentity(p), c, sourceAccount, "PutContactInformation", map[string]any{"phoneNumber": phone}, nil, nil, err))
}

// CheckPhone checks a contact phone number: E.164, as the SMS and voice channels take it. Returns
// InvalidInput.
func CheckPhone(phone string) error {
	if !notify.ValidPhone(phone) {
		return awserr.New(awserr.InvalidInput, errPhoneFormat)
	}
	return nil
}

// errPhoneFormat is Rootward's: AWS documents no message for a malformed contact phone number.
const errPhoneFormat = "The phone number must be in international format, such as +15555550100."

// NormalizePhone drops the spaces, parentheses and hyphens people type between the digits of an
// international number ("+1 (555) 555-0100"), which AWS's contact information accepts (pattern
// [+][\s0-9()-]+, AWS Account Management API reference, ContactInformation), leaving the E.164
// form the SMS and voice channels take. Anything else is left for CheckPhone to refuse.
func NormalizePhone(phone string) string {
	phone = strings.TrimSpace(phone)
	if !strings.HasPrefix(phone, "+") {
		return phone
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '(', ')', '-':
			return -1
		}
		return r
	}, phone)
}

// SetPhoneAtClaim sets the contact phone number while the root user is claimed (the console's
// first-run claim link, which has no signed-in principal to call SetPhone with), so that lost-MFA
// recovery has a phone from the start. The claim checks every field, this one with CheckPhone,
// before it changes anything. Returns InvalidInput.
func (s *Service) SetPhoneAtClaim(ctx context.Context, account, phone string) error {
	phone = NormalizePhone(phone)
	if err := CheckPhone(phone); err != nil {
		return err
	}
	return s.setPhone(ctx, account, phone)
}

// RecordClaim records the claim of an account's root user through the console's first-run setup
// link, which set its email, password and contact phone, as the PasswordUpdated record its first
// password amounts to. It returns once the record is durable, or the recorder's error, which the
// claim answers.
func (s *Service) RecordClaim(account string, c Client) error {
	return s.consoleEvent(rootIdentity(account), c, "PasswordUpdated", nil, "")
}

func (s *Service) setPhone(ctx context.Context, account, phone string) error {
	return s.updateState(ctx, account, func(st *rootState) error {
		st.Phone = phone
		return nil
	})
}

// SetSecurityContact sets the security alternate contact; nil removes it. Returns AccessDenied,
// InvalidInput.
func (s *Service) SetSecurityContact(ctx context.Context, p *Principal, sc *Contact, c Client) error {
	if err := requireRoot(p); err != nil {
		return err
	}
	if sc != nil {
		if err := checkContact(sc); err != nil {
			return awserr.New(awserr.InvalidInput, "The security contact needs a name (up to 64 characters) and an email address.")
		}
		// The console's contact is texted recovery notices: its phone must be one SMS takes.
		if sc.PhoneNumber != "" {
			if err := CheckPhone(sc.PhoneNumber); err != nil {
				return err
			}
		}
	}
	err := s.updateState(ctx, p.Account, func(st *rootState) error {
		st.SecurityContact = newContactRecord(sc)
		return nil
	})
	name := "PutAlternateContact"
	if sc == nil {
		name = "DeleteAlternateContact"
	}
	return answer(err, s.apiEvent(principalIdentity(p), c, sourceAccount, name, map[string]any{"alternateContactType": "SECURITY"}, nil, nil, err))
}
