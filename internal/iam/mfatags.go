package iam

import (
	"context"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// The tags of a virtual MFA device (TagMFADevice, UntagMFADevice; ListMFADeviceTags reads them
// from the device's facts), GetMFADevice, and the account's STS token preference
// (SetSecurityTokenServicePreferences).

// TagMFADevice adds or overwrites tags on a virtual MFA device. Returns NoSuchEntity.
func (s *Service) TagMFADevice(ctx context.Context, account, serial string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.modifyDevice(ctx, account, serial, func(d *VirtualMFADevice) (err error) {
		d.Tags, err = mergeTags(d.Tags, tags, "TagsPerMFADevice")
		return err
	})
}

// UntagMFADevice removes tag keys from a virtual MFA device. Returns NoSuchEntity.
func (s *Service) UntagMFADevice(ctx context.Context, account, serial string, keys []string) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.modifyDevice(ctx, account, serial, func(d *VirtualMFADevice) error {
		d.Tags = removeTags(d.Tags, keys)
		return nil
	})
}

func (s *Service) modifyDevice(ctx context.Context, account, serial string, fn func(*VirtualMFADevice) error) error {
	return s.update(ctx, account, func(t txn) error {
		d, key, err := t.device(account, serial)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
		return t.putDevice(account, key, d)
	})
}

// GetMFADevice returns the MFA device serial of a user ("" the root user) as ListMFADevices lists
// it. Returns NoSuchEntity when the user has no such device.
func (s *Service) GetMFADevice(ctx context.Context, account, user, serial string) (*MFADevice, error) {
	p, err := s.ListMFADevices(ctx, account, user, ListOpts{MaxItems: 1000})
	if err != nil {
		return nil, err
	}
	for i := range p.Items {
		if p.Items[i].SerialNumber == serial {
			return &p.Items[i], nil
		}
	}
	// AWS's text is not documented; Rootward's, in the form of the virtual devices' own.
	return nil, awserr.New(awserr.NoSuchEntity, "MFA device with serial number %s doesn't exist.", serial)
}

// stsPreference is an account's SetSecurityTokenServicePreferences choice, under the account ID.
type stsPreference struct {
	TokenVersion int `json:"token_version"`
}

var stsPreferences = store.Define(store.Kind[stsPreference]{Name: "stspref", Version: 1})

// SetGlobalEndpointTokenVersion records which tokens the global STS endpoint issues for the
// account: "v1Token" (valid only in Regions enabled by default) or "v2Token" (valid in all
// Regions), GetAccountSummary's GlobalEndpointTokenVersion 1 or 2. Returns ValidationError.
func (s *Service) SetGlobalEndpointTokenVersion(ctx context.Context, account, version string) error {
	v := map[string]int{"v1Token": 1, "v2Token": 2}[version]
	if v == 0 {
		return invalid("GlobalEndpointTokenVersion", version, "Member must satisfy enum value set: [v1Token, v2Token]")
	}
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.account(account); err != nil {
			return err
		}
		return stsPreferences.Put(t, account, account, &stsPreference{TokenVersion: v})
	})
}

// globalEndpointTokenVersion is the account's token version, 1 until it chose otherwise.
func (t txn) globalEndpointTokenVersion(account string) (int, error) {
	p, ok, err := stsPreferences.Get(t, account, account)
	if err != nil || !ok {
		return 1, err
	}
	return p.TokenVersion, nil
}
