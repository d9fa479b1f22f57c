package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Login profiles: a user's console password (or, with no UserName, the calling root user's).

var CreateLoginProfile = add(&api.Op[CreateLoginProfileInput, LoginProfileOutput]{
	Name: "CreateLoginProfile", Resource: func(c *api.Call, in *CreateLoginProfileInput) string { return userARN(c, in.UserName) },
	Run: createLoginProfile})

var GetLoginProfile = add(&api.Op[GetLoginProfileInput, LoginProfileOutput]{
	Name: "GetLoginProfile", Resource: func(c *api.Call, in *GetLoginProfileInput) string { return userARN(c, in.UserName) },
	Run: getLoginProfile})

var UpdateLoginProfile = add(&api.Op[UpdateLoginProfileInput, struct{}]{
	Name: "UpdateLoginProfile", Resource: func(c *api.Call, in *UpdateLoginProfileInput) string { return userARN(c, in.UserName) },
	Run: updateLoginProfile})

var DeleteLoginProfile = add(&api.Op[DeleteLoginProfileInput, struct{}]{
	Name: "DeleteLoginProfile", Resource: func(c *api.Call, in *DeleteLoginProfileInput) string { return userARN(c, in.UserName) },
	Run: deleteLoginProfile})

// LoginProfile is IAM's LoginProfile: no UserName for the root user's.
type LoginProfile struct {
	UserName              string        `xml:"UserName,omitempty"`
	CreateDate            awsproto.Time `xml:"CreateDate"`
	PasswordResetRequired bool          `xml:"PasswordResetRequired"`
}

// LoginProfileOutput is the result of CreateLoginProfile and GetLoginProfile.
type LoginProfileOutput struct {
	LoginProfile LoginProfile `xml:"LoginProfile"`
}

func loginProfileOutput(lp *iam.LoginProfile) *LoginProfileOutput {
	return &LoginProfileOutput{LoginProfile{lp.UserName, awsproto.Time(lp.CreateDate), lp.PasswordResetRequired}}
}

// CreateLoginProfileInput gives a user a password. Without UserName, in a privileged root session
// (sts:AssumeRoot, task IAMCreateRootUserPassword), it takes no Password and allows the root user
// to recover one.
type CreateLoginProfileInput struct {
	UserName string
	// Password is a pointer so that one sent empty is told from none (allowRootRecovery).
	Password              *string
	PasswordResetRequired bool
}

func createLoginProfile(c *api.Call, in *CreateLoginProfileInput) (*LoginProfileOutput, error) {
	if in.UserName == "" && rootSession(c) {
		return allowRootRecovery(c, in)
	}
	n, err := needUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	var pw string
	if in.Password != nil {
		pw = *in.Password
	}
	lp, err := c.IAM.CreateLoginProfile(c.Ctx, c.Account(), n, pw, in.PasswordResetRequired)
	if err != nil {
		return nil, err
	}
	return loginProfileOutput(lp), nil
}

// rootSession reports whether the caller is a privileged root session (sts:AssumeRoot).
func rootSession(c *api.Call) bool { return c.Caller.Session != nil && c.Caller.Session.AssumedRoot }

// allowRootRecovery is CreateLoginProfile without UserName in a privileged root session: it must
// come without a password, and allows the root user to recover one (task IAMCreateRootUserPassword).
func allowRootRecovery(c *api.Call, in *CreateLoginProfileInput) (*LoginProfileOutput, error) {
	if in.Password != nil {
		return nil, awserr.New(awserr.InvalidInput, "In a privileged root session, CreateLoginProfile allows password recovery and takes no Password.")
	}
	lp, err := c.IAM.AllowRootPasswordRecovery(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	return loginProfileOutput(lp), nil
}

// GetLoginProfileInput names the user ("" the caller, the root user included).
type GetLoginProfileInput struct {
	UserName string
}

func getLoginProfile(c *api.Call, in *GetLoginProfileInput) (*LoginProfileOutput, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	lp, err := c.IAM.GetLoginProfile(c.Ctx, c.Account(), n)
	if err != nil {
		return nil, err
	}
	return loginProfileOutput(lp), nil
}

// UpdateLoginProfileInput changes a user's password and/or its reset flag; a nil member is left as
// it is.
type UpdateLoginProfileInput struct {
	UserName              string `required:"true"`
	Password              *string
	PasswordResetRequired *bool
}

func updateLoginProfile(c *api.Call, in *UpdateLoginProfileInput) (*struct{}, error) {
	// A password sent empty is "" (the decoder's rule for pointer members), which the service
	// refuses: it is not "no password given", which would keep the old one and answer success.
	return nil, c.IAM.UpdateLoginProfile(c.Ctx, c.Account(), in.UserName, in.Password, in.PasswordResetRequired)
}

// DeleteLoginProfileInput names the user ("" the caller, the root user included).
type DeleteLoginProfileInput struct {
	UserName string
}

func deleteLoginProfile(c *api.Call, in *DeleteLoginProfileInput) (*struct{}, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	return nil, c.IAM.DeleteLoginProfile(c.Ctx, c.Account(), n)
}
