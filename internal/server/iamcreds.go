package server

import (
	"encoding/base64"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"math"
	"sort"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
)

// The credential side of IAM over awsQuery: login profiles and the account password policy, MFA
// devices, signing certificates, GetAccountSummary and GetAccountAuthorizationDetails. Shapes follow
// the IAM API reference and the aws-sdk-go-v2 service/iam types (LoginProfile, PasswordPolicy,
// VirtualMFADevice, MFADevice, SigningCertificate, UserDetail, GroupDetail, RoleDetail,
// ManagedPolicyDetail).

// codeInvalidUserType is ChangePassword's answer to a caller that is not an IAM user ("If this
// command is called using account (root) credentials, the command returns an InvalidUserType
// error", AWS CLI reference, iam change-password).
const codeInvalidUserType = "InvalidUserType"

// selfServiceGrant is the permission IAM gives every IAM user when the password policy sets
// AllowUsersToChangePassword: "Gives IAM users permissions to iam:ChangePassword for only their user
// and to the iam:GetAccountPasswordPolicy action ... the permissions are applied at the
// account-level for all users by IAM" (IAM API reference, PasswordPolicy). ChangePassword only ever
// acts on the caller, so Resource "*" grants no more than "their user".
var selfServiceGrant = mustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword","iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`)

func mustParse(doc string) *policy.Policy {
	p, err := policy.Parse(doc, policy.KindIdentity)
	if err != nil {
		panic(err)
	}
	p.Name = "account password policy (AllowUsersToChangePassword)"
	return p
}

// credUser is the user a credential operation acts on: the UserName parameter, else the calling
// IAM user, else "" for a root caller (these operations act on the root user then: IAM API
// Reference, e.g. ListAccessKeys: "If the UserName is not specified, the user name is determined
// implicitly based on the AWS access key ID used to sign the request"), else a ValidationError (a role must name the user).
func credUser(c *call) (string, error) {
	if n := c.params.Get("UserName"); n != "" {
		return n, nil
	}
	if c.Caller.Type == iam.PrincipalRoot {
		return "", nil
	}
	return needUser(c)
}

// selfRes is the caller's own user ARN, whatever parameters the request carries.
func selfRes(c *call) string {
	if c.Caller.UserName != "" {
		if u, err := c.s.iam.GetUser(c.Ctx, c.Account(), c.Caller.UserName); err == nil {
			return u.Arn
		}
	}
	return c.Caller.ARN
}

// authorizeSelfService authorizes ChangePassword and GetAccountPasswordPolicy: the caller's policies
// decide, with IAM's account-level grant added as one more identity policy for IAM users when the
// password policy allows users to change their passwords (so explicit denies, boundaries and
// session policies still apply).
func authorizeSelfService(action string, resource func(c *call) string) func(c *call) error {
	return func(c *call) error {
		res := resource(c)
		// The caller's own user is the resource: its tags are aws:ResourceTag/* and
		// iam:ResourceTag/*, as on any action on a user.
		f, err := c.s.iam.ResourceFacts(c.Ctx, c.Account(), res)
		if err != nil {
			return err
		}
		keys := func(ctx *policy.Context) {
			if f != nil {
				setResourceTags(ctx, f.Tags, true)
			}
		}
		err = c.Authorize(action, res, keys)
		if err == nil || !awserr.IsCode(err, awserr.AccessDenied) || c.Caller.Type != iam.PrincipalUser {
			return err
		}
		pol, perr := c.s.iam.GetAccountPasswordPolicy(c.Ctx, c.Account())
		if perr != nil || !pol.AllowUsersToChangePassword {
			return err
		}
		in, ierr := c.Authorizer().Input(&c.Request)
		if ierr != nil {
			return ierr
		}
		eval := *in
		eval.Identity = append(append([]*policy.Policy(nil), in.Identity...), selfServiceGrant)
		ctx, release := c.PolicyContext(keys)
		defer release()
		d := policy.Evaluate(&eval, &policy.Request{Action: action, Resource: res, Context: ctx,
			Principal: c.Caller.PolicyPrincipal()})
		if d.Allowed() {
			return nil
		}
		return authz.AccessDenied(c.Caller, action, res, d)
	}
}

type loginProfileOut struct {
	UserName              string        `xml:"UserName,omitempty"`
	CreateDate            awsproto.Time `xml:"CreateDate"`
	PasswordResetRequired bool          `xml:"PasswordResetRequired"`
}

func loginProfileXML(lp *iam.LoginProfile) any {
	return struct {
		LoginProfile loginProfileOut `xml:"LoginProfile"`
	}{loginProfileOut{lp.UserName, awsproto.Time(lp.CreateDate), lp.PasswordResetRequired}}
}

type passwordPolicyOut struct {
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

// optInt returns an integer parameter, nil when absent; range checks are the service's.
func optInt(c *call, name string) (*int, error) {
	if !c.params.Has(name) {
		return nil, nil
	}
	n, err := c.params.Int(name, 0, math.MinInt32, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// optBool returns a boolean parameter, nil when absent.
func optBool(c *call, name string) (*bool, error) {
	if !c.params.Has(name) {
		return nil, nil
	}
	b, err := c.params.Bool(name, false)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// userOut is the User shape inside VirtualMFADevice: for the root user IAM gives only its ID (the
// account ID), ARN and creation date.
type userOut struct {
	Path       string        `xml:"Path,omitempty"`
	UserName   string        `xml:"UserName,omitempty"`
	UserID     string        `xml:"UserId"`
	Arn        string        `xml:"Arn"`
	CreateDate awsproto.Time `xml:"CreateDate"`
}

type virtualMFAOut struct {
	SerialNumber     string         `xml:"SerialNumber"`
	Base32StringSeed string         `xml:"Base32StringSeed,omitempty"`
	QRCodePNG        string         `xml:"QRCodePNG,omitempty"`
	User             *userOut       `xml:"User,omitempty"`
	EnableDate       *awsproto.Time `xml:"EnableDate,omitempty"`
	Tags             []iam.Tag      `xml:"Tags>member,omitempty"`
}

// virtualMFAXML encodes a device; blobs are base64 on the wire (Smithy, "AWS query protocol",
// https://smithy.io/2.0/aws/protocols/aws-query-protocol.html).
func virtualMFAXML(c *call, d *iam.VirtualMFADevice) (virtualMFAOut, error) {
	out := virtualMFAOut{SerialNumber: d.SerialNumber, Tags: d.Tags}
	if d.Base32StringSeed != "" {
		out.Base32StringSeed = base64.StdEncoding.EncodeToString([]byte(d.Base32StringSeed))
		out.QRCodePNG = base64.StdEncoding.EncodeToString(d.QRCodePNG)
	}
	if d.EnableDate != nil {
		t := awsproto.Time(*d.EnableDate)
		out.EnableDate = &t
	}
	switch {
	case d.User != nil:
		u := d.User
		out.User = &userOut{u.Path, u.UserName, u.UserID, u.Arn, awsproto.Time(u.CreateDate)}
	case d.AssignedToRoot:
		a, err := c.s.iam.GetAccount(c.Ctx, c.Account())
		if err != nil {
			return out, err
		}
		out.User = &userOut{UserID: a.ID, Arn: a.RootARN(), CreateDate: awsproto.Time(a.CreatedAt)}
	}
	return out, nil
}

type mfaDeviceOut struct {
	UserName     string        `xml:"UserName,omitempty"`
	SerialNumber string        `xml:"SerialNumber"`
	EnableDate   awsproto.Time `xml:"EnableDate"`
}

type certOut struct {
	UserName        string        `xml:"UserName,omitempty"`
	CertificateID   string        `xml:"CertificateId"`
	CertificateBody string        `xml:"CertificateBody"`
	Status          string        `xml:"Status"`
	UploadDate      awsproto.Time `xml:"UploadDate"`
}

func certXML(sc *iam.SigningCertificate) certOut {
	return certOut{sc.UserName, sc.CertificateID, sc.CertificateBody, sc.Status, awsproto.Time(sc.UploadDate)}
}

type policyDetailOut struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func inlineXML(ps []iam.InlinePolicy) []policyDetailOut {
	out := make([]policyDetailOut, len(ps))
	for i, p := range ps {
		out[i] = policyDetailOut{p.PolicyName, encodeDoc(p.PolicyDocument)}
	}
	return out
}

type userDetailOut struct {
	Path                    string               `xml:"Path"`
	UserName                string               `xml:"UserName"`
	UserID                  string               `xml:"UserId"`
	Arn                     string               `xml:"Arn"`
	CreateDate              awsproto.Time        `xml:"CreateDate"`
	UserPolicyList          []policyDetailOut    `xml:"UserPolicyList>member"`
	GroupList               []string             `xml:"GroupList>member"`
	AttachedManagedPolicies []iam.AttachedPolicy `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary     *iam.Boundary        `xml:"PermissionsBoundary,omitempty"`
	Tags                    []iam.Tag            `xml:"Tags>member,omitempty"`
}

