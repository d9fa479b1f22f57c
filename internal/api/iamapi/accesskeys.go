package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Access keys: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys and
// GetAccessKeyLastUsed. They act on the user named, else the calling user, else (a root caller)
// the root user's own keys.

// AccessKeyMetadata is an access key as ListAccessKeys lists it.
type AccessKeyMetadata struct {
	UserName    string        `xml:"UserName"`
	AccessKeyID string        `xml:"AccessKeyId"`
	Status      string        `xml:"Status"`
	CreateDate  awsproto.Time `xml:"CreateDate"`
}

func accessKeyMetadataOf(k *iam.AccessKey) AccessKeyMetadata {
	return AccessKeyMetadata{UserName: k.UserName, AccessKeyID: k.AccessKeyID, Status: k.Status, CreateDate: awsproto.Time(k.CreateDate)}
}

// AccessKey is a new access key with its secret, which IAM shows once.
type AccessKey struct {
	AccessKeyMetadata
	SecretAccessKey string `xml:"SecretAccessKey"`
}

// AccessKeyOutput is CreateAccessKey's result.
type AccessKeyOutput struct {
	AccessKey AccessKey `xml:"AccessKey"`
}

// AccessKeyUserInput is the request of CreateAccessKey: the user, by default the caller.
type AccessKeyUserInput struct {
	UserName string
}

var CreateAccessKey = add(&api.Op[AccessKeyUserInput, AccessKeyOutput]{
	Name:     "CreateAccessKey",
	Resource: func(c *api.Call, in *AccessKeyUserInput) string { return userARN(c, in.UserName) },
	Run:      createAccessKey,
})

func createAccessKey(c *api.Call, in *AccessKeyUserInput) (*AccessKeyOutput, error) {
	n, err := needUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	k, err := c.IAM.CreateAccessKey(c.Ctx, c.Account(), n)
	if err != nil {
		return nil, err
	}
	return &AccessKeyOutput{AccessKey: AccessKey{AccessKeyMetadata: accessKeyMetadataOf(k), SecretAccessKey: k.Secret}}, nil
}

var UpdateAccessKey = add(&api.Op[UpdateAccessKeyInput, struct{}]{
	Name:     "UpdateAccessKey",
	Resource: func(c *api.Call, in *UpdateAccessKeyInput) string { return userARN(c, in.UserName) },
	Run:      updateAccessKey,
})

// UpdateAccessKeyInput is UpdateAccessKey's request.
type UpdateAccessKeyInput struct {
	UserName    string
	AccessKeyID string `query:"AccessKeyId" required:"true"`
	Status      string `required:"true"`
}

func updateAccessKey(c *api.Call, in *UpdateAccessKeyInput) (*struct{}, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	return nil, c.IAM.UpdateAccessKey(c.Ctx, c.Account(), n, in.AccessKeyID, in.Status)
}

var DeleteAccessKey = add(&api.Op[AccessKeyInput, struct{}]{
	Name:     "DeleteAccessKey",
	Resource: func(c *api.Call, in *AccessKeyInput) string { return userARN(c, in.UserName) },
	Run:      deleteAccessKey,
})

// AccessKeyInput is DeleteAccessKey's request.
type AccessKeyInput struct {
	UserName    string
	AccessKeyID string `query:"AccessKeyId" required:"true"`
}

func deleteAccessKey(c *api.Call, in *AccessKeyInput) (*struct{}, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	return nil, c.IAM.DeleteAccessKey(c.Ctx, c.Account(), n, in.AccessKeyID)
}

var ListAccessKeys = add(&api.Op[ListAccessKeysInput, ListAccessKeysOutput]{
	Name:     "ListAccessKeys",
	Resource: func(c *api.Call, in *ListAccessKeysInput) string { return userARN(c, in.UserName) },
	Run:      listAccessKeys,
})

// ListAccessKeysInput is ListAccessKeys' request.
type ListAccessKeysInput struct {
	UserName string
	ListInput
}

// ListAccessKeysOutput is ListAccessKeys' result.
type ListAccessKeysOutput struct {
	AccessKeyMetadata []AccessKeyMetadata `xml:"AccessKeyMetadata>member"`
	Paged
}

func listAccessKeys(c *api.Call, in *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	p, err := c.IAM.ListAccessKeys(c.Ctx, c.Account(), n, in.Opts())
	if err != nil {
		return nil, err
	}
	out := &ListAccessKeysOutput{AccessKeyMetadata: make([]AccessKeyMetadata, len(p.Items)), Paged: PageOf(p)}
	for i := range p.Items {
		out.AccessKeyMetadata[i] = accessKeyMetadataOf(&p.Items[i])
	}
	return out, nil
}

var GetAccessKeyLastUsed = add(&api.Op[GetAccessKeyLastUsedInput, GetAccessKeyLastUsedOutput]{
	Name:     "GetAccessKeyLastUsed",
	Resource: keyOwnerARN,
	Run:      getAccessKeyLastUsed,
})

// GetAccessKeyLastUsedInput is GetAccessKeyLastUsed's request.
type GetAccessKeyLastUsedInput struct {
	AccessKeyID string `query:"AccessKeyId" required:"true"`
}

// GetAccessKeyLastUsedOutput is GetAccessKeyLastUsed's result: the key's user ("" for the root's
// keys) and its last use, "N/A" for a key never used.
type GetAccessKeyLastUsedOutput struct {
	UserName          string            `xml:"UserName,omitempty"`
	AccessKeyLastUsed AccessKeyLastUsed `xml:"AccessKeyLastUsed"`
}

// AccessKeyLastUsed is when, where and with which service a key was last used.
type AccessKeyLastUsed struct {
	LastUsedDate *awsproto.Time `xml:"LastUsedDate,omitempty"`
	ServiceName  string         `xml:"ServiceName"`
	Region       string         `xml:"Region"`
}

// keyOwnerARN is GetAccessKeyLastUsed's resource: the key's owner — the root user's ARN for a root
// key, which the root-task policies' confinement to arn:aws:iam::*:root expects; "*" for a key
// that is not the account's (the operation answers that). A key that cannot be read fails the
// call, as an entity that cannot be (entityARN).
func keyOwnerARN(c *api.Call, in *GetAccessKeyLastUsedInput) string {
	k, err := c.IAM.GetAccessKeyLastUsed(c.Ctx, c.Account(), in.AccessKeyID)
	if _, public := awserr.As(err); err != nil && !public {
		cannotRead(c, err)
	}
	switch {
	case err != nil:
		return "*"
	case k.UserName == "":
		return arn.Root(c.Account())
	}
	return entityARN(c, "user", k.UserName)
}

func getAccessKeyLastUsed(c *api.Call, in *GetAccessKeyLastUsedInput) (*GetAccessKeyLastUsedOutput, error) {
	k, err := c.IAM.GetAccessKeyLastUsed(c.Ctx, c.Account(), in.AccessKeyID)
	if err != nil {
		return nil, err
	}
	lu := AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
	if k.LastUsed != nil {
		t := awsproto.Time(*k.LastUsed)
		lu = AccessKeyLastUsed{LastUsedDate: &t, ServiceName: k.LastService, Region: k.LastRegion}
	}
	return &GetAccessKeyLastUsedOutput{UserName: k.UserName, AccessKeyLastUsed: lu}, nil
}
