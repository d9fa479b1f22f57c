package iamapi

import (
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// MFA devices: virtual devices, which belong to the account, and their assignment to a user (or,
// with no UserName, to the calling root user).

var CreateVirtualMFADevice = add(&api.Op[CreateVirtualMFADeviceInput, CreateVirtualMFADeviceOutput]{
	Name: "CreateVirtualMFADevice",
	Resource: func(c *api.Call, in *CreateVirtualMFADeviceInput) string {
		return newEntityARN(c, "mfa", in.Path, in.VirtualMFADeviceName)
	},
	Keys: func(_ *api.Call, in *CreateVirtualMFADeviceInput) (authz.Keys, error) {
		return tagRequestKeys(in.Tags), nil
	},
	Run: createVirtualMFADevice})

var EnableMFADevice = add(&api.Op[EnableMFADeviceInput, struct{}]{
	Name: "EnableMFADevice", Resource: func(c *api.Call, in *EnableMFADeviceInput) string { return userARN(c, in.UserName) },
	Run: enableMFADevice})

var ResyncMFADevice = add(&api.Op[ResyncMFADeviceInput, struct{}]{
	Name: "ResyncMFADevice", Resource: func(c *api.Call, in *ResyncMFADeviceInput) string { return userARN(c, in.UserName) },
	Run: resyncMFADevice})

var DeactivateMFADevice = add(&api.Op[DeactivateMFADeviceInput, struct{}]{
	Name: "DeactivateMFADevice", Resource: func(c *api.Call, in *DeactivateMFADeviceInput) string { return userARN(c, in.UserName) },
	Run: deactivateMFADevice})

var DeleteVirtualMFADevice = add(&api.Op[DeleteVirtualMFADeviceInput, struct{}]{
	Name: "DeleteVirtualMFADevice", Resource: virtualMFAARN,
	Run: deleteVirtualMFADevice})

var ListMFADevices = add(&api.Op[ListMFADevicesInput, ListMFADevicesOutput]{
	Name: "ListMFADevices", Resource: func(c *api.Call, in *ListMFADevicesInput) string { return userARN(c, in.UserName) },
	Run: listMFADevices})

var ListVirtualMFADevices = add(&api.Op[ListVirtualMFADevicesInput, ListVirtualMFADevicesOutput]{
	Name: "ListVirtualMFADevices", Run: listVirtualMFADevices})

// MFAUser is the User shape inside VirtualMFADevice: for the root user IAM gives only its ID (the
// account ID), ARN and creation date.
type MFAUser struct {
	Path       string        `xml:"Path,omitempty"`
	UserName   string        `xml:"UserName,omitempty"`
	UserID     string        `xml:"UserId"`
	Arn        string        `xml:"Arn"`
	CreateDate awsproto.Time `xml:"CreateDate"`
}

// VirtualMFADevice is IAM's VirtualMFADevice. The seed and the QR code are only in
// CreateVirtualMFADevice's result; User and EnableDate only while the device is assigned.
type VirtualMFADevice struct {
	SerialNumber     string         `xml:"SerialNumber"`
	Base32StringSeed Blob           `xml:"Base32StringSeed,omitempty"`
	QRCodePNG        Blob           `xml:"QRCodePNG,omitempty"`
	User             *MFAUser       `xml:"User,omitempty"`
	EnableDate       *awsproto.Time `xml:"EnableDate,omitempty"`
	Tags             iam.TagList    `xml:"Tags,omitempty"`
}

func virtualMFADeviceOf(c *api.Call, d *iam.VirtualMFADevice) (VirtualMFADevice, error) {
	out := VirtualMFADevice{SerialNumber: d.SerialNumber, Tags: d.Tags}
	if d.Base32StringSeed != "" {
		out.Base32StringSeed, out.QRCodePNG = Blob(d.Base32StringSeed), d.QRCodePNG
	}
	if d.EnableDate != nil {
		t := awsproto.Time(*d.EnableDate)
		out.EnableDate = &t
	}
	switch {
	case d.User != nil:
		u := d.User
		out.User = &MFAUser{u.Path, u.UserName, u.UserID, u.Arn, awsproto.Time(u.CreateDate)}
	case d.AssignedToRoot:
		a, err := c.IAM.GetAccount(c.Ctx, c.Account())
		if err != nil {
			return out, err
		}
		out.User = &MFAUser{UserID: a.ID, Arn: a.RootARN(), CreateDate: awsproto.Time(a.CreatedAt)}
	}
	return out, nil
}

// CreateVirtualMFADeviceInput names the new device; its serial number is its ARN.
type CreateVirtualMFADeviceInput struct {
	VirtualMFADeviceName string
	Path                 string
	Tags                 []iam.Tag
}

// CreateVirtualMFADeviceOutput is the new device with its seed and QR code, shown this once.
type CreateVirtualMFADeviceOutput struct {
	VirtualMFADevice VirtualMFADevice `xml:"VirtualMFADevice"`
}

func createVirtualMFADevice(c *api.Call, in *CreateVirtualMFADeviceInput) (*CreateVirtualMFADeviceOutput, error) {
	d, err := c.IAM.CreateVirtualMFADevice(c.Ctx, c.Account(), iam.CreateVirtualMFADeviceInput{
		VirtualMFADeviceName: in.VirtualMFADeviceName, Path: in.Path, Tags: in.Tags,
	})
	if err != nil {
		return nil, err
	}
	out, err := virtualMFADeviceOf(c, d)
	if err != nil {
		return nil, err
	}
	return &CreateVirtualMFADeviceOutput{out}, nil
}

// EnableMFADeviceInput assigns a device to a user, proven by two consecutive codes.
type EnableMFADeviceInput struct {
	UserName            string `required:"true"`
	SerialNumber        string
	AuthenticationCode1 string
	AuthenticationCode2 string
}

func enableMFADevice(c *api.Call, in *EnableMFADeviceInput) (*struct{}, error) {
	return nil, c.MFAOutcome(c.IAM.EnableMFADevice(c.Ctx, c.Account(), in.UserName, in.SerialNumber,
		in.AuthenticationCode1, in.AuthenticationCode2))
}

// ResyncMFADeviceInput resynchronizes a user's device with two consecutive codes.
type ResyncMFADeviceInput struct {
	UserName            string `required:"true"`
	SerialNumber        string
	AuthenticationCode1 string
	AuthenticationCode2 string
}

func resyncMFADevice(c *api.Call, in *ResyncMFADeviceInput) (*struct{}, error) {
	return nil, c.MFAOutcome(c.IAM.ResyncMFADevice(c.Ctx, c.Account(), in.UserName, in.SerialNumber,
		in.AuthenticationCode1, in.AuthenticationCode2))
}

// DeactivateMFADeviceInput unassigns a device from a user ("" the caller, the root user included).
type DeactivateMFADeviceInput struct {
	UserName     string
	SerialNumber string
}

func deactivateMFADevice(c *api.Call, in *DeactivateMFADeviceInput) (*struct{}, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	// A privileged root session (sts:AssumeRoot, IAMDeleteRootUserCredentials) removes a member's
	// root credentials centrally on purpose, so the guard does not apply to it.
	if n == "" && c.RootMFAGuard != nil && !rootSession(c) {
		if err := c.RootMFAGuard(c.Ctx, c.Account(), in.SerialNumber); err != nil {
			return nil, err
		}
	}
	return nil, c.IAM.DeactivateMFADevice(c.Ctx, c.Account(), n, in.SerialNumber)
}

// DeleteVirtualMFADeviceInput names an unassigned virtual device.
type DeleteVirtualMFADeviceInput struct {
	SerialNumber string
}

// virtualMFAARN is the ARN the serial number names when it is one of the account's virtual
// devices, else mfa/*. In a privileged root session (sts:AssumeRoot) the root user's own device,
// mfa/root-account-mfa-device, is authorized as the root user: AWS's IAMDeleteRootUserCredentials
// task policy allows iam:DeleteVirtualMFADevice only on arn:aws:iam::*:root (NotResource), so the
// task of deleting the root user's MFA device can only pass if IAM authorizes it so. AWS does not
// document the resource it uses there; this is Rootward's reading of the published policy.
func virtualMFAARN(c *api.Call, in *DeleteVirtualMFADeviceInput) string {
	if s := c.Caller.Session; s != nil && s.AssumedRoot && in.SerialNumber == arn.IAM(c.Account(), "mfa/root-account-mfa-device") {
		return arn.Root(c.Account())
	}
	if strings.HasPrefix(in.SerialNumber, arn.IAM(c.Account(), "mfa/")) {
		return in.SerialNumber
	}
	return arn.IAM(c.Account(), "mfa/*")
}

func deleteVirtualMFADevice(c *api.Call, in *DeleteVirtualMFADeviceInput) (*struct{}, error) {
	return nil, c.IAM.DeleteVirtualMFADevice(c.Ctx, c.Account(), in.SerialNumber)
}

// ListMFADevicesInput names the user ("" the caller, the root user included).
type ListMFADevicesInput struct {
	UserName string
	ListInput
}

// MFADevice is a device assigned to a user (no UserName for the root user's).
type MFADevice struct {
	UserName     string        `xml:"UserName,omitempty"`
	SerialNumber string        `xml:"SerialNumber"`
	EnableDate   awsproto.Time `xml:"EnableDate"`
}

// ListMFADevicesOutput is a page of a user's devices.
type ListMFADevicesOutput struct {
	MFADevices []MFADevice `xml:"MFADevices>member"`
	Paged
}

func listMFADevices(c *api.Call, in *ListMFADevicesInput) (*ListMFADevicesOutput, error) {
	n, err := credentialUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	p, err := c.IAM.ListMFADevices(c.Ctx, c.Account(), n, in.Opts())
	if err != nil {
		return nil, err
	}
	out := &ListMFADevicesOutput{MFADevices: make([]MFADevice, len(p.Items)), Paged: PageOf(p)}
	for i, d := range p.Items {
		out.MFADevices[i] = MFADevice{d.UserName, d.SerialNumber, awsproto.Time(d.EnableDate)}
	}
	return out, nil
}

// ListVirtualMFADevicesInput filters by AssignmentStatus: Assigned, Unassigned or Any ("").
type ListVirtualMFADevicesInput struct {
	AssignmentStatus string
	ListInput
}

// ListVirtualMFADevicesOutput is a page of the account's virtual devices, without their seeds.
type ListVirtualMFADevicesOutput struct {
	VirtualMFADevices []VirtualMFADevice `xml:"VirtualMFADevices>member"`
	Paged
}

func listVirtualMFADevices(c *api.Call, in *ListVirtualMFADevicesInput) (*ListVirtualMFADevicesOutput, error) {
	p, err := c.IAM.ListVirtualMFADevices(c.Ctx, c.Account(), in.AssignmentStatus, in.Opts())
	if err != nil {
		return nil, err
	}
	out := &ListVirtualMFADevicesOutput{VirtualMFADevices: make([]VirtualMFADevice, len(p.Items)), Paged: PageOf(p)}
	for i := range p.Items {
		if out.VirtualMFADevices[i], err = virtualMFADeviceOf(c, &p.Items[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListMFADeviceTags lists a virtual MFA device's tags (IAM API Reference, ListMFADeviceTags,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListMFADeviceTags.html). The device's
// tags are those authorization read as its resource keys (c.Facts): one read of the store.
var ListMFADeviceTags = add(&api.Op[ListMFADeviceTagsInput, TagsOutput]{
	Name: "ListMFADeviceTags", Resource: func(c *api.Call, in *ListMFADeviceTagsInput) string { return in.SerialNumber },
	Run: listMFADeviceTags})

// ListMFADeviceTagsInput names a virtual device by its serial number, its ARN.
type ListMFADeviceTagsInput struct {
	SerialNumber string `required:"true"`
	ListInput
}

func listMFADeviceTags(c *api.Call, in *ListMFADeviceTagsInput) (*TagsOutput, error) {
	if c.Facts == nil || c.Facts.Kind != "mfa" {
		return nil, awserr.New(awserr.NoSuchEntity, "VirtualMFADevice with serial number %s doesn't exist.", in.SerialNumber)
	}
	return tagsPage(c.Facts.Tags, in.ListInput)
}
