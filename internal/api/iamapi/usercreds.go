package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// A user's SSH public keys and service-specific credentials. UserName is required, except for
// ListSSHPublicKeys and ListServiceSpecificCredentials, which default to the calling IAM user.

// SSHPublicKey is IAM's SSHPublicKey; SSHPublicKeyMetadata drops the body and fingerprint.
type SSHPublicKey struct {
	UserName         string        `xml:"UserName"`
	SSHPublicKeyID   string        `xml:"SSHPublicKeyId"`
	Fingerprint      string        `xml:"Fingerprint"`
	SSHPublicKeyBody string        `xml:"SSHPublicKeyBody"`
	Status           string        `xml:"Status"`
	UploadDate       awsproto.Time `xml:"UploadDate"`
}

// SSHPublicKeyMetadata is a key as ListSSHPublicKeys lists it.
type SSHPublicKeyMetadata struct {
	UserName       string        `xml:"UserName"`
	SSHPublicKeyID string        `xml:"SSHPublicKeyId"`
	Status         string        `xml:"Status"`
	UploadDate     awsproto.Time `xml:"UploadDate"`
}

func sshPublicKeyOf(k *iam.SSHPublicKey) SSHPublicKey {
	return SSHPublicKey{k.UserName, k.SSHPublicKeyID, k.Fingerprint, k.Body, k.Status, awsproto.Time(k.UploadDate)}
}

// SSHPublicKeyOutput is the result of UploadSSHPublicKey and GetSSHPublicKey.
type SSHPublicKeyOutput struct {
	SSHPublicKey SSHPublicKey `xml:"SSHPublicKey"`
}

var UploadSSHPublicKey = add(&api.Op[UploadSSHPublicKeyInput, SSHPublicKeyOutput]{
	Name:     "UploadSSHPublicKey",
	Resource: func(c *api.Call, in *UploadSSHPublicKeyInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *UploadSSHPublicKeyInput) (*SSHPublicKeyOutput, error) {
		k, err := c.IAM.UploadSSHPublicKey(c.Ctx, c.Account(), in.UserName, in.SSHPublicKeyBody)
		if err != nil {
			return nil, err
		}
		return &SSHPublicKeyOutput{sshPublicKeyOf(k)}, nil
	},
})

// UploadSSHPublicKeyInput is UploadSSHPublicKey's request.
type UploadSSHPublicKeyInput struct {
	UserName         string `required:"true"`
	SSHPublicKeyBody string `required:"true"`
}

var GetSSHPublicKey = add(&api.Op[GetSSHPublicKeyInput, SSHPublicKeyOutput]{
	Name:     "GetSSHPublicKey",
	Resource: func(c *api.Call, in *GetSSHPublicKeyInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *GetSSHPublicKeyInput) (*SSHPublicKeyOutput, error) {
		k, err := c.IAM.GetSSHPublicKey(c.Ctx, c.Account(), in.UserName, in.SSHPublicKeyID, in.Encoding)
		if err != nil {
			return nil, err
		}
		return &SSHPublicKeyOutput{sshPublicKeyOf(k)}, nil
	},
})

// GetSSHPublicKeyInput is GetSSHPublicKey's request; Encoding is SSH or PEM.
type GetSSHPublicKeyInput struct {
	UserName       string `required:"true"`
	SSHPublicKeyID string `query:"SSHPublicKeyId" required:"true"`
	Encoding       string `required:"true"`
}

var ListSSHPublicKeys = add(&api.Op[ListSSHPublicKeysInput, ListSSHPublicKeysOutput]{
	Name:     "ListSSHPublicKeys",
	Resource: func(c *api.Call, in *ListSSHPublicKeysInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *ListSSHPublicKeysInput) (*ListSSHPublicKeysOutput, error) {
		n, err := needUser(c, in.UserName)
		if err != nil {
			return nil, err
		}
		p, err := c.IAM.ListSSHPublicKeys(c.Ctx, c.Account(), n, in.Opts())
		if err != nil {
			return nil, err
		}
		out := &ListSSHPublicKeysOutput{SSHPublicKeys: make([]SSHPublicKeyMetadata, len(p.Items)), Paged: PageOf(p)}
		for i, k := range p.Items {
			out.SSHPublicKeys[i] = SSHPublicKeyMetadata{k.UserName, k.SSHPublicKeyID, k.Status, awsproto.Time(k.UploadDate)}
		}
		return out, nil
	},
})

// ListSSHPublicKeysInput names the user ("" the caller).
type ListSSHPublicKeysInput struct {
	UserName string
	ListInput
}

