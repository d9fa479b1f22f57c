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
		if err := groups.Insert(t, account, fold(name), groupRecordOf(g)); err != nil {
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
	r, ok, err := groups.Get(t, account, fold(name))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("GroupName", name, 128, "group")
	}
	return r.group(), nil
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
		p, err = readPage(members.Range(t, account, fold(name)+sep), o, func(it store.Item) (User, bool, error) {
			u, err := t.user(account, strings.TrimPrefix(it.Key, fold(name)+sep))
			if awserr.IsCode(err, awserr.NoSuchEntity) {
				return User{}, false, nil // a record that outlived its user is no member
			}
			if err != nil {
				return User{}, false, err
			}
			m, err := members.Decode(it.Body)
			if err != nil {
				return User{}, false, err
			}
			return *u, m.of(u), nil
		})
		return err
	})
	return g, p, err
}

// ListGroups lists groups by path prefix: in name order without a prefix, else by path, then name
// (listPrincipals).
func (s *Service) ListGroups(ctx context.Context, account, pathPrefix string, o ListOpts) (Page[Group], error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return Page[Group]{}, err
	}
	var p Page[Group]
	err := s.view(ctx, func(t txn) (err error) {
		p, err = listPrincipals(t, groups, account, pathPrefix, o, func(r *groupRecord) Group { return *r.group() })
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
		p, err = readPage(members.IndexRange(t, "user", account, fold(user)+sep), o, func(it store.Item) (Group, bool, error) {
			key, group := memberEntry(it.Key)
			m, ok, err := members.Get(t, account, key)
			if err != nil || !ok || !m.of(u) {
				return Group{}, false, err
			}
			g, err := t.group(account, group)
			if err != nil {
				return Group{}, false, err
			}
			return *g, true, nil
		})
		return err
	})
	return p, err
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
		return members.Put(t, account, memberKey(fold(group), fold(user)), &membership{UserID: u.UserID})
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
		err := members.Delete(t, account, memberKey(fold(group), fold(user)))
		if errors.Is(err, store.ErrNotFound) {
			return awserr.New(awserr.NoSuchEntity, "The user with name %s cannot be found in group %s.", user, group)
		}
		return err
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
			{members.Name, key + sep, "Cannot delete entity, must remove users from group first."},
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
		return groups.DeleteIfExists(t, account, key)
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
			return groups.Put(t, account, newKey, groupRecordOf(g))
		}
		if err := groups.Insert(t, account, newKey, groupRecordOf(g)); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "Group with name %s already exists.", newName)
			}
			return err
		}
		if err := groups.DeleteIfExists(t, account, oldKey); err != nil {
			return err
		}
		ms, err := members.List(t, account, oldKey+sep, "", 0)
		if err != nil {
			return err
		}
		for _, m := range ms {
			user := strings.TrimPrefix(m.Key, oldKey+sep)
			if err := moveRecord(t, members, account, m.Key, memberKey(newKey, user)); err != nil {
				return err
			}
		}
		return t.renamePrincipal(account, principalGroupT, oldKey, newKey)
	})
}
