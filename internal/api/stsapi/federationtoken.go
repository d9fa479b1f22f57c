package stsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/sts"
)

// GetFederationToken is sts:GetFederationToken on the federated user it names
// (arn:aws:sts::ACCOUNT:federated-user/NAME, the Service Authorization Reference's federated-user
// resource), with sts:TagSession too when it passes tags. Only long-term credentials may call it
// (internal/sts.FederationSession); that refusal comes first, before any policy is asked.
var GetFederationToken = api.Add(&ops, &api.Op[GetFederationTokenInput, GetFederationTokenOutput]{
	Name: "GetFederationToken", Authorize: authorizeFederationToken, Run: getFederationToken})

// GetFederationTokenInput is GetFederationToken's request (STS API Reference).
type GetFederationTokenInput struct {
	Name            string `required:"true"`
	DurationSeconds int    `min:"900" max:"129600"`
	Policy          *string
	PolicyArns      []PolicyDescriptor
	Tags            []iam.Tag
}

// GetFederationTokenOutput is the federated user's credentials.
type GetFederationTokenOutput struct {
	Credentials      Credentials   `xml:"Credentials"`
	FederatedUser    FederatedUser `xml:"FederatedUser"`
	PackedPolicySize int           `xml:"PackedPolicySize,omitempty"`
}

// FederatedUser is the STS FederatedUser shape.
type FederatedUser struct {
	FederatedUserID string `xml:"FederatedUserId"`
	Arn             string `xml:"Arn"`
}

func authorizeFederationToken(c *api.Call, in *GetFederationTokenInput) error {
	if c.Caller.Session != nil {
		return awserr.New(awserr.AccessDenied, "Cannot call GetFederationToken with session credentials")
	}
	c.Resource = arn.FederatedUser(c.Account(), in.Name)
	keys := authz.Keys(nil)
	if len(in.Tags) > 0 {
		keys = sts.TagKeys(in.Tags)
	}
	if err := c.Authorize("sts:GetFederationToken", c.Resource, keys); err != nil {
		return err
	}
	if len(in.Tags) > 0 {
		return c.Authorize("sts:TagSession", c.Resource, keys)
	}
	return nil
}

func getFederationToken(c *api.Call, in *GetFederationTokenInput) (*GetFederationTokenOutput, error) {
	if err := sts.CheckFederatedName(in.Name); err != nil {
		return nil, err
	}
	sess, err := sts.FederationSession(c.Caller, in.Name, c.Now, in.DurationSeconds)
	if err != nil {
		return nil, err
	}
	if err := addSessionPolicies(c, sess, in.Policy, in.PolicyArns); err != nil {
		return nil, err
	}
	if err := sts.CheckSessionTags(in.Tags); err != nil {
		return nil, err
	}
	sess.Tags = in.Tags
	size, err := packedSize(in.Policy, in.PolicyArns, in.Tags)
	if err != nil {
		return nil, err
	}
	if err := c.IAM.IssueSession(c.Ctx, sess); err != nil {
		return nil, err
	}
	return &GetFederationTokenOutput{
		Credentials:      credentialsOf(sess),
		FederatedUser:    FederatedUser{FederatedUserID: sess.Account + ":" + in.Name, Arn: sts.FederatedUserARN(sess)},
		PackedPolicySize: size,
	}, nil
}

// addSessionPolicies adds the inline session policy and the managed ones named to sess, the
// managed ones from the session's account. Returns MalformedPolicyDocument, PackedPolicyTooLarge,
// ValidationError, NoSuchEntity.
func addSessionPolicies(c *api.Call, sess *iam.Session, doc *string, arns []PolicyDescriptor) error {
	if doc != nil {
		if err := sts.AddSessionPolicy(sess, *doc); err != nil {
			return err
		}
	}
	if err := sts.CheckPolicyARNs(len(arns)); err != nil {
		return err
	}
	for _, p := range arns {
		mp, err := c.IAM.GetPolicy(c.Ctx, sess.Account, p.Arn)
		if err != nil {
			return err
		}
		sts.AddManagedSessionPolicy(sess, mp)
	}
	return nil
}

// packedSize is the answer's PackedPolicySize for the session policies and tags a request passed
// (sts.PackedPolicySize). Returns PackedPolicyTooLarge.
func packedSize(doc *string, arns []PolicyDescriptor, tags []iam.Tag) (int, error) {
	list := make([]string, len(arns))
	for i, p := range arns {
		list[i] = p.Arn
	}
	return sts.PackedPolicySize(doc, list, tags)
}