// ListSSHPublicKeysOutput is a page of a user's keys.
type ListSSHPublicKeysOutput struct {
	SSHPublicKeys []SSHPublicKeyMetadata `xml:"SSHPublicKeys>member"`
	Paged
}

// SSHPublicKeyStatusInput is UpdateSSHPublicKey's request.
type SSHPublicKeyStatusInput struct {
	UserName       string `required:"true"`
	SSHPublicKeyID string `query:"SSHPublicKeyId" required:"true"`
	Status         string `required:"true"`
}

var UpdateSSHPublicKey = add(&api.Op[SSHPublicKeyStatusInput, struct{}]{
	Name:     "UpdateSSHPublicKey",
	Resource: func(c *api.Call, in *SSHPublicKeyStatusInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *SSHPublicKeyStatusInput) (*struct{}, error) {
		return nil, c.IAM.UpdateSSHPublicKey(c.Ctx, c.Account(), in.UserName, in.SSHPublicKeyID, in.Status)
	},
})

// SSHPublicKeyIDInput names a user's key.
type SSHPublicKeyIDInput struct {
	UserName       string `required:"true"`
	SSHPublicKeyID string `query:"SSHPublicKeyId" required:"true"`
}

var DeleteSSHPublicKey = add(&api.Op[SSHPublicKeyIDInput, struct{}]{
	Name:     "DeleteSSHPublicKey",
	Resource: func(c *api.Call, in *SSHPublicKeyIDInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *SSHPublicKeyIDInput) (*struct{}, error) {
		return nil, c.IAM.DeleteSSHPublicKey(c.Ctx, c.Account(), in.UserName, in.SSHPublicKeyID)
	},
})

// ServiceSpecificCredential is IAM's ServiceSpecificCredential (and, without the secrets, its
// ServiceSpecificCredentialMetadata): ServicePassword or ServiceCredentialSecret only in the
// answers to Create and Reset.
type ServiceSpecificCredential struct {
	CreateDate                  awsproto.Time  `xml:"CreateDate"`
	ExpirationDate              *awsproto.Time `xml:"ExpirationDate,omitempty"`
	ServiceName                 string         `xml:"ServiceName"`
	ServiceUserName             string         `xml:"ServiceUserName,omitempty"`
	ServicePassword             string         `xml:"ServicePassword,omitempty"`
	ServiceCredentialAlias      string         `xml:"ServiceCredentialAlias,omitempty"`
	ServiceCredentialSecret     string         `xml:"ServiceCredentialSecret,omitempty"`
	ServiceSpecificCredentialID string         `xml:"ServiceSpecificCredentialId"`
	UserName                    string         `xml:"UserName"`
	Status                      string         `xml:"Status"`
}

func serviceCredentialOf(sc *iam.ServiceSpecificCredential) ServiceSpecificCredential {
	out := ServiceSpecificCredential{CreateDate: awsproto.Time(sc.CreateDate), ServiceName: sc.ServiceName,
		ServiceUserName: sc.ServiceUserName, ServiceCredentialAlias: sc.ServiceCredentialAlias,
		ServiceSpecificCredentialID: sc.ServiceSpecificCredentialID, UserName: sc.UserName, Status: sc.Status}
	if sc.ExpirationDate != nil {
		t := awsproto.Time(*sc.ExpirationDate)
		out.ExpirationDate = &t
	}
	if sc.ServiceCredentialAlias != "" {
		out.ServiceCredentialSecret = sc.Password
	} else {
		out.ServicePassword = sc.Password
	}
	return out
}

// ServiceSpecificCredentialOutput is the result of Create and Reset.
type ServiceSpecificCredentialOutput struct {
	ServiceSpecificCredential ServiceSpecificCredential `xml:"ServiceSpecificCredential"`
}

var CreateServiceSpecificCredential = add(&api.Op[CreateServiceSpecificCredentialInput, ServiceSpecificCredentialOutput]{
	Name:     "CreateServiceSpecificCredential",
	Resource: func(c *api.Call, in *CreateServiceSpecificCredentialInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *CreateServiceSpecificCredentialInput) (*ServiceSpecificCredentialOutput, error) {
		sc, err := c.IAM.CreateServiceSpecificCredential(c.Ctx, c.Account(), in.UserName, in.ServiceName, in.CredentialAgeDays)
		if err != nil {
			return nil, err
		}
		return &ServiceSpecificCredentialOutput{serviceCredentialOf(sc)}, nil
	},
})

