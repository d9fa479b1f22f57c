package iam

import (
	"context"
	"errors"
	"time"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// Instance profiles: a container for one role that EC2 passes to an instance (IAM User Guide,
// "Use instance profiles"). A profile holds at most one role ("Cannot exceed quota for
// InstanceSessionsPerInstanceProfile: 1"); a role in a profile cannot be deleted until it is
// removed from it.

// InstanceProfile is an instance profile with its role, as IAM answers it.
type InstanceProfile struct {
	Path                string
	InstanceProfileName string
	InstanceProfileID   string
	Arn                 string
	CreateDate          time.Time
	// Roles holds the profile's role, if it has one (at most one).
	Roles []Role
	Tags  []Tag
}

// instanceProfileRecord is a stored instance profile, under its folded name. Role is the folded
// name of its role, "" for none.
type instanceProfileRecord struct {
	Path    string      `json:"path"`
	Name    string      `json:"name"`
	ID      string      `json:"id"`
	Arn     string      `json:"arn"`
	Created time.Time   `json:"created"`
	Role    string      `json:"role,omitempty"`
	Tags    []tagRecord `json:"tags,omitempty"`
}

// instanceProfiles are the stored profiles, with a path index (ListInstanceProfiles PathPrefix)
// and a role index (ListInstanceProfilesForRole, and DeleteRole's conflict), one entry per profile
// that has a role.
var instanceProfiles = store.Define(store.Kind[instanceProfileRecord]{
	Name: "instanceprofile", Version: 1,
	Indexes: []store.Index[instanceProfileRecord]{
		pathIndex(func(r *instanceProfileRecord) string { return r.Path }),
		{Name: "role", Values: func(_ string, r *instanceProfileRecord) []string {
			if r.Role == "" {
				return nil
			}
			return []string{r.Role}
		}},
	},
})

// maxInstanceProfiles is IAM's default quota of instance profiles per account (IAM User Guide,
// "IAM and AWS STS quotas": instance profiles per account, 1,000).
const maxInstanceProfiles = 1000

// CreateInstanceProfileInput are CreateInstanceProfile's parameters.
type CreateInstanceProfileInput struct {
	InstanceProfileName, Path string
	Tags                      []Tag
}

func noSuchInstanceProfile(name string) error {
	return awserr.New(awserr.NoSuchEntity, "Instance Profile %s cannot be found.", name)
}

// CreateInstanceProfile creates an empty instance profile. Returns EntityAlreadyExists,
// LimitExceeded, ValidationError, InvalidInput (a reserved path).
func (s *Service) CreateInstanceProfile(ctx context.Context, account string, in CreateInstanceProfileInput) (*InstanceProfile, error) {
	if err := checkName("InstanceProfileName", in.InstanceProfileName, 128); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if err := checkPath("Path", in.Path); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	rec := &instanceProfileRecord{
		Path: in.Path, Name: in.InstanceProfileName, ID: newID("AIPA", 17),
		Arn: rwarn.IAMEntity(account, "instance-profile", in.Path, in.InstanceProfileName), Created: s.Now(),
		Tags: tagRecords(in.Tags),
	}
	err := s.update(ctx, account, func(t txn) error {
		n, err := t.Count(instanceProfiles.Name, account, "")
		if err != nil {
			return err
		}
		if n >= maxInstanceProfiles {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for InstanceProfilesPerAccount: %d", maxInstanceProfiles)
		}
		if err := instanceProfiles.Insert(t, account, fold(in.InstanceProfileName), rec); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "Instance Profile %s already exists.", in.InstanceProfileName)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &InstanceProfile{Path: rec.Path, InstanceProfileName: rec.Name, InstanceProfileID: rec.ID, Arn: rec.Arn,
		CreateDate: rec.Created, Tags: in.Tags}, nil
}

func (t txn) instanceProfileRecord(account, name string) (*instanceProfileRecord, error) {
	if err := checkName("InstanceProfileName", name, 128); err != nil {
		return nil, err
	}
	rec, ok, err := instanceProfiles.Get(t, account, fold(name))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, noSuchInstanceProfile(name)
	}
	return rec, nil
}

// instanceProfile is rec with its role read, as IAM answers a profile.
func (t txn) instanceProfile(account string, rec *instanceProfileRecord) (*InstanceProfile, error) {
	p := &InstanceProfile{Path: rec.Path, InstanceProfileName: rec.Name, InstanceProfileID: rec.ID, Arn: rec.Arn,
		CreateDate: rec.Created, Tags: fromTagRecords(rec.Tags), Roles: []Role{}}
	if rec.Role != "" {
		r, ok, err := roles.Get(t, account, rec.Role)
		if err != nil {
			return nil, err
		}
		if ok {
			role := r.role()
			if err := t.effectiveTrust(role); err != nil {
				return nil, err
			}
			p.Roles = append(p.Roles, *role)
		}
	}
	return p, nil
}

// profilesOfRole lists every instance profile that holds the role (GetAccountAuthorizationDetails'
// InstanceProfileList), through the role index.
func (t txn) profilesOfRole(account, roleName string) ([]InstanceProfile, error) {
	items, err := instanceProfiles.Resolved(t, account, instanceProfiles.IndexRange(t, "role", account, fold(roleName)+sep))("", 0)
	if err != nil {
		return nil, err
	}
	out := []InstanceProfile{}
	for _, it := range items {
		if it.Body == nil {
			continue
		}
		rec, err := instanceProfiles.Decode(it.Body)
		if err != nil {
			return nil, err
		}
		ip, err := t.instanceProfile(account, rec)
		if err != nil {
			return nil, err
		}
		out = append(out, *ip)
	}
	return out, nil
}

// GetInstanceProfile returns a profile with its role. Returns NoSuchEntity.
func (s *Service) GetInstanceProfile(ctx context.Context, account, name string) (*InstanceProfile, error) {
	var p *InstanceProfile
	err := s.view(ctx, func(t txn) error {
		rec, err := t.instanceProfileRecord(account, name)
		if err != nil {
			return err
		}
		p, err = t.instanceProfile(account, rec)
		return err
	})
	return p, err
}

// InstanceProfileFacts returns the ARN and tags of a profile for authorization, nil when there is
// none of that name; only a failure to read the store is an error.
func (s *Service) InstanceProfileFacts(ctx context.Context, account, name string) (*ResourceFacts, error) {
	var f *ResourceFacts
	err := s.view(ctx, func(t txn) error {
		rec, err := t.instanceProfileRecord(account, name)
		if err != nil {
			return noneIfPublic(err)
		}
		f = &ResourceFacts{Kind: "instance-profile", ARN: rec.Arn, Tags: fromTagRecords(rec.Tags)}
		return nil
	})
	return f, err
}

// DeleteInstanceProfile deletes a profile without a role. Returns NoSuchEntity, DeleteConflict.
func (s *Service) DeleteInstanceProfile(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(t txn) error {
		rec, err := t.instanceProfileRecord(account, name)
		if err != nil {
			return err
		}
		if rec.Role != "" {
			return awserr.New(awserr.DeleteConflict, "Cannot delete entity, must remove roles from instance profile first.")
		}
		return instanceProfiles.Delete(t, account, fold(name))
	})
}

