package console

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/notify"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/signin"
)

// The authorized actions a page performs through the rootuser and signin services rather than by
// invoking an API operation (the root user's password, access key and signing certificate, whose
// API operations refuse or do not serve the root user's console flow; MFA registration and
// removal, which the browser ceremonies need; an IAM user's forced password change at sign-in)
// are reachable only through guarded: each of its methods first decides, with api.Allowed, the
// IAM operation the action stands for, exactly as the AWS CLI call would be decided (identity
// policies, permissions boundaries, SCPs, the password policy's grant), and only then acts.
//
// The Handler holds the services themselves only through the narrow interfaces below, which
// leave those actions out, so a page that forgets the check does not compile rather than acting
// unauthorized. What the interfaces keep is not an authorized action of a signed-in principal:
//   - rootFlows: sign-in's and recovery's token-bearing steps (the token is the authority), reads
//     of the signed-in principal's own devices and contact details, ending sessions, and the root
//     user's own contact details (root-only, checked by the page; they stand for no IAM action);
//   - signinFlows: the sign-in state machine, whose pending-sign-in token is the authority;
//   - iamFacts: the first-run claim (before any principal exists; the claim token is the
//     authority), and sealing the secrets a page shows once;
//   - orgFacts: whether the account administers an organization (which links the layout shows),
//     and the root credential inventory, read only after rootInventory's api.Allowed checks of
//     organizations:ListAccounts and iam:ListOrganizationsFeatures (reads, like the pages that
//     invoke List operations).

// rootFlows is what pages call on the rootuser service directly.
type rootFlows interface {
	AccountDetails(ctx context.Context, account string) (*rootuser.AccountDetails, error)
	Devices(ctx context.Context, account, user string) ([]rootuser.Device, error)
	RootCredentials(ctx context.Context, account string) (*rootuser.RootCredentialFlags, error)
	PendingMFARecovery(ctx context.Context, account string) (*rootuser.PendingRecovery, error)
	SessionEpoch(ctx context.Context, account, user string) (int64, error)
	EndAllSessions(ctx context.Context, account, user string) (int64, error)
	SetPhone(ctx context.Context, p *rootuser.Principal, phone string, c rootuser.Client) error
	SetSecurityContact(ctx context.Context, p *rootuser.Principal, sc *rootuser.Contact, c rootuser.Client) error
	SetPhoneAtClaim(ctx context.Context, account, phone string) error
	RecordClaim(account string, c rootuser.Client) error
	CheckRootEmailChange(ctx context.Context, token string) (*rootuser.EmailChange, error)
	ConfirmRootEmailChange(ctx context.Context, token string, c rootuser.Client) (*rootuser.EmailChange, error)
	RequestPasswordReset(ctx context.Context, email string, c rootuser.Client) error
	CheckPasswordReset(ctx context.Context, token string) (*rootuser.ResetInfo, error)
	CompletePasswordReset(ctx context.Context, token, newPw string, c rootuser.Client) error
	MFARecoveryStatus(ctx context.Context, token string) (*rootuser.MFARecovery, error)
	SendMFARecoveryCode(ctx context.Context, token string, channel notify.Channel, c rootuser.Client) error
	VerifyMFARecoveryEmail(ctx context.Context, emailToken string, c rootuser.Client) (*rootuser.MFARecovery, error)
	VerifyMFARecoveryPhone(ctx context.Context, token, code string, c rootuser.Client) (*rootuser.MFARecovery, error)
	CancelMFARecovery(ctx context.Context, cancelToken string, c rootuser.Client) error
	CancelMFARecoveryAsRoot(ctx context.Context, p *rootuser.Principal, c rootuser.Client) error
	Transport(ch notify.Channel) string
}

