package server

import (
	"bytes"
	"encoding/xml"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"net/http"
	"regexp"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/policy"
)

// Centralized root access: IAM's five Organizations root-management operations (awsQuery) and
// sts:AssumeRoot, which opens a privileged root session on a member account (STS API Reference, AssumeRoot,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html; IAM User Guide, "Centrally manage root access for member accounts" and "Perform a privileged
// task on an AWS Organizations member account").

// addRootAccessOps registers EnableOrganizationsRootCredentialsManagement,
// EnableOrganizationsRootSessions, their Disable counterparts and ListOrganizationsFeatures. They
// take no input and answer OrganizationId and EnabledFeatures (the features that are on afterwards).
func addRootAccessOps(ops map[string]*op) {
	result := func(ra *orgs.RootAccess, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return struct {
			OrganizationID  string   `xml:"OrganizationId"`
			EnabledFeatures []string `xml:"EnabledFeatures>member"`
		}{ra.OrganizationID, ra.EnabledFeatures}, nil
	}
	for _, f := range []struct{ op, feature string }{
		{"OrganizationsRootCredentialsManagement", orgs.FeatureRootCredentialsManagement},
		{"OrganizationsRootSessions", orgs.FeatureRootSessions},
	} {
		ops["Enable"+f.op] = &op{run: func(c *call) (any, error) {
			return result(c.s.orgs.SetRootAccessFeature(c.Ctx, c.Account(), f.feature, true))
		}}
		ops["Disable"+f.op] = &op{run: func(c *call) (any, error) {
			return result(c.s.orgs.SetRootAccessFeature(c.Ctx, c.Account(), f.feature, false))
		}}
	}
	ops["ListOrganizationsFeatures"] = &op{run: func(c *call) (any, error) {
		return result(c.s.orgs.ListOrganizationsFeatures(c.Ctx, c.Account()))
	}}
}

// maxRootSession is AssumeRoot's longest (and default) session: "The value can range from 0
// seconds up to the maximum session duration of 900 seconds (15 minutes)" (STS API reference).
const maxRootSession = 900

var targetPrincipalPattern = regexp.MustCompile(`^(\d{12}|arn:aws:iam::(\d{12}):root)$`)

// assumeRootOp is sts:AssumeRoot. Authorization happens inside run, after the input is valid: the
// caller's own policies must allow sts:AssumeRoot on the member's root (arn:aws:iam::MEMBER:root)
// with the condition key sts:TaskPolicyArn, and the organization must let the caller's account open
// root sessions on the target.
func assumeRootOp() *op {
	return &op{authorize: func(*call) error { return nil }, run: assumeRoot}
}

