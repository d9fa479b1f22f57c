package stsapi

import (
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/sts"
)

// What AssumeRoleWithSAML and AssumeRoleWithWebIdentity share: both are unsigned, so every call is
// counted against its source address's limits (iam.Service.GuardFederation) and recorded in the
// role's account whether or not its assertion or token is valid; once the identity provider's word
// is verified, both become the same role session, decided by the role's trust policy alone.

// unsigned runs one unsigned federation call under its source address's limits. run fills known
// with what the call has established of its caller, however far it got: the role's account once
// the RoleArn is read, the identity provider once it is found. A call refused before its caller was
// verified is recorded with that (CloudTrail records failed AssumeRoleWithSAML and
// AssumeRoleWithWebIdentity calls with errorCode and a userIdentity of type SAMLUser or
// WebIdentityUser, CloudTrail User Guide, "CloudTrail userIdentity element"), in an account that
// exists; never the token or the assertion (secretParams in internal/api/audit.go), and never a
// claim the signature did not cover: an unverified subject is no one's identity. A throttled call
// ran nothing and is not recorded, so a flood of them cannot flood the trail either.
func unsigned[Out any](c *api.Call, run func(known *authz.Identity) (*Out, error)) (*Out, error) {
	var out *Out
	err := c.IAM.GuardFederation(c.Ctx, c.SourceIP, func() error {
		known := &authz.Identity{}
		var err error
		out, err = run(known)
		if err != nil && c.Caller == nil && known.Account != "" {
			if _, aerr := c.IAM.GetAccount(c.Ctx, known.Account); aerr == nil {
				c.Caller = known
			}
		}
		return err
	})
	return out, err
}

// roleAccount reads the role's account and name from a checked RoleArn, notes in known the account
// the call is recorded in and the caller's type typ, and returns them. Returns ValidationError for
// an ARN that names no role.
func roleAccount(roleARN, typ string, known *authz.Identity) (account, roleName string, err error) {
	account, roleName, ok := sts.SplitRoleARN(roleARN)
	if !ok {
		return "", "", awserr.New(awserr.ValidationError, "%s is invalid", roleARN)
	}
	known.Account, known.Type = account, typ
	return account, roleName, nil
}

// federation is a federated request whose caller is verified: what STS read from the assertion or
// token, and the request's own session options.
type federation struct {
	action   string // sts:AssumeRoleWithSAML or sts:AssumeRoleWithWebIdentity
	account  string // the role's
	roleARN  string
	roleName string
	// provider is the IAM identity provider's ARN: the trust policy's Federated principal, and the
	// session's (iam.Session.FederatedProvider).
	provider       string
	sessionName    string
	sourceIdentity string
	// badSourceIdentity is the IDPRejectedClaim message for a SourceIdentity claim STS refuses.
	badSourceIdentity string
	duration          int       // the seconds asked for, 0 for the default
	notAfter          time.Time // when set, the session ends by then
	tags              map[string]string
	transitive        []string
	policy            *string
	policyArns        []PolicyDescriptor
	// keys sets the provider's condition keys (saml:*, or the issuer's sub, aud, amr …).
	keys func(*policy.Context)
}

// assume issues the role session f asks for, c.Caller being the verified federated caller: the
// role exists and is the one named, its account is open, the session's options are valid, and the
// role's trust policy (and the account's resource control policies) allow the Federated provider
// the action, with sts:TagSession and sts:SetSourceIdentity when the session carries tags or a
// source identity. Returns the session, its role, and the packed size of its policies and tags.
// Returns AccessDenied "Not authorized to perform ACTION" for any refusal of who may assume the
// role, IDPRejectedClaim, ValidationError, MalformedPolicyDocument, PackedPolicyTooLarge.
func (f *federation) assume(c *api.Call) (*iam.Session, *iam.Role, int, error) {
	denied := awserr.New(awserr.AccessDenied, "Not authorized to perform %s", f.action)
	role, err := c.IAM.GetRole(c.Ctx, f.account, f.roleName)
	if err != nil || role.Arn != f.roleARN {
		return nil, nil, 0, denied
	}
	pl, err := c.Orgs.PlacementOf(c.Ctx, f.account)
	if err != nil {
		return nil, nil, 0, err
	} else if pl != nil && pl.Closed {
		return nil, nil, 0, denied
	}
	rcps, err := authz.ResourceControlPolicies(pl, nil)
	if err != nil {
		return nil, nil, 0, err
	}
	if f.sourceIdentity != "" {
		if err := sts.CheckSourceIdentity(f.sourceIdentity); err != nil {
			return nil, nil, 0, awserr.New(awserr.IDPRejectedClaim, "%s", f.badSourceIdentity)
		}
	}
	d, err := sts.RoleDuration(c.Caller, role, f.duration)
	if err != nil {
		return nil, nil, 0, err
	}
	if !f.notAfter.IsZero() {
		if left := int(f.notAfter.Sub(c.Now) / time.Second); left < d {
			d = max(left, 1)
		}
	}
	sess := sts.RoleSession(f.account, role, f.sessionName, f.sourceIdentity, c.Now, d)
	sess.FederatedProvider = f.provider
	if err := addSessionPolicies(c, sess, f.policy, f.policyArns); err != nil {
		return nil, nil, 0, err
	}
	if err := sts.ClaimTags(sess, f.tags, f.transitive); err != nil {
		return nil, nil, 0, err
	}
	size, err := packedSize(f.policy, f.policyArns, sess.Tags)
	if err != nil {
		return nil, nil, 0, err
	}
	assumeKeys := sts.AssumeKeys(role, sess, sts.AssumeRequest{Tags: sess.Tags, Transitive: sess.TransitiveTagKeys})
	ctx, release := c.PolicyContext(func(ctx *policy.Context) {
		assumeKeys(ctx)
		ctx.Set("aws:FederatedProvider", f.provider)
		f.keys(ctx)
	})
	defer release()
	if err := sts.AuthorizeFederated(role, f.account, f.provider, sts.FederatedActions(f.action, sess), rcps, ctx); err != nil {
		return nil, nil, 0, err
	}
	if err := c.IAM.IssueSession(c.Ctx, sess); err != nil {
		return nil, nil, 0, err
	}
	return sess, role, size, nil
}
