package stsapi

import (
	"bytes"
	"encoding/xml"
	"net/http"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
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
	iamSvc, _ := r.Service("iam")
	// Refuse before a root session is opened for steps that could not run.
	for _, action := range rootCredentialSteps {
		if iamSvc == nil || !iamSvc.Has(action) {
			return nil, awserr.New(awserr.InvalidAction, "Rootward cannot delete root credentials here: IAM's %s is not served.", action)
		}
	}
	assumed, err := api.Invoke(r, req, p, AssumeRoot, &AssumeRootInput{TargetPrincipal: member,
		TaskPolicyArn: PolicyDescriptor{Arn: orgs.TaskPolicyPrefix + orgs.TaskDeleteRootUserCredentials}})
	if err != nil {
		return nil, err
	}
	keyID := assumed.Credentials.AccessKeyID
	sess, err := r.Deps().IAM.Session(req.Context(), keyID, assumed.Credentials.SessionToken, r.NewCall(req).Now)
	if err != nil {
		return nil, err
	}
	id := sts.SessionIdentity(sess)
	id.AccessKeyID = keyID
	call := func(action string, params awsproto.Params, out any) error {
		op, _ := iamSvc.Op(action) // served: checked above
		res, err := r.InvokeQueryAs(req, id, op, params)
		if err != nil || out == nil || res == nil {
			return err
		}
		return decodeResult(action, res, out)
	}

	out := &RootCredentialDeletion{Account: member, SessionKeyID: keyID}
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

// rootCredentialSteps are the IAM actions DeleteRootCredentials calls in the root session.
var rootCredentialSteps = []string{"GetLoginProfile", "DeleteLoginProfile", "ListAccessKeys", "DeleteAccessKey",
	"ListSigningCertificates", "DeleteSigningCertificate", "ListMFADevices", "DeactivateMFADevice", "DeleteVirtualMFADevice"}

// decodeResult decodes res, an operation's output, into out through the wire encoding of its
// <ActionResult> element, as a client reads it.
func decodeResult(action string, res, out any) error {
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).EncodeElement(res, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
		return err
	}
	return xml.Unmarshal(buf.Bytes(), out)
}
