package stsapi

import (
	"net/http"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/sts"
)

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
// *awserr.Error the failing call answered; the deletion reports what was removed before it.
func DeleteRootCredentials(r *api.Runner, req *http.Request, p authz.Principal, member string) (*RootCredentialDeletion, error) {
	// Refuse before a root session is opened for steps that could not run.
	for _, op := range []api.Operation{iamapi.GetLoginProfile, iamapi.DeleteLoginProfile, iamapi.ListAccessKeys,
		iamapi.DeleteAccessKey, iamapi.ListSigningCertificates, iamapi.DeleteSigningCertificate, iamapi.ListMFADevices,
		iamapi.DeactivateMFADevice, iamapi.DeleteVirtualMFADevice} {
		if !r.Serves(op) {
			return nil, awserr.New(awserr.InvalidAction, "Rootward cannot delete root credentials here: IAM's %s is not served.", api.OpName(op))
		}
	}
	assumed, err := api.Invoke(r, req, p, AssumeRoot, &AssumeRootInput{TargetPrincipal: member,
		TaskPolicyArn: PolicyDescriptor{Arn: orgs.TaskPolicyPrefix + orgs.TaskDeleteRootUserCredentials}})
	if err != nil {
		return nil, err
	}
	keyID := assumed.Credentials.AccessKeyID
	sess, err := r.Deps().IAM.Session(req.Context(), keyID, assumed.Credentials.SessionToken, r.Now())
	if err != nil {
		return nil, err
	}
	id := sts.SessionIdentity(sess)
	id.AccessKeyID = keyID

	out := &RootCredentialDeletion{Account: member, SessionKeyID: keyID}
	switch _, err := api.InvokeAs(r, req, id, iamapi.GetLoginProfile, &iamapi.GetLoginProfileInput{}); {
	case err == nil:
		if _, err := api.InvokeAs(r, req, id, iamapi.DeleteLoginProfile, &iamapi.DeleteLoginProfileInput{}); err != nil {
			return out, err
		}
		out.LoginProfile = true
	case !awserr.IsCode(err, awserr.NoSuchEntity):
		return out, err
	}
	keys, err := api.InvokeAs(r, req, id, iamapi.ListAccessKeys, &iamapi.ListAccessKeysInput{})
	if err != nil {
		return out, err
	}
	for _, k := range keys.AccessKeyMetadata {
		if _, err := api.InvokeAs(r, req, id, iamapi.DeleteAccessKey, &iamapi.AccessKeyInput{AccessKeyID: k.AccessKeyID}); err != nil {
			return out, err
		}
		out.AccessKeys = append(out.AccessKeys, k.AccessKeyID)
	}
	certs, err := api.InvokeAs(r, req, id, iamapi.ListSigningCertificates, &iamapi.ListSigningCertificatesInput{})
	if err != nil {
		return out, err
	}
	for _, c := range certs.Certificates {
		if _, err := api.InvokeAs(r, req, id, iamapi.DeleteSigningCertificate, &iamapi.DeleteSigningCertificateInput{CertificateID: c.CertificateID}); err != nil {
			return out, err
		}
		out.SigningCertificates = append(out.SigningCertificates, c.CertificateID)
	}
	mfa, err := api.InvokeAs(r, req, id, iamapi.ListMFADevices, &iamapi.ListMFADevicesInput{})
	if err != nil {
		return out, err
	}
	for _, d := range mfa.MFADevices {
		if _, err := api.InvokeAs(r, req, id, iamapi.DeactivateMFADevice, &iamapi.DeactivateMFADeviceInput{SerialNumber: d.SerialNumber}); err != nil {
			return out, err
		}
		if iam.MFADeviceType(member, d.SerialNumber) == iam.MFAVirtual {
			if _, err := api.InvokeAs(r, req, id, iamapi.DeleteVirtualMFADevice, &iamapi.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber}); err != nil {
				return out, err
			}
		}
		out.MFADevices = append(out.MFADevices, d.SerialNumber)
	}
	return out, nil
}
