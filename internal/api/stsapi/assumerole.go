package stsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/sts"
)

// AssumeRole's authorization is the role's trust policy together with the caller's own policies
// (sts.AuthorizeAssume), decided inside the operation once the role is known.
var AssumeRole = api.Add(&ops, &api.Op[AssumeRoleInput, AssumeRoleOutput]{
	Name: "AssumeRole", Authorize: noAuthorization[AssumeRoleInput], Run: assumeRole})

// AssumeRoleInput is AssumeRole's request (STS API reference, AssumeRole).
type AssumeRoleInput struct {
	RoleArn         string `required:"true"`
	RoleSessionName string `required:"true"`
	DurationSeconds int    `min:"900" max:"43200"`
	// Policy is the inline session policy; PolicyArns up to ten managed ones.
	Policy     *string
	PolicyArns []PolicyDescriptor
	// Tags are the session tags (Tags.member.N.Key / .Value), TransitiveTagKeys those that pass on
	// in a role chain.
	Tags              []iam.Tag
	TransitiveTagKeys []string
	ExternalID        *string `query:"ExternalId"`
	SerialNumber      string
	TokenCode         string
	SourceIdentity    *string
}

// AssumeRoleOutput is the result of AssumeRole.
type AssumeRoleOutput struct {
	Credentials      Credentials     `xml:"Credentials"`
	AssumedRoleUser  AssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize int             `xml:"PackedPolicySize,omitempty"`
	// SessionTokenSize and SessionTokenUtilization superseded PackedPolicySize (STS API
	// Reference, AssumeRole): the token's length in bytes, and how much of the token's allowed
	// size it uses — for Rootward, whose tokens carry no policies, the packed size of the
	// session's policies and tags (sts.PackedPolicySize), at least 1.
	SessionTokenSize        int    `xml:"SessionTokenSize"`
	SessionTokenUtilization int    `xml:"SessionTokenUtilization"`
	SourceIdentity          string `xml:"SourceIdentity,omitempty"`
}

// AssumedRoleUser is the session's principal (the STS AssumedRoleUser shape).
type AssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

func assumeRole(c *api.Call, in *AssumeRoleInput) (*AssumeRoleOutput, error) {
	if err := sts.CheckRoleARN(in.RoleArn); err != nil {
		return nil, err
	}
	if err := sts.CheckSessionName(in.RoleSessionName); err != nil {
		return nil, err
	}
	if in.SourceIdentity != nil {
		if err := sts.CheckSourceIdentity(*in.SourceIdentity); err != nil {
			return nil, err
		}
	}
	if in.ExternalID != nil {
		if err := sts.CheckExternalID(*in.ExternalID); err != nil {
			return nil, err
		}
	}
	if err := sts.CheckAssumer(c.Caller); err != nil {
		return nil, err
	}
	acct, roleName, ok := sts.SplitRoleARN(in.RoleArn)
	if !ok {
		return nil, awserr.New(awserr.ValidationError, "%s is invalid", in.RoleArn)
	}
	role, err := c.IAM.GetRole(c.Ctx, acct, roleName)
	if err != nil || role.Arn != in.RoleArn {
		// Unknown roles answer AccessDenied like a refused trust policy, so a caller cannot probe
		// another account for role names.
		return nil, sts.Denied(c.Caller, "sts:AssumeRole", in.RoleArn)
	}
	// Nobody assumes a role in a closed account.
	pl, err := c.Orgs.PlacementOf(c.Ctx, acct)
	if err != nil {
		return nil, err
	} else if pl != nil && pl.Closed {
		return nil, sts.Denied(c.Caller, "sts:AssumeRole", in.RoleArn)
	}
	// The role's account's resource control policies bind whoever assumes it.
	rcps, err := authz.ResourceControlPolicies(pl, c.Caller)
	if err != nil {
		return nil, err
	}
	srcID, err := sts.SourceIdentity(c.Caller, deref(in.SourceIdentity))
	if err != nil {
		return nil, err
	}
	d, err := sts.RoleDuration(c.Caller, role, in.DurationSeconds)
	if err != nil {
		return nil, err
	}
	sess := sts.RoleSession(acct, role, in.RoleSessionName, srcID, c.Now, d)
	if err := addSessionPolicies(c, sess, in.Policy, in.PolicyArns); err != nil {
		return nil, err
	}
	req := sts.AssumeRequest{Tags: in.Tags, Transitive: in.TransitiveTagKeys, ExternalID: deref(in.ExternalID), RCPs: rcps}
	if err := sts.CheckSessionTags(req.Tags); err != nil {
		return nil, err
	}
	if err := sts.SessionTags(c.Caller.Session, sess, req.Tags, req.Transitive); err != nil {
		return nil, err
	}
	packed, err := packedSize(in.Policy, in.PolicyArns, req.Tags)
	if err != nil {
		return nil, err
	}
	if err := authorizeAssume(c, role, sess, req); err != nil {
		return nil, err
	}
	if in.SerialNumber != "" {
		if err := checkMFA(c, in.SerialNumber, in.TokenCode); err != nil {
			return nil, err
		}
		sts.WithMFA(sess)
	}
	if err := c.IAM.IssueSession(c.Ctx, sess); err != nil {
		return nil, err
	}
	return &AssumeRoleOutput{
		Credentials:      credentialsOf(sess),
		AssumedRoleUser:  AssumedRoleUser{AssumedRoleID: role.RoleID + ":" + in.RoleSessionName, Arn: sess.AssumedRoleARN()},
		SourceIdentity:   srcID,
		PackedPolicySize: packed,
		SessionTokenSize: len(sess.Token), SessionTokenUtilization: max(packed, 1),
	}, nil
}

// authorizeAssume asks sts.AuthorizeAssume with the caller's compiled policies and the request's
// context: the global keys and AssumeRole's own.
func authorizeAssume(c *api.Call, role *iam.Role, sess *iam.Session, req sts.AssumeRequest) error {
	in, err := c.Authorizer().Input(&c.Request)
	if err != nil {
		return err
	}
	ctx, release := c.PolicyContext(sts.AssumeKeys(role, sess, req))
	defer release()
	return sts.AuthorizeAssume(in, c.Caller, role, sess, req, ctx)
}
