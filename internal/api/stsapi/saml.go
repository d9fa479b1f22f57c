package stsapi

import (
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/sts"
)

// AssumeRoleWithSAML is unsigned (internal/server serves it without credentials): the caller is
// the subject of a SAML response signed by a certificate of the SAML provider PrincipalArn names
// (internal/sts/saml.go), whose Role attribute pairs RoleArn with that provider; the role's trust
// policy decides, with the provider as the Federated principal and the saml:* keys. Every call is
// counted against its source address's limits (iam.Service.GuardFederation).
var AssumeRoleWithSAML = api.Add(&ops, &api.Op[AssumeRoleWithSAMLInput, AssumeRoleWithSAMLOutput]{
	Name: "AssumeRoleWithSAML", Authorize: noAuthorization[AssumeRoleWithSAMLInput], Run: assumeRoleWithSAML})

// AssumeRoleWithSAMLInput is the request (STS API Reference, AssumeRoleWithSAML).
type AssumeRoleWithSAMLInput struct {
	RoleArn         string `required:"true"`
	PrincipalArn    string `required:"true"`
	SAMLAssertion   string `required:"true"`
	DurationSeconds int    `min:"900" max:"43200"`
	Policy          *string
	PolicyArns      []PolicyDescriptor
}

// AssumeRoleWithSAMLOutput is the role session and what STS read from the assertion.
type AssumeRoleWithSAMLOutput struct {
	Credentials      Credentials     `xml:"Credentials"`
	AssumedRoleUser  AssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize int             `xml:"PackedPolicySize,omitempty"`
	Subject          string          `xml:"Subject"`
	SubjectType      string          `xml:"SubjectType"`
	Issuer           string          `xml:"Issuer"`
	Audience         string          `xml:"Audience"`
	NameQualifier    string          `xml:"NameQualifier"`
	SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
}

func assumeRoleWithSAML(c *api.Call, in *AssumeRoleWithSAMLInput) (*AssumeRoleWithSAMLOutput, error) {
	var out *AssumeRoleWithSAMLOutput
	err := c.IAM.GuardFederation(c.Ctx, c.SourceIP, func() (err error) {
		out, err = withSAML(c, in)
		return err
	})
	return out, err
}