func assumeRoot(c *call) (any, error) {
	p := c.params
	target, err := p.Required("TargetPrincipal")
	if err != nil {
		return nil, err
	}
	if len(target) < 12 || len(target) > 2048 {
		return nil, awsproto.Invalid("TargetPrincipal", target, "Member must have length between 12 and 2048")
	}
	m := targetPrincipalPattern.FindStringSubmatch(target)
	if m == nil {
		return nil, awserr.New(awserr.ValidationError, "TargetPrincipal must be a member account ID or its root user ARN (arn:aws:iam::ACCOUNT:root).")
	}
	member := m[1]
	if m[2] != "" {
		member = m[2]
	}
	taskARN, err := p.Required("TaskPolicyArn.arn")
	if err != nil {
		return nil, err
	}
	if !orgs.IsTaskPolicy(taskARN) {
		return nil, awserr.New(awserr.ValidationError, "TaskPolicyArn must be one of the root-task policies under %s.", orgs.TaskPolicyPrefix)
	}
	d, err := p.Int("DurationSeconds", maxRootSession, 0, maxRootSession)
	if err != nil {
		return nil, err
	}
	if c.Caller.Type == iam.PrincipalRoot {
		// "You cannot use root user credentials to make this call" (STS API reference,
		// AssumeRoot) — nor a root session's.
		return nil, awserr.New(awserr.AccessDenied, "Root user credentials cannot call sts:AssumeRoot.")
	}
	rootARN := arn.Root(member)
	if err := c.Authorize("sts:AssumeRoot", rootARN, func(ctx *policy.Context) {
		ctx.Set("sts:TaskPolicyArn", taskARN)
	}); err != nil {
		return nil, err
	}
	if err := c.s.orgs.RootSessionTarget(c.Ctx, c.Account(), member); err != nil {
		return nil, err
	}
	task, err := c.s.iam.GetPolicy(c.Ctx, member, taskARN)
	if err != nil {
		return nil, err
	}
	sess := &iam.Session{
		Account: member, Type: iam.PrincipalRoot, AssumedRoot: true, IssuedAt: c.Now.UTC().Truncate(time.Second),
		TaskPolicies: []iam.PolicyDoc{{Label: task.Arn, Document: task.DefaultDocument()}},
		SourceARN:    c.Caller.ARN, SourceAccount: c.Caller.Account, SourceID: c.Caller.UserID, SourceType: c.Caller.Type,
	}
	if c.Caller.Session != nil {
		sess.SourceIdentity = c.Caller.Session.SourceIdentity
	}
	sess.Expiration = sess.IssuedAt.Add(time.Duration(d) * time.Second)
	if err := c.s.iam.IssueSession(c.Ctx, sess); err != nil {
		return nil, err
	}
	// CloudTrail's AssumeRoot record (IAM User Guide, "Track privileged tasks in CloudTrail"): the task policy as a nested structure, and
	// the new key ID, which links the member account's records of the session to this call.
	c.TrailRequest = map[string]any{"targetPrincipal": target, "taskPolicyArn": map[string]any{"arn": taskARN}, "durationSeconds": d}
	c.TrailResponse = map[string]any{"credentials": map[string]any{
		"accessKeyId": sess.AccessKeyID, "expiration": sess.Expiration.UTC().Format(time.RFC3339),
	}}
	return struct {
		Credentials    credentialsOut `xml:"Credentials"`
		SourceIdentity string         `xml:"SourceIdentity,omitempty"`
	}{credsOf(sess), sess.SourceIdentity}, nil
}

// rootSession reports whether the caller is a privileged root session.
func (c *call) rootSession() bool { return c.Caller.Session != nil && c.Caller.Session.AssumedRoot }

