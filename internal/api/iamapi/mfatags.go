package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// TagMFADevice, UntagMFADevice (a virtual device's tags, the device named by its serial number,
// its ARN), GetMFADevice, and SetSecurityTokenServicePreferences.

var TagMFADevice = add(&api.Op[TagMFADeviceInput, struct{}]{
	Name:     "TagMFADevice",
	Resource: func(c *api.Call, in *TagMFADeviceInput) string { return in.SerialNumber },
	Keys:     func(c *api.Call, in *TagMFADeviceInput) (authz.Keys, error) { return tagRequestKeys(in.Tags), nil },
	Run: func(c *api.Call, in *TagMFADeviceInput) (*struct{}, error) {
		return nil, c.IAM.TagMFADevice(c.Ctx, c.Account(), in.SerialNumber, in.Tags)
	},
})

// TagMFADeviceInput is TagMFADevice's request.
type TagMFADeviceInput struct {
	SerialNumber string    `required:"true"`
	Tags         []iam.Tag `required:"true"`
}

var UntagMFADevice = add(&api.Op[UntagMFADeviceInput, struct{}]{
	Name:     "UntagMFADevice",
	Resource: func(c *api.Call, in *UntagMFADeviceInput) string { return in.SerialNumber },
	Keys:     func(c *api.Call, in *UntagMFADeviceInput) (authz.Keys, error) { return untagKeys(in.TagKeys), nil },
	Run: func(c *api.Call, in *UntagMFADeviceInput) (*struct{}, error) {
		return nil, c.IAM.UntagMFADevice(c.Ctx, c.Account(), in.SerialNumber, in.TagKeys)
	},
})

// UntagMFADeviceInput is UntagMFADevice's request.
type UntagMFADeviceInput struct {
	SerialNumber string   `required:"true"`
	TagKeys      []string `required:"true"`
}

var GetMFADevice = add(&api.Op[GetMFADeviceInput, GetMFADeviceOutput]{
	Name:     "GetMFADevice",
	Resource: func(c *api.Call, in *GetMFADeviceInput) string { return userARN(c, in.UserName) },
	Run: func(c *api.Call, in *GetMFADeviceInput) (*GetMFADeviceOutput, error) {
		n, err := credentialUser(c, in.UserName)
		if err != nil {
			return nil, err
		}
		d, err := c.IAM.GetMFADevice(c.Ctx, c.Account(), n, in.SerialNumber)
		if err != nil {
			return nil, err
		}
		return &GetMFADeviceOutput{UserName: d.UserName, SerialNumber: d.SerialNumber, EnableDate: awsproto.Time(d.EnableDate)}, nil
	},
})

// GetMFADeviceInput names a device of a user ("" the caller, the root user included).
type GetMFADeviceInput struct {
	SerialNumber string `required:"true"`
	UserName     string
}

// GetMFADeviceOutput is the device; Rootward holds no FIDO certifications to report.
type GetMFADeviceOutput struct {
	UserName     string        `xml:"UserName,omitempty"`
	SerialNumber string        `xml:"SerialNumber"`
	EnableDate   awsproto.Time `xml:"EnableDate"`
}

var SetSecurityTokenServicePreferences = add(&api.Op[SetSecurityTokenServicePreferencesInput, struct{}]{
	Name: "SetSecurityTokenServicePreferences",
	Run: func(c *api.Call, in *SetSecurityTokenServicePreferencesInput) (*struct{}, error) {
		return nil, c.IAM.SetGlobalEndpointTokenVersion(c.Ctx, c.Account(), in.GlobalEndpointTokenVersion)
	},
})

// SetSecurityTokenServicePreferencesInput is v1Token or v2Token; GetAccountSummary reports it as
// GlobalEndpointTokenVersion 1 or 2.
type SetSecurityTokenServicePreferencesInput struct {
	GlobalEndpointTokenVersion string `required:"true"`
}