func withSAML(c *api.Call, in *AssumeRoleWithSAMLInput) (*AssumeRoleWithSAMLOutput, error) {
	const action = "sts:AssumeRoleWithSAML"
	denied := awserr.New(awserr.AccessDenied, "Not authorized to perform %s", action)
	if err := sts.CheckRoleARN(in.RoleArn); err != nil {
		return nil, err
	}
	if len(in.PrincipalArn) < 20 || len(in.PrincipalArn) > 2048 {
		return nil, awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at 'principalArn' failed to satisfy constraint: Member must have length between 20 and 2048", in.PrincipalArn)
	}
	if len(in.SAMLAssertion) < 4 || len(in.SAMLAssertion) > sts.SAMLAssertionMax {
		return nil, awserr.New(awserr.ValidationError, "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length between 4 and %d", sts.SAMLAssertionMax)
	}
	acct, roleName, ok := sts.SplitRoleARN(in.RoleArn)
	if !ok {
		return nil, awserr.New(awserr.ValidationError, "%s is invalid", in.RoleArn)
	}
	prov, err := c.IAM.GetSAMLProvider(c.Ctx, acct, in.PrincipalArn)
	if awserr.IsCode(err, awserr.NoSuchEntity) || awserr.IsCode(err, awserr.ValidationError) {
		// AWS's wording for a provider it does not know is not documented; Rootward's choice.
		return nil, awserr.New(awserr.InvalidIdentityToken, "Specified provider doesn't exist.")
	}
	if err != nil {
		return nil, err
	}
	certs, err := prov.SigningCertificates()
	if err != nil {
		return nil, err
	}
	claims, err := sts.VerifySAMLResponse(in.SAMLAssertion, certs, prov.EntityID, c.Now)
	if err != nil {
		return nil, err
	}
	nq := sts.NameQualifier(claims.Issuer, acct, prov.Name)
	// From here the caller is known, and the call is recorded in the role's account as AWS records
	// it: a SAMLUser, its principal ID NameQualifier:Subject.
	c.Caller = sts.FederatedCaller(sts.TypeSAMLUser, acct, nq+":"+claims.Subject, claims.Subject, nq)
	if !claims.RoleFor(in.RoleArn, in.PrincipalArn) {
		return nil, denied
	}
	role, err := c.IAM.GetRole(c.Ctx, acct, roleName)
	if err != nil || role.Arn != in.RoleArn {
		return nil, denied
	}
	pl, err := c.Orgs.PlacementOf(c.Ctx, acct)
	if err != nil {
		return nil, err
	} else if pl != nil && pl.Closed {
		return nil, denied
	}
	rcps, err := authz.ResourceControlPolicies(pl, nil)
	if err != nil {
		return nil, err
	}
	if claims.SourceIdentity != "" {
		if err := sts.CheckSourceIdentity(claims.SourceIdentity); err != nil {
			return nil, awserr.New(awserr.IDPRejectedClaim, "Invalid SourceIdentity attribute.")
		}
	}
	// The session lasts DurationSeconds (else the SessionDuration attribute, else an hour), at most
	// the role's maximum, and ends no later than the assertion's SessionNotOnOrAfter (STS API
	// Reference, AssumeRoleWithSAML, DurationSeconds).
	requested := in.DurationSeconds
	if requested == 0 {
		requested = claims.SessionDuration
	}
	d, err := sts.RoleDuration(c.Caller, role, requested)
	if err != nil {
		return nil, err
	}
	if t := claims.SessionNotOnOrAfter; !t.IsZero() {
		if left := int(t.Sub(c.Now) / time.Second); left < d {
			d = max(left, 1)
		}
	}
	sess := sts.RoleSession(acct, role, claims.SessionName, claims.SourceIdentity, c.Now, d)
	if err := addSessionPolicies(c, sess, in.Policy, in.PolicyArns); err != nil {
		return nil, err
	}
	if err := sts.ClaimTags(sess, claims.Tags, claims.Transitive); err != nil {
		return nil, err
	}
	size, err := packedSize(in.Policy, in.PolicyArns, sess.Tags)
	if err != nil {
		return nil, err
	}
	assumeKeys := sts.AssumeKeys(role, sess, sts.AssumeRequest{Tags: sess.Tags, Transitive: sess.TransitiveTagKeys})
	ctx, release := c.PolicyContext(func(ctx *policy.Context) {
		assumeKeys(ctx)
		ctx.Set("aws:FederatedProvider", prov.Arn)
		// The saml: keys (IAM User Guide, "Available keys for SAML-based AWS STS federation").
		ctx.Set("saml:aud", claims.Recipient)
		ctx.Set("saml:sub", claims.Subject)
		ctx.Set("saml:sub_type", claims.SubjectType)
		ctx.Set("saml:iss", claims.Issuer)
		ctx.Set("saml:namequalifier", nq)
		ctx.Set("saml:doc", acct+"/"+prov.Name)
	})
	defer release()
	if err := sts.AuthorizeFederated(role, acct, prov.Arn, sts.FederatedActions(action, sess), rcps, ctx); err != nil {
		return nil, err
	}
	if err := c.IAM.IssueSession(c.Ctx, sess); err != nil {
		return nil, err
	}
	return &AssumeRoleWithSAMLOutput{
		Credentials:      credentialsOf(sess),
		AssumedRoleUser:  AssumedRoleUser{AssumedRoleID: role.RoleID + ":" + claims.SessionName, Arn: sess.AssumedRoleARN()},
		PackedPolicySize: size,
		Subject:          claims.Subject,
		SubjectType:      claims.SubjectType,
		Issuer:           claims.Issuer,
		Audience:         claims.Recipient,
		NameQualifier:    nq,
		SourceIdentity:   claims.SourceIdentity,
	}, nil
}