// allowRootRecovery is CreateLoginProfile without UserName in a privileged root session: it must
// come without a password, and allows the root user to recover one (task IAMCreateRootUserPassword).
func allowRootRecovery(c *call) (any, error) {
	if c.params.Has("Password") {
		return nil, awserr.New(awserr.InvalidInput, "In a privileged root session, CreateLoginProfile allows password recovery and takes no Password.")
	}
	lp, err := c.s.iam.AllowRootPasswordRecovery(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	return loginProfileXML(lp), nil
}

// RootCredentialDeletion reports what DeleteRootCredentials removed from a member's root user.
type RootCredentialDeletion struct {
	Account string
	// SessionKeyID is the privileged root session's access key ID: the AssumeRoot record in the
	// caller's account and the session's records in the member account carry it.
	SessionKeyID        string
	LoginProfile        bool
	AccessKeys          []string
	SigningCertificates []string
	MFADevices          []string
}

// DeleteRootCredentials is the console's "delete root credentials" action for one member account
// of the root credential inventory. It is carried out as a privileged task, so that it is
// authorized and recorded like one: p calls sts:AssumeRoot with IAMDeleteRootUserCredentials
// (p's policies, the organization's features and SCPs decide), then the session lists and deletes
// the root's login profile, access keys, signing certificates and MFA devices (virtual devices are
// deleted after they are deactivated). Each step is an API call in CloudTrail. Errors are the
// *awserr.Error the failing call answered.
func (s *Server) DeleteRootCredentials(r *http.Request, p Principal, member string) (*RootCredentialDeletion, error) {
	var assumed struct {
		Credentials struct {
			AccessKeyID  string `xml:"AccessKeyId"`
			SessionToken string `xml:"SessionToken"`
		} `xml:"Credentials"`
	}
	err := s.InvokeInto(r, p, "sts", "AssumeRoot", awsproto.Params{
		"TargetPrincipal": member, "TaskPolicyArn.arn": orgs.TaskPolicyPrefix + orgs.TaskDeleteRootUserCredentials,
	}, &assumed)
	if err != nil {
		return nil, err
	}
	keyID := assumed.Credentials.AccessKeyID
	sess, err := s.iam.Session(r.Context(), keyID, assumed.Credentials.SessionToken, s.now())
	if err != nil {
		return nil, err
	}
	id := sessionIdentity(sess)
	id.AccessKeyID = keyID
	out := &RootCredentialDeletion{Account: member, SessionKeyID: keyID}
	call := func(action string, params awsproto.Params, result any) error {
		return s.invokeAs(r, id, "iam", action, params, result)
	}

	switch err := call("GetLoginProfile", nil, nil); {
	case err == nil:
		if err := call("DeleteLoginProfile", nil, nil); err != nil {
			return out, err
		}
		out.LoginProfile = true
	case !awserr.IsCode(err, awserr.NoSuchEntity):
		return out, err
	}
	var keys struct {
		IDs []string `xml:"AccessKeyMetadata>member>AccessKeyId"`
	}
	if err := call("ListAccessKeys", nil, &keys); err != nil {
		return out, err
	}
	for _, k := range keys.IDs {
		if err := call("DeleteAccessKey", awsproto.Params{"AccessKeyId": k}, nil); err != nil {
			return out, err
		}
		out.AccessKeys = append(out.AccessKeys, k)
	}
	var certs struct {
		IDs []string `xml:"Certificates>member>CertificateId"`
	}
	if err := call("ListSigningCertificates", nil, &certs); err != nil {
		return out, err
	}
	for _, c := range certs.IDs {
		if err := call("DeleteSigningCertificate", awsproto.Params{"CertificateId": c}, nil); err != nil {
			return out, err
		}
		out.SigningCertificates = append(out.SigningCertificates, c)
	}
	var mfa struct {
		Serials []string `xml:"MFADevices>member>SerialNumber"`
	}
	if err := call("ListMFADevices", nil, &mfa); err != nil {
		return out, err
	}
	for _, serial := range mfa.Serials {
		if err := call("DeactivateMFADevice", awsproto.Params{"SerialNumber": serial}, nil); err != nil {
			return out, err
		}
		if iam.MFADeviceType(member, serial) == iam.MFAVirtual {
			if err := call("DeleteVirtualMFADevice", awsproto.Params{"SerialNumber": serial}, nil); err != nil {
				return out, err
			}
		}
		out.MFADevices = append(out.MFADevices, serial)
	}
	return out, nil
}

// invokeAs runs an awsQuery operation as an already authenticated identity — here the privileged
// root session DeleteRootCredentials opened — along the path Invoke takes for console principals:
// authorization, the operation, its CloudTrail record and metrics. A non-nil out receives the
// result decoded as InvokeInto decodes it.
func (s *Server) invokeAs(r *http.Request, id *authz.Identity, service, action string, params awsproto.Params, out any) (err error) {
	c := s.legacyCall(r, service, action)
	c.Caller = id
	defer func() {
		if v := recover(); v != nil {
			err = s.runner.Recover(c.Call, v)
		}
		s.runner.Finish(c.Call, &err)
	}()
	res, moved, err := s.runMoved(c, service, action, params)
	if !moved {
		res, err = s.runLegacyAs(c, action, params)
	}
	if err != nil || out == nil || res == nil {
		return err
	}
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).EncodeElement(res, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
		return err
	}
	return xml.Unmarshal(buf.Bytes(), out)
}

// runLegacyAs runs an operation of the legacy tables for c's caller.
func (s *Server) runLegacyAs(c *call, action string, params awsproto.Params) (any, error) {
	o := c.svc.ops[action]
	c.params = awsproto.Params{"Action": action}
	for k, v := range params {
		c.params[k] = v
	}
	if err := s.authorizeOp(c, o); err != nil {
		return nil, err
	}
	return o.run(c)
}