type groupDetailOut struct {
	Path                    string               `xml:"Path"`
	GroupName               string               `xml:"GroupName"`
	GroupID                 string               `xml:"GroupId"`
	Arn                     string               `xml:"Arn"`
	CreateDate              awsproto.Time        `xml:"CreateDate"`
	GroupPolicyList         []policyDetailOut    `xml:"GroupPolicyList>member"`
	AttachedManagedPolicies []iam.AttachedPolicy `xml:"AttachedManagedPolicies>member"`
}

type roleDetailOut struct {
	Path                     string        `xml:"Path"`
	RoleName                 string        `xml:"RoleName"`
	RoleID                   string        `xml:"RoleId"`
	Arn                      string        `xml:"Arn"`
	CreateDate               awsproto.Time `xml:"CreateDate"`
	AssumeRolePolicyDocument string        `xml:"AssumeRolePolicyDocument"`
	// InstanceProfileList is always empty: Rootward has no instance profiles.
	InstanceProfileList     struct{}             `xml:"InstanceProfileList"`
	RolePolicyList          []policyDetailOut    `xml:"RolePolicyList>member"`
	AttachedManagedPolicies []iam.AttachedPolicy `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary     *iam.Boundary        `xml:"PermissionsBoundary,omitempty"`
	Tags                    []iam.Tag            `xml:"Tags>member,omitempty"`
	RoleLastUsed            *iam.RoleLastUsed    `xml:"RoleLastUsed,omitempty"`
}

type managedPolicyDetailOut struct {
	PolicyName                    string             `xml:"PolicyName"`
	PolicyID                      string             `xml:"PolicyId"`
	Arn                           string             `xml:"Arn"`
	Path                          string             `xml:"Path"`
	DefaultVersionID              string             `xml:"DefaultVersionId"`
	AttachmentCount               int                `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int                `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool               `xml:"IsAttachable"`
	Description                   string             `xml:"Description,omitempty"`
	CreateDate                    awsproto.Time      `xml:"CreateDate"`
	UpdateDate                    awsproto.Time      `xml:"UpdateDate"`
	PolicyVersionList             []policyVersionOut `xml:"PolicyVersionList>member"`
}

func authDetailsXML(d *iam.AuthorizationDetails) any {
	out := struct {
		UserDetailList  []userDetailOut          `xml:"UserDetailList>member"`
		GroupDetailList []groupDetailOut         `xml:"GroupDetailList>member"`
		RoleDetailList  []roleDetailOut          `xml:"RoleDetailList>member"`
		Policies        []managedPolicyDetailOut `xml:"Policies>member"`
		paged
	}{paged: paged{IsTruncated: d.IsTruncated, Marker: d.Marker}}
	for _, u := range d.Users {
		out.UserDetailList = append(out.UserDetailList, userDetailOut{
			Path: u.Path, UserName: u.UserName, UserID: u.UserID, Arn: u.Arn, CreateDate: awsproto.Time(u.CreateDate),
			UserPolicyList: inlineXML(u.UserPolicyList), GroupList: u.GroupList, AttachedManagedPolicies: u.AttachedManagedPolicies,
			PermissionsBoundary: u.PermissionsBoundary, Tags: u.Tags,
		})
	}
	for _, g := range d.Groups {
		out.GroupDetailList = append(out.GroupDetailList, groupDetailOut{
			Path: g.Path, GroupName: g.GroupName, GroupID: g.GroupID, Arn: g.Arn, CreateDate: awsproto.Time(g.CreateDate),
			GroupPolicyList: inlineXML(g.GroupPolicyList), AttachedManagedPolicies: g.AttachedManagedPolicies,
		})
	}
	for _, r := range d.Roles {
		out.RoleDetailList = append(out.RoleDetailList, roleDetailOut{
			Path: r.Path, RoleName: r.RoleName, RoleID: r.RoleID, Arn: r.Arn, CreateDate: awsproto.Time(r.CreateDate),
			AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicyDocument), RolePolicyList: inlineXML(r.RolePolicyList),
			AttachedManagedPolicies: r.AttachedManagedPolicies, PermissionsBoundary: r.PermissionsBoundary, Tags: r.Tags,
			RoleLastUsed: r.RoleLastUsed,
		})
	}
	for _, p := range d.Policies {
		mp := managedPolicyDetailOut{
			PolicyName: p.PolicyName, PolicyID: p.PolicyID, Arn: p.Arn, Path: p.Path, DefaultVersionID: p.DefaultVersionID,
			AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
			IsAttachable: p.IsAttachable, Description: p.Description, CreateDate: awsproto.Time(p.CreateDate),
			UpdateDate: awsproto.Time(p.UpdateDate),
		}
		for _, v := range p.Versions {
			mp.PolicyVersionList = append(mp.PolicyVersionList, versionXML(v))
		}
		out.Policies = append(out.Policies, mp)
	}
	return out
}

// mfaRes is the ARN a serial number names when it is one of the account's virtual devices.
func mfaRes(c *call) string {
	if s := c.params.Get("SerialNumber"); strings.HasPrefix(s, arn.IAM(c.Account(), "mfa/")) {
		return s
	}
	return arnOf(c, "mfa", "")
}

// addCredentialOps registers the operations of this file in the IAM operation table.
func addCredentialOps(ops map[string]*op) {
	// Login profiles and passwords.
	ops["CreateLoginProfile"] = &op{resource: userRes, run: func(c *call) (any, error) {
		if c.params.Get("UserName") == "" && c.rootSession() {
			return allowRootRecovery(c)
		}
		n, err := needUser(c)
		if err != nil {
			return nil, err
		}
		reset, err := c.params.Bool("PasswordResetRequired", false)
		if err != nil {
			return nil, err
		}
		lp, err := c.s.iam.CreateLoginProfile(c.Ctx, c.Account(), n, c.params.Get("Password"), reset)
		if err != nil {
			return nil, err
		}
		return loginProfileXML(lp), nil
	}}
	ops["GetLoginProfile"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := credUser(c)
		if err != nil {
			return nil, err
		}
		lp, err := c.s.iam.GetLoginProfile(c.Ctx, c.Account(), n)
		if err != nil {
			return nil, err
		}
		return loginProfileXML(lp), nil
	}}
	ops["UpdateLoginProfile"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := c.params.Required("UserName")
		if err != nil {
			return nil, err
		}
		reset, err := optBool(c, "PasswordResetRequired")
		if err != nil {
			return nil, err
		}
		var pw *string
		if c.params.Has("Password") {
			v := c.params.Get("Password")
			pw = &v
		}
		return nil, c.s.iam.UpdateLoginProfile(c.Ctx, c.Account(), n, pw, reset)
	}}
	ops["DeleteLoginProfile"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := credUser(c)
		if err != nil {
			return nil, err
		}
		return nil, c.s.iam.DeleteLoginProfile(c.Ctx, c.Account(), n)
	}}
	ops["ChangePassword"] = &op{authorize: authorizeSelfService("iam:ChangePassword", selfRes), run: func(c *call) (any, error) {
		if c.Caller.Type != iam.PrincipalUser {
			return nil, awserr.New(codeInvalidUserType, "Only IAM users can change their own password; the caller is %s.", c.Caller.ARN)
		}
		return nil, c.s.iam.ChangePassword(c.Ctx, c.Account(), c.Caller.UserName, c.params.Get("OldPassword"), c.params.Get("NewPassword"))
	}}

	// Account password policy.
	ops["UpdateAccountPasswordPolicy"] = &op{run: func(c *call) (any, error) {
		var in iam.PasswordPolicyInput
		var err error
		for _, f := range []struct {
			name string
			dst  **int
		}{{"MinimumPasswordLength", &in.MinimumPasswordLength}, {"MaxPasswordAge", &in.MaxPasswordAge}, {"PasswordReusePrevention", &in.PasswordReusePrevention}} {
			if *f.dst, err = optInt(c, f.name); err != nil {
				return nil, err
			}
		}
		for _, f := range []struct {
			name string
			dst  *bool
		}{
			{"RequireSymbols", &in.RequireSymbols}, {"RequireNumbers", &in.RequireNumbers},
			{"RequireUppercaseCharacters", &in.RequireUppercaseCharacters}, {"RequireLowercaseCharacters", &in.RequireLowercaseCharacters},
			{"AllowUsersToChangePassword", &in.AllowUsersToChangePassword},
		} {
			if *f.dst, err = c.params.Bool(f.name, false); err != nil {
				return nil, err
			}
		}
		if in.HardExpiry, err = optBool(c, "HardExpiry"); err != nil {
			return nil, err
		}
		return nil, c.s.iam.UpdateAccountPasswordPolicy(c.Ctx, c.Account(), in)
	}}
	ops["GetAccountPasswordPolicy"] = &op{authorize: authorizeSelfService("iam:GetAccountPasswordPolicy", func(*call) string { return "*" }), run: func(c *call) (any, error) {
		p, err := c.s.iam.GetAccountPasswordPolicy(c.Ctx, c.Account())
		if err != nil {
			return nil, err
		}
		return struct {
			PasswordPolicy passwordPolicyOut `xml:"PasswordPolicy"`
		}{passwordPolicyOut{
			p.MinimumPasswordLength, p.RequireSymbols, p.RequireNumbers, p.RequireUppercaseCharacters,
			p.RequireLowercaseCharacters, p.AllowUsersToChangePassword, p.ExpirePasswords(), p.MaxPasswordAge,
			p.PasswordReusePrevention, p.HardExpiry,
		}}, nil
	}}
	ops["DeleteAccountPasswordPolicy"] = &op{run: func(c *call) (any, error) {
		return nil, c.s.iam.DeleteAccountPasswordPolicy(c.Ctx, c.Account())
	}}

	// MFA devices.
	ops["CreateVirtualMFADevice"] = &op{resource: newRes("mfa", "VirtualMFADeviceName"), keys: tagRequestKeys, run: func(c *call) (any, error) {
		d, err := c.s.iam.CreateVirtualMFADevice(c.Ctx, c.Account(), iam.CreateVirtualMFADeviceInput{
			VirtualMFADeviceName: c.params.Get("VirtualMFADeviceName"), Path: c.params.Get("Path"), Tags: tagsParam(c, "Tags"),
		})
		if err != nil {
			return nil, err
		}
		out, err := virtualMFAXML(c, d)
		return struct {
			VirtualMFADevice virtualMFAOut `xml:"VirtualMFADevice"`
		}{out}, err
	}}
	ops["EnableMFADevice"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := c.params.Required("UserName")
		if err != nil {
			return nil, err
		}
		return nil, c.mfaOutcome(c.s.iam.EnableMFADevice(c.Ctx, c.Account(), n, c.params.Get("SerialNumber"),
			c.params.Get("AuthenticationCode1"), c.params.Get("AuthenticationCode2")))
	}}
	ops["ResyncMFADevice"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := c.params.Required("UserName")
		if err != nil {
			return nil, err
		}
		return nil, c.mfaOutcome(c.s.iam.ResyncMFADevice(c.Ctx, c.Account(), n, c.params.Get("SerialNumber"),
			c.params.Get("AuthenticationCode1"), c.params.Get("AuthenticationCode2")))
	}}
	ops["DeactivateMFADevice"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := credUser(c)
		if err != nil {
			return nil, err
		}
		// A privileged root session (sts:AssumeRoot, IAMDeleteRootUserCredentials) removes a member's
		// root credentials centrally on purpose, so the guard does not apply to it.
		centrally := c.Caller.Session != nil && c.Caller.Session.AssumedRoot
		if n == "" && c.RootMFAGuard != nil && !centrally {
			if err := c.RootMFAGuard(c.Ctx, c.Account(), c.params.Get("SerialNumber")); err != nil {
				return nil, err
			}
		}
		return nil, c.s.iam.DeactivateMFADevice(c.Ctx, c.Account(), n, c.params.Get("SerialNumber"))
	}}
	ops["DeleteVirtualMFADevice"] = &op{resource: mfaRes, run: func(c *call) (any, error) {
		return nil, c.s.iam.DeleteVirtualMFADevice(c.Ctx, c.Account(), c.params.Get("SerialNumber"))
	}}
	ops["ListMFADevices"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := credUser(c)
		if err != nil {
			return nil, err
		}
		o, err := listOpts(c)
		if err != nil {
			return nil, err
		}
		p, err := c.s.iam.ListMFADevices(c.Ctx, c.Account(), n, o)
		out := make([]mfaDeviceOut, len(p.Items))
		for i, d := range p.Items {
			out[i] = mfaDeviceOut{d.UserName, d.SerialNumber, awsproto.Time(d.EnableDate)}
		}
		return struct {
			MFADevices []mfaDeviceOut `xml:"MFADevices>member"`
			paged
		}{out, pageOf(p)}, err
	}}
	ops["ListVirtualMFADevices"] = &op{run: func(c *call) (any, error) {
		o, err := listOpts(c)
		if err != nil {
			return nil, err
		}
		p, err := c.s.iam.ListVirtualMFADevices(c.Ctx, c.Account(), c.params.Get("AssignmentStatus"), o)
		if err != nil {
			return nil, err
		}
		out := make([]virtualMFAOut, len(p.Items))
		for i := range p.Items {
			if out[i], err = virtualMFAXML(c, &p.Items[i]); err != nil {
				return nil, err
			}
		}
		return struct {
			VirtualMFADevices []virtualMFAOut `xml:"VirtualMFADevices>member"`
			paged
		}{out, pageOf(p)}, nil
	}}

	// Signing certificates.
	ops["UploadSigningCertificate"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := credUser(c)
		if err != nil {
			return nil, err
		}
		sc, err := c.s.iam.UploadSigningCertificate(c.Ctx, c.Account(), n, c.params.Get("CertificateBody"))
		if err != nil {
			return nil, err
		}
		return struct {
			Certificate certOut `xml:"Certificate"`
		}{certXML(sc)}, nil
	}}
	ops["UpdateSigningCertificate"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := credUser(c)
		if err != nil {
			return nil, err
		}
		return nil, c.s.iam.UpdateSigningCertificate(c.Ctx, c.Account(), n, c.params.Get("CertificateId"), c.params.Get("Status"))
	}}
	ops["DeleteSigningCertificate"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := credUser(c)
		if err != nil {
			return nil, err
		}
		return nil, c.s.iam.DeleteSigningCertificate(c.Ctx, c.Account(), n, c.params.Get("CertificateId"))
	}}
	ops["ListSigningCertificates"] = &op{resource: userRes, run: func(c *call) (any, error) {
		n, err := credUser(c)
		if err != nil {
			return nil, err
		}
		o, err := listOpts(c)
		if err != nil {
			return nil, err
		}
		p, err := c.s.iam.ListSigningCertificates(c.Ctx, c.Account(), n, o)
		out := make([]certOut, len(p.Items))
		for i := range p.Items {
			out[i] = certXML(&p.Items[i])
		}
		return struct {
			Certificates []certOut `xml:"Certificates>member"`
			paged
		}{out, pageOf(p)}, err
	}}

	// Account-wide reads.
	ops["GetAccountSummary"] = &op{run: func(c *call) (any, error) {
		m, err := c.s.iam.GetAccountSummary(c.Ctx, c.Account())
		if err != nil {
			return nil, err
		}
		type entry struct {
			Key   string `xml:"key"`
			Value int    `xml:"value"`
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		entries := make([]entry, len(keys))
		for i, k := range keys {
			entries[i] = entry{k, m[k]}
		}
		return struct {
			SummaryMap []entry `xml:"SummaryMap>entry"`
		}{entries}, nil
	}}
	ops["GetAccountAuthorizationDetails"] = &op{run: func(c *call) (any, error) {
		o, err := listOpts(c)
		if err != nil {
			return nil, err
		}
		d, err := c.s.iam.GetAccountAuthorizationDetails(c.Ctx, c.Account(), c.params.List("Filter"), o)
		if err != nil {
			return nil, err
		}
		return authDetailsXML(d), nil
	}}
}