// signinFlows is what pages call on the signin service directly: everything but the forced
// password change, which guarded.forcedPasswordChange authorizes.
type signinFlows interface {
	BeginRootSignIn(ctx context.Context, email, pw string, c signin.Client) (*signin.Pending, error)
	BeginUserSignIn(ctx context.Context, account, userName, pw string, c signin.Client) (*signin.Pending, error)
	BeginWebAuthnMFA(ctx context.Context, token string) (*protocol.CredentialAssertion, error)
	CompleteMFA(ctx context.Context, token string, r signin.MFAResponse, c signin.Client) (*signin.Pending, error)
	CompleteMFARegistration(ctx context.Context, token string, c signin.Client) (*signin.Pending, error)
	SkipMFARegistration(ctx context.Context, token string, c signin.Client) (*signin.Pending, error)
	BeginMFARecovery(ctx context.Context, token string, c signin.Client) (*rootuser.MFARecovery, error)
	PendingAt(ctx context.Context, token string) (*signin.Pending, error)
	PendingSubject(ctx context.Context, token string) (account, user string, err error)
	// The root sign-in's approval, break-glass and custody steps (rootapproval.go).
	ContinueApproval(ctx context.Context, token string, c signin.Client) (*signin.Pending, error)
	StartBreakGlass(ctx context.Context, token, reason string, c signin.Client) (*signin.BreakGlass, error)
	BreakGlassState(ctx context.Context, token, claim string) (*signin.BreakGlass, error)
	UseBreakGlass(ctx context.Context, token, claim string, c signin.Client) (*signin.Pending, error)
	BeginRootCustodySignIn(ctx context.Context, token string, c signin.Client) (*signin.Pending, error)
}

// iamFacts is what pages call on the IAM service directly.
type iamFacts interface {
	GetAccount(ctx context.Context, id string) (*iam.Account, error)
	SetRootEmail(ctx context.Context, account, email string) error
	SetAccountName(ctx context.Context, account, name string) error
	SetRootPassword(ctx context.Context, accountID, pw string) error
	Seal(plaintext []byte, ad string) []byte
	Unseal(sealed []byte, ad string) ([]byte, error)
}

// orgFacts is what pages call on the Organizations service directly.
type orgFacts interface {
	OrganizationOf(ctx context.Context, account string) (*orgs.Organization, error)
	RootInventory(ctx context.Context, caller string) (*orgs.RootInventory, error)
}

// guarded performs the authorized actions above, each after its authorization.
type guarded struct {
	run    *api.Runner
	root   *rootuser.Service
	signin *signin.Service
}

// changeRootPassword changes the root user's password once iam:ChangePassword allows it (the root
// user's password is not IAM's: ChangePassword refuses the root user).
func (g *guarded) changeRootPassword(r *http.Request, s *session, oldPw, newPw string) (*rootuser.Principal, error) {
	if err := api.Allowed(g.run, r, s.principal(), iamapi.ChangePassword, &iamapi.ChangePasswordInput{OldPassword: oldPw, NewPassword: newPw}); err != nil {
		return nil, err
	}
	return g.root.ChangeRootPassword(r.Context(), s.rootPrincipal(), oldPw, newPw, client(r))
}

// createRootAccessKey creates a root access key once iam:CreateAccessKey allows it; confirm is the
// risk statement the form's checkbox sends back, which rootuser demands word for word.
func (g *guarded) createRootAccessKey(r *http.Request, s *session, confirm string) (*iam.AccessKey, error) {
	if err := api.Allowed(g.run, r, s.principal(), iamapi.CreateAccessKey, &iamapi.AccessKeyUserInput{}); err != nil {
		return nil, err
	}
	return g.root.CreateRootAccessKey(r.Context(), s.rootPrincipal(), confirm, client(r))
}

// certUpload is a root signing certificate upload that iam:UploadSigningCertificate allowed.
type certUpload struct {
	g    *guarded
	s    *session
	body string
}

// uploadRootCertificate authorizes uploading body as a root signing certificate (and validates it,
// as the API call would); the page spends its one-time form token before the upload itself.
func (g *guarded) uploadRootCertificate(r *http.Request, s *session, body string) (*certUpload, error) {
	if err := api.Allowed(g.run, r, s.principal(), iamapi.UploadSigningCertificate, &iamapi.UploadSigningCertificateInput{CertificateBody: body}); err != nil {
		return nil, err
	}
	return &certUpload{g: g, s: s, body: body}, nil
}

func (u *certUpload) upload(r *http.Request, confirm string) (*iam.SigningCertificate, error) {
	return u.g.root.UploadRootSigningCertificate(r.Context(), u.s.rootPrincipal(), u.body, confirm, client(r))
}

