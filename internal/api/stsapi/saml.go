package stsapi

import (
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
// counted against its source address's limits and recorded, refused or not (federation.go).
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
	return unsigned(c, func(known *authz.Identity) (*AssumeRoleWithSAMLOutput, error) { return withSAML(c, in, known) })
}

func withSAML(c *api.Call, in *AssumeRoleWithSAMLInput, known *authz.Identity) (*AssumeRoleWithSAMLOutput, error) {
	const action = "sts:AssumeRoleWithSAML"
	if err := sts.CheckRoleARN(in.RoleArn); err != nil {
		return nil, err
	}
	acct, roleName, err := roleAccount(in.RoleArn, sts.TypeSAMLUser, known)
	if err != nil {
		return nil, err
	}
	if len(in.PrincipalArn) < 20 || len(in.PrincipalArn) > 2048 {
		return nil, awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at 'principalArn' failed to satisfy constraint: Member must have length between 20 and 2048", in.PrincipalArn)
	}
	if len(in.SAMLAssertion) < 4 || len(in.SAMLAssertion) > sts.SAMLAssertionMax {
		return nil, awserr.New(awserr.ValidationError, "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length between 4 and %d", sts.SAMLAssertionMax)
	}
	prov, err := c.IAM.GetSAMLProvider(c.Ctx, acct, in.PrincipalArn)
	if awserr.IsCode(err, awserr.NoSuchEntity) || awserr.IsCode(err, awserr.ValidationError) {
		// AWS's wording for a provider it does not know is not documented; Rootward's choice.
		return nil, awserr.New(awserr.InvalidIdentityToken, "Specified provider doesn't exist.")
	}
	if err != nil {
		return nil, err
	}
	// The provider's NameQualifier is known from its own metadata (a verified assertion's Issuer is
	// its entityID): a refused assertion is recorded as a SAMLUser of this provider.
	known.IdentityProvider = sts.NameQualifier(prov.EntityID, acct, prov.Name)
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
		return nil, awserr.New(awserr.AccessDenied, "Not authorized to perform %s", action)
	}
	// The session lasts DurationSeconds (else the SessionDuration attribute, else an hour), at most
	// the role's maximum, and ends no later than the assertion's SessionNotOnOrAfter (STS API
	// Reference, AssumeRoleWithSAML, DurationSeconds).
	requested := in.DurationSeconds
	if requested == 0 {
		requested = claims.SessionDuration
	}
	f := &federation{
		action: action, account: acct, roleARN: in.RoleArn, roleName: roleName, provider: prov.Arn,
		sessionName: claims.SessionName, sourceIdentity: claims.SourceIdentity, badSourceIdentity: "Invalid SourceIdentity attribute.",
		duration: requested, notAfter: claims.SessionNotOnOrAfter, tags: claims.Tags, transitive: claims.Transitive,
		policy: in.Policy, policyArns: in.PolicyArns,
		keys: func(ctx *policy.Context) {
			// The saml: keys (IAM User Guide, "Available keys for SAML-based AWS STS federation").
			ctx.Set("saml:aud", claims.Recipient)
			ctx.Set("saml:sub", claims.Subject)
			ctx.Set("saml:sub_type", claims.SubjectType)
			ctx.Set("saml:iss", claims.Issuer)
			ctx.Set("saml:namequalifier", nq)
			ctx.Set("saml:doc", acct+"/"+prov.Name)
		},
	}
	sess, role, size, err := f.assume(c)
	if err != nil {
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