// CreateServiceSpecificCredentialInput is CreateServiceSpecificCredential's request;
// CredentialAgeDays is 1–36600 (IAM API Reference).
type CreateServiceSpecificCredentialInput struct {
	UserName          string `required:"true"`
	ServiceName       string `required:"true"`
	CredentialAgeDays int    `min:"1" max:"36600"`
}

var ListServiceSpecificCredentials = add(&api.Op[ListServiceSpecificCredentialsInput, ListServiceSpecificCredentialsOutput]{
	Name:     "ListServiceSpecificCredentials",
	Resource: func(c *api.Call, in *ListServiceSpecificCredentialsInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *ListServiceSpecificCredentialsInput) (*ListServiceSpecificCredentialsOutput, error) {
		n, err := needUser(c, in.UserName)
		if err != nil {
			return nil, err
		}
		p, err := c.IAM.ListServiceSpecificCredentials(c.Ctx, c.Account(), n, in.ServiceName, in.Opts())
		if err != nil {
			return nil, err
		}
		out := &ListServiceSpecificCredentialsOutput{Credentials: make([]ServiceSpecificCredential, len(p.Items)), Paged: PageOf(p)}
		for i := range p.Items {
			out.Credentials[i] = serviceCredentialOf(&p.Items[i])
		}
		return out, nil
	},
})

// ListServiceSpecificCredentialsInput names the user ("" the caller) and optionally a service.
// AllUsers (every user's credentials) is not supported; Rootward's choice, refused so that no
// caller mistakes one user's list for the account's.
type ListServiceSpecificCredentialsInput struct {
	UserName    string
	ServiceName string
	AllUsers    bool
	ListInput
}

// Validate refuses AllUsers.
func (in *ListServiceSpecificCredentialsInput) Validate() error {
	if in.AllUsers {
		return awsproto.Invalid("AllUsers", "true", "Rootward does not list every user's credentials; name a user")
	}
	return nil
}

// ListServiceSpecificCredentialsOutput is a page of a user's credentials.
type ListServiceSpecificCredentialsOutput struct {
	Credentials []ServiceSpecificCredential `xml:"ServiceSpecificCredentials>member"`
	Paged
}

// ServiceSpecificCredentialIDInput names a user's credential.
type ServiceSpecificCredentialIDInput struct {
	UserName                    string `required:"true"`
	ServiceSpecificCredentialID string `query:"ServiceSpecificCredentialId" required:"true"`
}

var ResetServiceSpecificCredential = add(&api.Op[ServiceSpecificCredentialIDInput, ServiceSpecificCredentialOutput]{
	Name:     "ResetServiceSpecificCredential",
	Resource: func(c *api.Call, in *ServiceSpecificCredentialIDInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *ServiceSpecificCredentialIDInput) (*ServiceSpecificCredentialOutput, error) {
		sc, err := c.IAM.ResetServiceSpecificCredential(c.Ctx, c.Account(), in.UserName, in.ServiceSpecificCredentialID)
		if err != nil {
			return nil, err
		}
		return &ServiceSpecificCredentialOutput{serviceCredentialOf(sc)}, nil
	},
})

// ServiceSpecificCredentialStatusInput is UpdateServiceSpecificCredential's request.
type ServiceSpecificCredentialStatusInput struct {
	UserName                    string `required:"true"`
	ServiceSpecificCredentialID string `query:"ServiceSpecificCredentialId" required:"true"`
	Status                      string `required:"true"`
}

var UpdateServiceSpecificCredential = add(&api.Op[ServiceSpecificCredentialStatusInput, struct{}]{
	Name:     "UpdateServiceSpecificCredential",
	Resource: func(c *api.Call, in *ServiceSpecificCredentialStatusInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *ServiceSpecificCredentialStatusInput) (*struct{}, error) {
		return nil, c.IAM.UpdateServiceSpecificCredential(c.Ctx, c.Account(), in.UserName, in.ServiceSpecificCredentialID, in.Status)
	},
})

var DeleteServiceSpecificCredential = add(&api.Op[ServiceSpecificCredentialIDInput, struct{}]{
	Name:     "DeleteServiceSpecificCredential",
	Resource: func(c *api.Call, in *ServiceSpecificCredentialIDInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *ServiceSpecificCredentialIDInput) (*struct{}, error) {
		return nil, c.IAM.DeleteServiceSpecificCredential(c.Ctx, c.Account(), in.UserName, in.ServiceSpecificCredentialID)
	},
})