// ListInstanceProfiles lists profiles by path prefix, as ListRoles lists roles.
func (s *Service) ListInstanceProfiles(ctx context.Context, account, pathPrefix string, o ListOpts) (Page[InstanceProfile], error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return Page[InstanceProfile]{}, err
	}
	var p Page[InstanceProfile]
	err := s.view(ctx, func(t txn) (err error) {
		var recs Page[instanceProfileRecord]
		recs, err = listPrincipals(t, instanceProfiles, account, pathPrefix, o, func(r *instanceProfileRecord) instanceProfileRecord { return *r })
		if err != nil {
			return err
		}
		p = Page[InstanceProfile]{IsTruncated: recs.IsTruncated, Marker: recs.Marker, Items: make([]InstanceProfile, 0, len(recs.Items))}
		for i := range recs.Items {
			ip, err := t.instanceProfile(account, &recs.Items[i])
			if err != nil {
				return err
			}
			p.Items = append(p.Items, *ip)
		}
		return nil
	})
	return p, err
}

// ListInstanceProfilesForRole lists the profiles that hold a role (at most one per profile, any
// number of profiles). Returns NoSuchEntity for an unknown role.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, account, roleName string, o ListOpts) (Page[InstanceProfile], error) {
	var p Page[InstanceProfile]
	err := s.view(ctx, func(t txn) error {
		if _, err := t.role(account, roleName); err != nil {
			return err
		}
		src := instanceProfiles.Resolved(t, account, instanceProfiles.IndexRange(t, "role", account, fold(roleName)+sep))
		var err error
		p, err = readPage(src, o, func(it store.Item) (InstanceProfile, bool, error) {
			if it.Body == nil {
				return InstanceProfile{}, false, nil
			}
			rec, err := instanceProfiles.Decode(it.Body)
			if err != nil {
				return InstanceProfile{}, false, err
			}
			ip, err := t.instanceProfile(account, rec)
			if err != nil {
				return InstanceProfile{}, false, err
			}
			return *ip, true, nil
		})
		return err
	})
	return p, err
}