// mfaSubject is the principal whose MFA devices a request manages, as authorized: a signed-in
// session's principal that the matching IAM operation allowed, or the pending sign-in's at its
// MFA registration step (the root user's 35-day window, or after a lost-MFA recovery), whose
// token is the authority. Only guarded makes one, so its methods are the only way to the
// rootuser service's device changes.
type mfaSubject struct {
	root          *rootuser.Service
	account, user string
}

// enableMFA resolves the principal who registers a device; a session needs iam:EnableMFADevice.
func (g *guarded) enableMFA(r *http.Request, s *session) (*mfaSubject, error) {
	return g.mfaSubject(r, s, func() error {
		return api.Allowed(g.run, r, s.principal(), iamapi.EnableMFADevice, &iamapi.EnableMFADeviceInput{UserName: self(s)})
	})
}

// deactivateMFA resolves the principal who removes a device; a session needs
// iam:DeactivateMFADevice.
func (g *guarded) deactivateMFA(r *http.Request, s *session) (*mfaSubject, error) {
	return g.mfaSubject(r, s, func() error {
		return api.Allowed(g.run, r, s.principal(), iamapi.DeactivateMFADevice, &iamapi.DeactivateMFADeviceInput{UserName: self(s)})
	})
}

func (g *guarded) mfaSubject(r *http.Request, s *session, allowed func() error) (*mfaSubject, error) {
	if s != nil {
		if err := allowed(); err != nil {
			return nil, err
		}
		return &mfaSubject{root: g.root, account: s.Account, user: s.UserName}, nil
	}
	account, user, err := g.signin.PendingSubject(r.Context(), pendingToken(r))
	if err != nil {
		return nil, err
	}
	return &mfaSubject{root: g.root, account: account, user: user}, nil
}

func (m *mfaSubject) createTOTP(r *http.Request, name string) (*rootuser.TOTPEnrollment, error) {
	return m.root.CreateTOTPDevice(r.Context(), m.account, m.user, name, client(r))
}

func (m *mfaSubject) enableTOTP(r *http.Request, serial, code1, code2 string) error {
	return m.root.EnableTOTPDevice(r.Context(), m.account, m.user, serial, code1, code2, client(r))
}

func (m *mfaSubject) enableHardware(r *http.Request, serial, seed, code1, code2 string) error {
	return m.root.EnableHardwareDevice(r.Context(), m.account, m.user, serial, seed, code1, code2, client(r))
}

func (m *mfaSubject) beginWebAuthn(r *http.Request, name string) (*protocol.CredentialCreation, string, error) {
	return m.root.BeginWebAuthnRegistration(r.Context(), m.account, m.user, name)
}

// finishWebAuthn completes the ceremony beginWebAuthn started; the ceremony token names the
// principal it registers for.
func (m *mfaSubject) finishWebAuthn(r *http.Request, ceremony string, credential json.RawMessage) (*rootuser.Device, error) {
	return m.root.FinishWebAuthnRegistration(r.Context(), ceremony, credential, client(r))
}

func (m *mfaSubject) remove(r *http.Request, serial string) error {
	return m.root.RemoveDevice(r.Context(), m.account, m.user, serial, client(r))
}

// passwordChange is the password change PasswordResetRequired imposes on an IAM user's sign-in,
// which iam:ChangePassword allowed (a policy, or the password policy's AllowUsersToChangePassword).
type passwordChange struct {
	g                   *guarded
	token, oldPw, newPw string
}

// forcedPasswordChange authorizes the user of p, the pending sign-in at token, to change its
// password, as the API call would be; without it AWS's sign-in cannot finish either.
func (g *guarded) forcedPasswordChange(r *http.Request, token string, p *signin.Pending, now time.Time, oldPw, newPw string) (*passwordChange, error) {
	principal := authz.Principal{Account: p.Account, UserName: p.UserName, IssuedAt: now}
	if err := api.Allowed(g.run, r, principal, iamapi.ChangePassword, &iamapi.ChangePasswordInput{OldPassword: oldPw, NewPassword: newPw}); err != nil {
		return nil, err
	}
	return &passwordChange{g: g, token: token, oldPw: oldPw, newPw: newPw}, nil
}

func (c *passwordChange) complete(r *http.Request) (*signin.Pending, error) {
	return c.g.signin.CompletePasswordChange(r.Context(), c.token, c.oldPw, c.newPw, client(r))
}
