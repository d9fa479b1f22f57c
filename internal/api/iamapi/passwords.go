package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// ChangePassword and the account password policy, which grants IAM users the right to change
// their own passwords.

var ChangePassword = add(&api.Op[ChangePasswordInput, struct{}]{
	Name: "ChangePassword", Authorize: authorizeSelfService[ChangePasswordInput](selfARN), Run: changePassword})

var UpdateAccountPasswordPolicy = add(&api.Op[UpdateAccountPasswordPolicyInput, struct{}]{
	Name: "UpdateAccountPasswordPolicy", Run: updateAccountPasswordPolicy})

var GetAccountPasswordPolicy = add(&api.Op[GetAccountPasswordPolicyInput, GetAccountPasswordPolicyOutput]{
	Name: "GetAccountPasswordPolicy", Authorize: authorizeSelfService[GetAccountPasswordPolicyInput](anyResource),
	Run: getAccountPasswordPolicy})

var DeleteAccountPasswordPolicy = add(&api.Op[DeleteAccountPasswordPolicyInput, struct{}]{
	Name: "DeleteAccountPasswordPolicy", Run: deleteAccountPasswordPolicy})

// selfServiceGrant is the permission IAM gives every IAM user when the password policy sets
// AllowUsersToChangePassword: "Gives IAM users permissions to iam:ChangePassword for only their user
// and to the iam:GetAccountPasswordPolicy action ... the permissions are applied at the
// account-level for all users by IAM" (IAM API reference, PasswordPolicy). ChangePassword only ever
// acts on the caller, so Resource "*" grants no more than "their user".
var selfServiceGrant = func() *policy.Policy {
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword","iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`, policy.KindIdentity)
	if err != nil {
		panic(err)
	}
	p.Name = "account password policy (AllowUsersToChangePassword)"
	return p
}()

// selfARN is the caller's own ARN — its user's, with the path, for an IAM user — whatever the
// input says, with the user's facts kept in c.Facts.
func selfARN(c *api.Call) string {
	if c.Caller.UserName == "" {
		return c.Caller.ARN
	}
	return entityARN(c, "user", c.Caller.UserName)
}

func anyResource(*api.Call) string { return "*" }

// authorizeSelfService authorizes ChangePassword and GetAccountPasswordPolicy: the caller's policies
// decide, with IAM's account-level grant added as one more identity policy for IAM users when the
// password policy allows users to change their passwords (so explicit denies, boundaries and
// session policies still apply).
func authorizeSelfService[In any](resource func(c *api.Call) string) func(c *api.Call, in *In) error {
	return func(c *api.Call, in *In) error {
		action := c.Service + ":" + c.Action
		c.Resource = resource(c)
		// The caller's own user is the resource: its tags are aws:ResourceTag/* and
		// iam:ResourceTag/*, as on any action on a user.
		keys, err := resourceKeys[In](nil)(c, in)
		if err != nil {
			return err
		}
		err = c.Authorize(action, c.Resource, keys)
		if err == nil || !awserr.IsCode(err, awserr.AccessDenied) || c.Caller.Type != iam.PrincipalUser {
			return err
		}
		pol, perr := c.IAM.GetAccountPasswordPolicy(c.Ctx, c.Account())
		if perr != nil || !pol.AllowUsersToChangePassword {
			return err
		}
		pin, ierr := c.Authorizer().Input(&c.Request)
		if ierr != nil {
			return ierr
		}
		eval := *pin
		eval.Identity = append(append([]*policy.Policy(nil), pin.Identity...), selfServiceGrant)
		ctx, release := c.PolicyContext(keys)
		defer release()
		d := policy.Evaluate(&eval, &policy.Request{Action: action, Resource: c.Resource, Context: ctx,
			Principal: c.Caller.PolicyPrincipal()})
		if d.Allowed() {
			return nil
		}
		return authz.AccessDenied(c.Caller, action, c.Resource, d)
	}
}

// ChangePasswordInput is the caller's current password and the new one.
type ChangePasswordInput struct {
	OldPassword string
	NewPassword string
}

// changePassword answers InvalidUserType to a caller that is not an IAM user ("If this command is
// called using account (root) credentials, the command returns an InvalidUserType error", AWS CLI
// reference, iam change-password).
func changePassword(c *api.Call, in *ChangePasswordInput) (*struct{}, error) {
	if c.Caller.Type != iam.PrincipalUser {
		return nil, awserr.New(awserr.InvalidUserType, "Only IAM users can change their own password; the caller is %s.", c.Caller.ARN)
	}
	return nil, c.IAM.ChangePassword(c.Ctx, c.Account(), c.Caller.UserName, in.OldPassword, in.NewPassword)
}

// UpdateAccountPasswordPolicyInput replaces the whole policy: a member not sent takes its default
// (IAM API reference, UpdateAccountPasswordPolicy). The ranges are the service's to check.
type UpdateAccountPasswordPolicyInput struct {
	MinimumPasswordLength      *int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	MaxPasswordAge             *int
	PasswordReusePrevention    *int
	HardExpiry                 *bool
}

func updateAccountPasswordPolicy(c *api.Call, in *UpdateAccountPasswordPolicyInput) (*struct{}, error) {
	p := iam.PasswordPolicyInput{
		MinimumPasswordLength: in.MinimumPasswordLength, RequireSymbols: in.RequireSymbols, RequireNumbers: in.RequireNumbers,
		RequireUppercaseCharacters: in.RequireUppercaseCharacters, RequireLowercaseCharacters: in.RequireLowercaseCharacters,
		AllowUsersToChangePassword: in.AllowUsersToChangePassword, MaxPasswordAge: in.MaxPasswordAge,
		PasswordReusePrevention: in.PasswordReusePrevention, HardExpiry: in.HardExpiry,
	}
	// A number sent empty is zero (the decoder's rule for pointer members), which the service
	// refuses (below each member's range), so that a malformed request replaces nothing; an empty
	// boolean is false.
	return nil, c.IAM.UpdateAccountPasswordPolicy(c.Ctx, c.Account(), p)
}

// GetAccountPasswordPolicyInput has no members.
type GetAccountPasswordPolicyInput struct{}

// PasswordPolicy is IAM's PasswordPolicy; ExpirePasswords is derived from MaxPasswordAge.
type PasswordPolicy struct {
	MinimumPasswordLength      int   `xml:"MinimumPasswordLength"`
	RequireSymbols             bool  `xml:"RequireSymbols"`
	RequireNumbers             bool  `xml:"RequireNumbers"`
	RequireUppercaseCharacters bool  `xml:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters bool  `xml:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword bool  `xml:"AllowUsersToChangePassword"`
	ExpirePasswords            bool  `xml:"ExpirePasswords"`
	MaxPasswordAge             int   `xml:"MaxPasswordAge,omitempty"`
	PasswordReusePrevention    int   `xml:"PasswordReusePrevention,omitempty"`
	HardExpiry                 *bool `xml:"HardExpiry,omitempty"`
}

// GetAccountPasswordPolicyOutput is the result of GetAccountPasswordPolicy.
type GetAccountPasswordPolicyOutput struct {
	PasswordPolicy PasswordPolicy `xml:"PasswordPolicy"`
}

func getAccountPasswordPolicy(c *api.Call, _ *GetAccountPasswordPolicyInput) (*GetAccountPasswordPolicyOutput, error) {
	p, err := c.IAM.GetAccountPasswordPolicy(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	return &GetAccountPasswordPolicyOutput{PasswordPolicy{
		p.MinimumPasswordLength, p.RequireSymbols, p.RequireNumbers, p.RequireUppercaseCharacters,
		p.RequireLowercaseCharacters, p.AllowUsersToChangePassword, p.ExpirePasswords(), p.MaxPasswordAge,
		p.PasswordReusePrevention, p.HardExpiry,
	}}, nil
}

// DeleteAccountPasswordPolicyInput has no members.
type DeleteAccountPasswordPolicyInput struct{}

func deleteAccountPasswordPolicy(c *api.Call, _ *DeleteAccountPasswordPolicyInput) (*struct{}, error) {
	return nil, c.IAM.DeleteAccountPasswordPolicy(c.Ctx, c.Account())
}