// AddRoleToInstanceProfile puts a role in a profile. Returns NoSuchEntity, LimitExceeded (the
// profile has a role already, this one included, as IAM answers), UnmodifiableEntity (a
// service-linked role).
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, account, profile, roleName string) error {
	return s.update(ctx, account, func(t txn) error {
		rec, err := t.instanceProfileRecord(account, profile)
		if err != nil {
			return err
		}
		r, err := t.role(account, roleName)
		if err != nil {
			return err
		}
		if err := protectedRole(r); err != nil {
			return err
		}
		if rec.Role != "" {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		}
		rec.Role = fold(roleName)
		return instanceProfiles.Put(t, account, fold(profile), rec)
	})
}

// RemoveRoleFromInstanceProfile takes the role out of a profile. Returns NoSuchEntity when the
// profile or the role does not exist or the role is not in the profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, account, profile, roleName string) error {
	if err := checkName("RoleName", roleName, 64); err != nil {
		return err
	}
	return s.update(ctx, account, func(t txn) error {
		rec, err := t.instanceProfileRecord(account, profile)
		if err != nil {
			return err
		}
		if _, err := t.role(account, roleName); err != nil {
			return err
		}
		if rec.Role != fold(roleName) {
			// AWS's text is not documented; Rootward's.
			return awserr.New(awserr.NoSuchEntity, "The role with name %s is not in instance profile %s.", roleName, rec.Name)
		}
		rec.Role = ""
		return instanceProfiles.Put(t, account, fold(profile), rec)
	})
}

// roleInInstanceProfile reports whether a role (its folded name) is in any instance profile.
func (t txn) roleInInstanceProfile(account, key string) (bool, error) {
	n, err := instanceProfiles.Count(t, "role", account, key+sep)
	return n > 0, err
}

// TagInstanceProfile adds or overwrites tags on a profile.
func (s *Service) TagInstanceProfile(ctx context.Context, account, name string, tags []Tag) error {
	return tagResource(tags, "TagsPerInstanceProfile", s.instanceProfileTags(ctx, account, name))
}

// UntagInstanceProfile removes tag keys from a profile.
func (s *Service) UntagInstanceProfile(ctx context.Context, account, name string, keys []string) error {
	return untagResource(keys, s.instanceProfileTags(ctx, account, name))
}

// instanceProfileTags edits the tags of the named profile.
func (s *Service) instanceProfileTags(ctx context.Context, account, name string) func(tagEdit) error {
	return func(edit tagEdit) error {
		return s.modifyInstanceProfile(ctx, account, name, func(rec *instanceProfileRecord) error { return editTagRecords(&rec.Tags, edit) })
	}
}

func (s *Service) modifyInstanceProfile(ctx context.Context, account, name string, fn func(*instanceProfileRecord) error) error {
	return s.update(ctx, account, func(t txn) error {
		rec, err := t.instanceProfileRecord(account, name)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
		return instanceProfiles.Put(t, account, fold(name), rec)
	})
}
