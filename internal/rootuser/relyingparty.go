package rootuser

import (
	"fmt"
	"net/url"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/rootward/rootward/internal/awserr"
)

// The WebAuthn ceremonies, as one implementation for every sign-in that accepts security keys and
// passkeys: the console's root and IAM users (this package) and the access portal's Identity
// Center users (internal/portal), each with the relying party of its own URL.

// NewRelyingParty returns the WebAuthn relying party of the pages at baseURL (an absolute http(s)
// URL): its host is the RP ID, its scheme and host the one origin accepted. User verification (PIN
// or biometrics) is required for every key: a stolen key alone is not a second factor to rely on.
func NewRelyingParty(baseURL, displayName string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return nil, fmt.Errorf("webauthn: base URL %q must be an absolute http(s) URL", baseURL)
	}
	if displayName == "" {
		displayName = "Rootward"
	}
	return webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: displayName,
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			UserVerification: protocol.VerificationRequired,
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
		},
		AttestationPreference: protocol.PreferNoAttestation,
	})
}

// BeginKeyRegistration returns the options for navigator.credentials.create() (user verification
// required, the user's keys excluded) and the session FinishKeyRegistration checks against.
func BeginKeyRegistration(wa *webauthn.WebAuthn, u webauthn.User) (*protocol.CredentialCreation, *webauthn.SessionData, error) {
	return wa.BeginRegistration(u,
		webauthn.WithExclusions(webauthn.Credentials(u.WebAuthnCredentials()).CredentialDescriptors()),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			UserVerification: protocol.VerificationRequired,
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
		}))
}

// FinishKeyRegistration checks the JSON of the PublicKeyCredential navigator.credentials.create()
// returned and returns the credential to store. Returns InvalidInput.
func FinishKeyRegistration(wa *webauthn.WebAuthn, u webauthn.User, session webauthn.SessionData, response []byte) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, awserr.New(awserr.InvalidInput, "The security key's answer could not be read.")
	}
	cred, err := wa.CreateCredential(u, session, parsed)
	if err != nil {
		return nil, awserr.New(awserr.InvalidInput, "The security key's answer did not verify.")
	}
	return cred, nil
}

// BeginKeyLogin returns the assertion options for the user's keys (user verification required)
// and the session FinishKeyLogin checks against. Returns NoSuchEntity when the user has no key.
func BeginKeyLogin(wa *webauthn.WebAuthn, u webauthn.User) (*protocol.CredentialAssertion, *webauthn.SessionData, error) {
	if len(u.WebAuthnCredentials()) == 0 {
		return nil, nil, awserr.New(awserr.NoSuchEntity, "No security key is registered.")
	}
	return wa.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationRequired))
}

// FinishKeyLogin checks the JSON of the PublicKeyCredential navigator.credentials.get() returned
// and returns the credential used, its signature counter advanced, for the caller to store. A
// counter that did not advance suggests a cloned authenticator (WebAuthn §6.1.1) and is refused.
// Returns InvalidAuthenticationCode.
func FinishKeyLogin(wa *webauthn.WebAuthn, u webauthn.User, session webauthn.SessionData, response []byte) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, errMFA
	}
	cred, err := wa.ValidateLogin(u, session, parsed)
	if err != nil || cred.Authenticator.CloneWarning {
		return nil, errMFA
	}
	return cred, nil
}
