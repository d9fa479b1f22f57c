package portal

import (
	"context"
	"errors"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/trail"
)

// Changing an instance's identity source between its identity store and an external SAML
// identity provider. AWS has no public API for it: it is a console setting ("Change your identity
// source", IAM Identity Center User Guide,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-change.html),
// and so is Rootward's (internal/console's identity source page), for the account that owns the
// instance. The console authorizes the principal first; each change, and each refused one, is
// recorded here as an AwsApiCall of sso.amazonaws.com in that account. Its event names are
// Rootward's choice, the IAM actions the console authorizes: AssociateDirectory (an external
// identity provider becomes the source, or its metadata is replaced) and DisassociateDirectory
// (back to the identity store), the actions of the User Guide's example policy for managing an
// instance's connected directory.

// Admin is the console principal who changes an identity source.
type Admin struct {
	// Account is the principal's account, which must own the instance.
	Account  string
	Identity trail.UserIdentity
	// ARN names the principal in the setting's UpdatedBy.
	ARN string
	Call
}

// Event names of identity source changes.
const (
	EventSetExternalIdP   = "AssociateDirectory"
	EventUseIdentityStore = "DisassociateDirectory"
)

// IdentitySource is the identity source of instance instanceID of account. Returns
// ResourceNotFoundException.
func (s *Service) IdentitySource(ctx context.Context, account, instanceID string) (*identitycenter.IdentitySource, error) {
	if s.ic == nil {
		return nil, errNoSignIn
	}
	return s.ic.IdentitySource(ctx, account, instanceID)
}

// SetExternalIdP makes the identity provider of metadata the instance's identity source.
// Returns ResourceNotFoundException, InvalidInput; the refusal is recorded too.
func (s *Service) SetExternalIdP(ctx context.Context, a Admin, instanceID, metadata string) error {
	if s.ic == nil {
		return errNoSignIn
	}
	idp, err := s.ic.SetExternalIdP(ctx, a.Account, instanceID, metadata, a.ARN)
	params := map[string]any{"instanceArn": identitycenter.InstanceARN(instanceID), "identitySourceType": identitycenter.SourceExternalSAML}
	if idp != nil {
		params["identityProviderEntityId"] = idp.EntityID
	}
	return s.adminEvent(a, EventSetExternalIdP, params, err)
}

// UseIdentityStore makes the instance's identity store its identity source again. Returns
// ResourceNotFoundException; the refusal is recorded too.
func (s *Service) UseIdentityStore(ctx context.Context, a Admin, instanceID string) error {
	if s.ic == nil {
		return errNoSignIn
	}
	err := s.ic.UseIdentityStore(ctx, a.Account, instanceID)
	return s.adminEvent(a, EventUseIdentityStore, map[string]any{"instanceArn": identitycenter.InstanceARN(instanceID),
		"identitySourceType": identitycenter.SourceIdentityStore}, err)
}

// RecordRefusedChange records a change the console refused before trying it (AccessDenied).
func (s *Service) RecordRefusedChange(a Admin, external bool, instanceID string, refusal error) error {
	name, typ := EventUseIdentityStore, identitycenter.SourceIdentityStore
	if external {
		name, typ = EventSetExternalIdP, identitycenter.SourceExternalSAML
	}
	return s.adminEvent(a, name, map[string]any{"instanceArn": identitycenter.InstanceARN(instanceID), "identitySourceType": typ}, refusal)
}

// adminEvent records a change of the identity source and returns its outcome, or the recorder's
// error.
func (s *Service) adminEvent(a Admin, name string, params map[string]any, outcome error) error {
	if s.trail == nil {
		return outcome
	}
	e := &trail.Event{
		EventTime: s.now(), UserIdentity: a.Identity, EventSource: SourcePortal, EventName: name, EventType: trail.AwsAPICall,
		AWSRegion: s.region, SourceIPAddress: a.SourceIP, UserAgent: a.UserAgent, RequestParameters: params,
		RecipientAccountID: a.Account, ManagementEvent: true,
	}
	ro := false
	e.ReadOnly = &ro
	if outcome != nil {
		ae, ok := awserr.As(outcome)
		if !ok {
			return outcome
		}
		e.ErrorCode, e.ErrorMessage = string(ae.Code), ae.Message
	}
	if err := s.trail.Record(e); err != nil {
		return errors.Join(err, outcome)
	}
	return outcome
}

// errExternalIdP refuses a password sign-in to an instance whose users sign in through an
// external identity provider.
var errExternalIdP = awserr.New(awserr.AccessDenied, "This instance's users sign in through its identity provider. Open the start URL to sign in.")

// UsesExternalIdP reports whether instance instanceID's identity source is an external identity
// provider. Returns ResourceNotFoundException.
func (s *Service) UsesExternalIdP(ctx context.Context, instanceID string) (bool, error) {
	if s.ic == nil {
		return false, errNoSignIn
	}
	return s.usesExternalIdP(ctx, instanceID)
}

func (s *Service) usesExternalIdP(ctx context.Context, instanceID string) (bool, error) {
	src, err := s.ic.PortalIdentitySource(ctx, instanceID)
	if err != nil {
		return false, err
	}
	return src.Type == identitycenter.SourceExternalSAML, nil
}
