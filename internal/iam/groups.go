package iam

import (
	"context"
	"errors"
	rwarn "github.com/rootward/rootward/internal/arn"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// CreateGroup creates a group. Returns EntityAlreadyExists.
func (s *Service) CreateGroup(ctx context.Context, account, name, path string) (*Group, error) {
	if err := checkName("GroupName", name, 128); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	if err := checkPath("Path", path); err != nil {
		return nil, err
	}
	g := &Group{Path: path, GroupName: name, GroupID: newID("AGPA", 17), Arn: rwarn.IAMEntity(account, "group", path, name), CreateDate: s.Now()}
	err := s.update(ctx, account, func(t txn) error {
		if err := t.InsertJSON(kindGroup, account, fold(name), g); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "Group with name %s already exists.", name)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

func (t txn) group(account, name string) (*Group, error) {
	var g Group
	ok, err := t.GetJSON(kindGroup, account, fold(name), &g)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("GroupName", name, 128, "group")
	}
	return &g, nil
}

// GetGroup returns a group and a page of its users.
func (s *Service) GetGroup(ctx context.Context, account, name string, o ListOpts) (*Group, Page[User], error) {
	if err := checkName("GroupName", name, 128); err != nil {
		return nil, Page[User]{}, err
	}
	var g *Group
	var p Page[User]
	err := s.view(ctx, func(t txn) (err error) {
		if g, err = t.group(account, name); err != nil {
			return err
		}
		p, err = scan(t, kindMember, account, fold(name)+sep, o, func(key string, b []byte) (User, bool, error) {
			u, err := t.user(account, strings.TrimPrefix(key, fold(name)+sep))
			if awserr.IsCode(err, awserr.NoSuchEntity) {
				return User{}, false, nil // a record that outlived its user is no member
			}
			if err != nil {
				return User{}, false, err
			}
			m, err := decodeMembership(b)
			if err != nil {
				return User{}, false, err
			}
			return *u, m.of(u), nil
		})
		return err
	})
	return g, p, err
}

// ListGroups lists groups by path prefix.
func (s *Service) ListGroups(ctx context.Context, account, pathPrefix string, o ListOpts) (Page[Group], error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return Page[Group]{}, err
	}
	var p Page[Group]
	err := s.view(ctx, func(t txn) (err error) {
		p, err = scan(t, kindGroup, account, "", o, jsonDecode(func(g *Group) bool { return strings.HasPrefix(g.Path, pathPrefix) }))
		return err
	})
	return p, err
}

// ListGroupsForUser lists the groups a user belongs to.
func (s *Service) ListGroupsForUser(ctx context.Context, account, user string, o ListOpts) (Page[Group], error) {
	var p Page[Group]
	err := s.view(ctx, func(t txn) (err error) {
		u, err := t.user(account, user)
		if err != nil {
			return err
		}
		p, err = scan(t, kindMemberOf, account, fold(user)+sep, o, func(key string, b []byte) (Group, bool, error) {
			m, err := decodeMembership(b)
			if err != nil || !m.of(u) {
				return Group{}, false, err
			}
			g, err := t.group(account, strings.TrimPrefix(key, fold(user)+sep))
			if err != nil {
				return Group{}, false, err
			}
			return *g, true, nil
		})
		return err
	})
	return p, err
}

// membership is the value of a group membership record (kindMember and kindMemberOf): the unique
// ID of the user who was added. Membership belongs to that user, not to the name: a user deleted
// and created again under the same name is in no group until added again.
type membership struct {
	UserID string `json:"user_id,omitempty"`
}

func decodeMembership(b []byte) (membership, error) {
	var m membership
	err := jsonUnmarshal(b, &m)
	return m, err
}

// of reports whether the membership is u's. Records written before memberships carried the user's
// ID hold none and are matched by name: no such record can have outlived its user, because
// DeleteUser refuses while the user is in a group (DeleteConflict), in a serializable
// transaction, and UpdateUser moves memberships with a rename.
func (m membership) of(u *User) bool {
	return m.UserID == "" || m.UserID == u.UserID
}

// groupsOf returns the folded names of the groups the user named user, with unique ID id, is a
// member of.
func (t txn) groupsOf(account, user, id string) ([]string, error) {
	items, err := t.List(kindMemberOf, account, fold(user)+sep, "", 0)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		m, err := decodeMembership(it.Body)
		if err != nil {
			return nil, err
		}
		if m.of(&User{UserID: id}) {
			out = append(out, strings.TrimPrefix(it.Key, fold(user)+sep))
		}
	}
	return out, nil
}

