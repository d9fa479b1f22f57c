package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Signing certificates: X.509 certificates of a user (or, with no UserName, of the calling root
// user).

var UploadSigningCertificate = add(&api.Op[UploadSigningCertificateInput, UploadSigningCertificateOutput]{
	Name: "UploadSigningCertificate", Resource: func(c *api.Call, in *UploadSigningCertificateInput) string { return userARN(c, in.UserName) },
	Run: uploadSigningCertificate})

var UpdateSigningCertificate = add(&api.Op[UpdateSigningCertificateInput, struct{}]{
	Name: "UpdateSigningCertificate", Resource: func(c *api.Call, in *UpdateSigningCertificateInput) string { return userARN(c, in.UserName) },
	Run: updateSigningCertificate})

var DeleteSigningCertificate = add(&api.Op[DeleteSigningCertificateInput, struct{}]{
	Name: "DeleteSigningCertificate", Resource: func(c *api.Call, in *DeleteSigningCertificateInput) string { return userARN(c, in.UserName) },
	Run: deleteSigningCertificate})

var ListSigningCertificates = add(&api.Op[ListSigningCertificatesInput, ListSigningCertificatesOutput]{
	Name: "ListSigningCertificates", Resource: func(c *api.Call, in *ListSigningCertificatesInput) string { return userARN(c, in.UserName) },
	Run: listSigningCertificates})

// SigningCertificate is IAM's SigningCertificate (no UserName for the root user's).
type SigningCertificate struct {
	UserName        string        `xml:"UserName,omitempty"`
	CertificateID   string        `xml:"CertificateId"`
	CertificateBody string        `xml:"CertificateBody"`
	Status          string        `xml:"Status"`
	UploadDate      awsproto.Time `xml:"UploadDate"`
}

func signingCertificateOf(sc *iam.SigningCertificate) SigningCertificate {
	return SigningCertificate{sc.UserName, sc.CertificateID, sc.CertificateBody, sc.Status, awsproto.Time(sc.UploadDate)}
}

// UploadSigningCertificateInput is a PEM-encoded certificate for a user ("" the caller).
type UploadSigningCertificateInput struct {
	UserName        string
	CertificateBody string
}

// UploadSigningCertificateOutput is the certificate uploaded.
type UploadSigningCertificateOutput struct {
	Certificate SigningCertificate `xml:"Certificate"`
}

func uploadSigningCertificate(c *api.Call, in *UploadSigningCertificateInput) (*UploadSigningCertificateOutput, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	sc, err := c.IAM.UploadSigningCertificate(c.Ctx, c.Account(), n, in.CertificateBody)
	if err != nil {
		return nil, err
	}
	return &UploadSigningCertificateOutput{signingCertificateOf(sc)}, nil
}

// UpdateSigningCertificateInput sets a certificate's Status (Active or Inactive).
type UpdateSigningCertificateInput struct {
	UserName      string
	CertificateID string `query:"CertificateId"`
	Status        string
}

func updateSigningCertificate(c *api.Call, in *UpdateSigningCertificateInput) (*struct{}, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	return nil, c.IAM.UpdateSigningCertificate(c.Ctx, c.Account(), n, in.CertificateID, in.Status)
}

// DeleteSigningCertificateInput names the certificate and its user ("" the caller).
type DeleteSigningCertificateInput struct {
	UserName      string
	CertificateID string `query:"CertificateId"`
}

func deleteSigningCertificate(c *api.Call, in *DeleteSigningCertificateInput) (*struct{}, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	return nil, c.IAM.DeleteSigningCertificate(c.Ctx, c.Account(), n, in.CertificateID)
}

// ListSigningCertificatesInput names the user ("" the caller).
type ListSigningCertificatesInput struct {
	UserName string
	ListInput
}

// ListSigningCertificatesOutput is a page of a user's certificates.
type ListSigningCertificatesOutput struct {
	Certificates []SigningCertificate `xml:"Certificates>member"`
	Paged
}

func listSigningCertificates(c *api.Call, in *ListSigningCertificatesInput) (*ListSigningCertificatesOutput, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	p, err := c.IAM.ListSigningCertificates(c.Ctx, c.Account(), n, in.Opts())
	if err != nil {
		return nil, err
	}
	out := &ListSigningCertificatesOutput{Certificates: make([]SigningCertificate, len(p.Items)), Paged: PageOf(p)}
	for i := range p.Items {
		out.Certificates[i] = signingCertificateOf(&p.Items[i])
	}
	return out, nil
}