// AddUserToGroup adds a user to a group; adding a member again is a no-op. A user belongs to at most
// 10 groups (IAM quota "Groups an IAM user can be a member of").
func (s *Service) AddUserToGroup(ctx context.Context, account, group, user string) error {
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.group(account, group); err != nil {
			return err
		}
		u, err := t.user(account, user)
		if err != nil {
			return err
		}
		mine, err := t.groupsOf(account, user, u.UserID)
		if err != nil {
			return err
		}
		for _, g := range mine {
			if g == fold(group) {
				return nil
			}
		}
		if len(mine) >= 10 {
			return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for GroupsPerUser: 10")
		}
		// A record left by an earlier user of the same name is overwritten.
		m := membership{UserID: u.UserID}
		if err := t.PutJSON(kindMember, account, fold(group)+sep+fold(user), m); err != nil {
			return err
		}
		return t.PutJSON(kindMemberOf, account, fold(user)+sep+fold(group), m)
	})
}

// RemoveUserFromGroup removes a member. Returns NoSuchEntity when the user is not a member.
func (s *Service) RemoveUserFromGroup(ctx context.Context, account, group, user string) error {
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.group(account, group); err != nil {
			return err
		}
		if _, err := t.user(account, user); err != nil {
			return err
		}
		if err := t.Delete(kindMember, account, fold(group)+sep+fold(user)); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return awserr.New(awserr.NoSuchEntity, "The user with name %s cannot be found in group %s.", user, group)
			}
			return err
		}
		return t.DeleteIfExists(kindMemberOf, account, fold(user)+sep+fold(group))
	})
}

// DeleteGroup deletes an empty group without policies. Returns DeleteConflict.
func (s *Service) DeleteGroup(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.group(account, name); err != nil {
			return err
		}
		key := fold(name)
		for _, c := range []struct{ kind, prefix, msg string }{
			{kindMember, key + sep, "Cannot delete entity, must remove users from group first."},
			{kindInline, principalGroupT + sep + key + sep, "Cannot delete entity, must delete policies first."},
			{kindAttached, principalGroupT + sep + key + sep, "Cannot delete entity, must detach all policies first."},
		} {
			n, err := t.Count(c.kind, account, c.prefix)
			if err != nil {
				return err
			}
			if n > 0 {
				return awserr.New(awserr.DeleteConflict, "%s", c.msg)
			}
		}
		return t.DeleteIfExists(kindGroup, account, key)
	})
}

// GroupARN returns a group's ARN (with its path) without reading its members, for callers that only
// need to name the group, such as the resource of every group operation's authorization. Returns
// NoSuchEntity.
func (s *Service) GroupARN(ctx context.Context, account, name string) (string, error) {
	var arn string
	err := s.view(ctx, func(t txn) error {
		g, err := t.group(account, name)
		if err == nil {
			arn = g.Arn
		}
		return err
	})
	return arn, err
}

// UpdateGroup renames a group or changes its path.
func (s *Service) UpdateGroup(ctx context.Context, account, name, newName, newPath string) error {
	if newName != "" {
		if err := checkName("NewGroupName", newName, 128); err != nil {
			return err
		}
	}
	if newPath != "" {
		if err := checkPath("NewPath", newPath); err != nil {
			return err
		}
	}
	return s.update(ctx, account, func(t txn) error {
		g, err := t.group(account, name)
		if err != nil {
			return err
		}
		oldKey := fold(g.GroupName)
		if newName != "" {
			g.GroupName = newName
		}
		if newPath != "" {
			g.Path = newPath
		}
		g.Arn = rwarn.IAMEntity(account, "group", g.Path, g.GroupName)
		newKey := fold(g.GroupName)
		if newKey == oldKey {
			return t.PutJSON(kindGroup, account, newKey, g)
		}
		if err := t.InsertJSON(kindGroup, account, newKey, g); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "Group with name %s already exists.", newName)
			}
			return err
		}
		if err := t.DeleteIfExists(kindGroup, account, oldKey); err != nil {
			return err
		}
		members, err := t.List(kindMember, account, oldKey+sep, "", 0)
		if err != nil {
			return err
		}
		for _, m := range members {
			user := strings.TrimPrefix(m.Key, oldKey+sep)
			if err := t.moveKey(kindMember, account, m.Key, newKey+sep+user); err != nil {
				return err
			}
			if err := t.moveKey(kindMemberOf, account, user+sep+oldKey, user+sep+newKey); err != nil {
				return err
			}
		}
		return t.renamePrincipal(account, principalGroupT, oldKey, newKey)
	})
}
