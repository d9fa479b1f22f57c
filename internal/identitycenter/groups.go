package identitycenter

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// Group is an identity store group as the service answers it.
type Group struct {
	IdentityStoreID string
	GroupID         string
	DisplayName     string
	Description     string
	ExternalIDs     []ExternalID
	Created         time.Time
	CreatedBy       string
	Updated         time.Time
	UpdatedBy       string
}

func (r *groupRecord) group(store string) *Group {
	return &Group{IdentityStoreID: store, GroupID: r.ID, DisplayName: r.DisplayName, Description: r.Description,
		ExternalIDs: slices.Clone(r.ExternalIDs), Created: r.Created, CreatedBy: r.CreatedBy, Updated: r.Updated, UpdatedBy: r.UpdatedBy}
}

// checkGroup applies a group's rules: DisplayName 1–1024 characters (required in Identity Center),
// not a reserved name; Description 1–1024.
func checkGroup(displayName, description string) error {
	if displayName == "" {
		return invalid("DisplayName is required.")
	}
	if err := checkString("displayName", displayName); err != nil {
		return err
	}
	if slices.Contains(reservedNames, fold(displayName)) {
		return invalid("%s is a reserved name and cannot be used for a user or group.", displayName)
	}
	return checkString("description", description)
}

// CreateGroup creates a group. Returns ValidationException, ResourceNotFoundException,
// ConflictException (the display name taken).
func (s *Service) CreateGroup(ctx context.Context, caller, idOrARN, by, displayName, description string) (*Group, error) {
	if err := checkGroup(displayName, description); err != nil {
		return nil, err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	rec := &groupRecord{ID: newUUID(), DisplayName: displayName, Description: description, Created: now, CreatedBy: by, Updated: now, UpdatedBy: by}
	err = store.Update(ctx, s.st, func(t txn) error {
		return userUniqueness(groups.Insert(t, r.account, key(r.store, rec.ID), rec))
	})
	if err != nil {
		return nil, err
	}
	return rec.group(r.store), nil
}

func (t txn) groupIn(r ref, id string) (*groupRecord, error) { return entryIn(t, groupEntries, r, id) }

// DescribeGroup returns a group. Returns ValidationException, ResourceNotFoundException.
func (s *Service) DescribeGroup(ctx context.Context, caller, idOrARN, groupID string) (*Group, error) {
	return describeEntry(ctx, s, groupEntries, caller, idOrARN, groupID)
}

// ListGroups lists a store's groups in ID order, or the one a DisplayName filter names.
func (s *Service) ListGroups(ctx context.Context, caller, idOrARN string, filters []Filter, o ListOpts) (store.Page[Group], error) {
	return listEntries(ctx, s, groupEntries, caller, idOrARN, filters, o)
}

// UpdateGroup applies operations (paths displayName, description) to a group. Returns
// ValidationException, ResourceNotFoundException, ConflictException.
func (s *Service) UpdateGroup(ctx context.Context, caller, idOrARN, groupID, by string, ops []AttributeOperation) error {
	return updateEntry(ctx, s, groupEntries, caller, idOrARN, groupID, ops, func(g *groupRecord, op AttributeOperation) error {
		var field *string
		switch op.Path {
		case "displayName":
			field = &g.DisplayName
		case "description":
			field = &g.Description
		default:
			return invalid("The attribute path %s is not valid for a group.", op.Path)
		}
		return applyOperation(op, field)
	}, func(g *groupRecord) error {
		if err := checkGroup(g.DisplayName, g.Description); err != nil {
			return err
		}
		g.Updated, g.UpdatedBy = s.Now(), by
		return nil
	})
}

// DeleteGroup deletes a group with its memberships and account assignments. Returns
// ValidationException, ResourceNotFoundException.
func (s *Service) DeleteGroup(ctx context.Context, caller, idOrARN, groupID string) error {
	return s.deletePrincipal(ctx, caller, idOrARN, PrincipalGroup, groupID)
}

// GetGroupID finds a group by its display name (path "displayName") or an external ID.
func (s *Service) GetGroupID(ctx context.Context, caller, idOrARN string, unique *Filter, ext *ExternalID) (string, error) {
	if (unique == nil) == (ext == nil) {
		return "", invalid("AlternateIdentifier must name exactly one of UniqueAttribute and ExternalId.")
	}
	if unique != nil && unique.AttributePath != "displayName" {
		return "", invalid("The attribute path %s is not a unique attribute of a group; use displayName.", unique.AttributePath)
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return "", err
	}
	var id string
	err = store.View(ctx, s.st, func(t txn) error {
		var g *groupRecord
		var ok bool
		var err error
		if ext != nil {
			_, g, ok, err = groups.Lookup(t, "externalid", r.account, externalIDValues(r.store, []ExternalID{*ext})[0])
		} else {
			v := unique.AttributeValue
			var js string
			if json.Unmarshal([]byte(v), &js) == nil {
				v = js
			}
			_, g, ok, err = groups.Lookup(t, "displayname", r.account, key(r.store, fold(v)))
		}
		if err != nil {
			return err
		}
		if !ok {
			return notFound(ResourceGroup, "")
		}
		id = g.ID
		return nil
	})
	return id, err
}

// Membership is a user's membership of a group.
type Membership struct {
	IdentityStoreID string
	MembershipID    string
	GroupID         string
	UserID          string
}

func (r *membershipRecord) membership(store string) Membership {
	return Membership{IdentityStoreID: store, MembershipID: r.ID, GroupID: r.Group, UserID: r.User}
}

// CreateGroupMembership makes a user a member of a group. Returns ValidationException,
// ResourceNotFoundException (the group or the user), ConflictException (already a member).
func (s *Service) CreateGroupMembership(ctx context.Context, caller, idOrARN, groupID, userID string) (string, error) {
	if err := checkResourceID("GroupId", groupID); err != nil {
		return "", err
	}
	if err := checkResourceID("MemberId.UserId", userID); err != nil {
		return "", err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return "", err
	}
	rec := &membershipRecord{ID: newUUID(), Group: groupID, User: userID, Created: s.Now()}
	err = store.Update(ctx, s.st, func(t txn) error {
		if _, err := t.groupIn(r, groupID); err != nil {
			return err
		}
		if _, err := t.userIn(r, userID); err != nil {
			return err
		}
		err := memberships.Insert(t, r.account, key(r.store, rec.ID), rec)
		if _, ok := err.(*store.ErrIndexTaken); ok {
			return conflict(ReasonUniqueness, "Member and Group relationship already exists.")
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return rec.ID, nil
}

func (t txn) membershipIn(r ref, id string) (*membershipRecord, error) {
	return entryIn(t, membershipEntries, r, id)
}

// DescribeGroupMembership returns a membership. Returns ValidationException,
// ResourceNotFoundException.
func (s *Service) DescribeGroupMembership(ctx context.Context, caller, idOrARN, membershipID string) (*Membership, error) {
	return describeEntry(ctx, s, membershipEntries, caller, idOrARN, membershipID)
}

// DeleteGroupMembership ends a membership. Returns ValidationException, ResourceNotFoundException.
func (s *Service) DeleteGroupMembership(ctx context.Context, caller, idOrARN, membershipID string) error {
	if err := checkResourceID("MembershipId", membershipID); err != nil {
		return err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return err
	}
	return store.Update(ctx, s.st, func(t txn) error {
		if _, err := t.membershipIn(r, membershipID); err != nil {
			return err
		}
		return memberships.Delete(t, r.account, key(r.store, membershipID))
	})
}

// GetGroupMembershipID finds the membership of a user in a group. Returns ValidationException,
// ResourceNotFoundException (GROUP_MEMBERSHIP).
func (s *Service) GetGroupMembershipID(ctx context.Context, caller, idOrARN, groupID, userID string) (string, error) {
	if err := checkResourceID("GroupId", groupID); err != nil {
		return "", err
	}
	if err := checkResourceID("MemberId.UserId", userID); err != nil {
		return "", err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return "", err
	}
	var id string
	err = store.View(ctx, s.st, func(t txn) error {
		_, m, ok, err := memberships.Lookup(t, "pair", r.account, key(r.store, groupID, userID))
		if err != nil {
			return err
		}
		if !ok {
			return notFound(ResourceGroupMembership, "")
		}
		id = m.ID
		return nil
	})
	return id, err
}

// listMemberships pages the memberships of one group (index "group") or one user ("member").
func (s *Service) listMemberships(ctx context.Context, r ref, index, id string, o ListOpts) (store.Page[Membership], error) {
	var p store.Page[Membership]
	err := store.View(ctx, s.st, func(t txn) (err error) {
		src := memberships.Resolved(t, r.account, memberships.IndexRange(t, index, r.account, key(r.store, id)+"\x00"))
		p, err = store.ReadPage(src, o.After, o.limit(), func(it store.Item) (Membership, bool, error) {
			if it.Body == nil {
				return Membership{}, false, nil
			}
			m, err := memberships.Decode(it.Body)
			if err != nil {
				return Membership{}, false, err
			}
			return m.membership(r.store), true, nil
		})
		return err
	})
	return p, err
}

// ListGroupMemberships lists a group's memberships. Returns ValidationException,
// ResourceNotFoundException.
func (s *Service) ListGroupMemberships(ctx context.Context, caller, idOrARN, groupID string, o ListOpts) (store.Page[Membership], error) {
	if err := checkResourceID("GroupId", groupID); err != nil {
		return store.Page[Membership]{}, err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return store.Page[Membership]{}, err
	}
	if err := store.View(ctx, s.st, func(t txn) error { _, err := t.groupIn(r, groupID); return err }); err != nil {
		return store.Page[Membership]{}, err
	}
	return s.listMemberships(ctx, r, "group", groupID, o)
}

// ListGroupMembershipsForMember lists a user's memberships. Returns ValidationException,
// ResourceNotFoundException.
func (s *Service) ListGroupMembershipsForMember(ctx context.Context, caller, idOrARN, userID string, o ListOpts) (store.Page[Membership], error) {
	if err := checkResourceID("MemberId.UserId", userID); err != nil {
		return store.Page[Membership]{}, err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return store.Page[Membership]{}, err
	}
	if err := store.View(ctx, s.st, func(t txn) error { _, err := t.userIn(r, userID); return err }); err != nil {
		return store.Page[Membership]{}, err
	}
	return s.listMemberships(ctx, r, "member", userID, o)
}

// GroupMembershipExistence is IsMemberInGroups' answer for one group.
type GroupMembershipExistence struct {
	GroupID, UserID  string
	MembershipExists bool
}

// IsMemberInGroups tells, for each of 1–100 groups, whether the user is a member. Returns
// ValidationException, ResourceNotFoundException (the user).
func (s *Service) IsMemberInGroups(ctx context.Context, caller, idOrARN, userID string, groupIDs []string) ([]GroupMembershipExistence, error) {
	if err := checkResourceID("MemberId.UserId", userID); err != nil {
		return nil, err
	}
	if len(groupIDs) == 0 || len(groupIDs) > 100 {
		return nil, invalid("GroupIds must hold 1 to 100 group IDs.")
	}
	for _, g := range groupIDs {
		if err := checkResourceID("GroupIds", g); err != nil {
			return nil, err
		}
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return nil, err
	}
	var out []GroupMembershipExistence
	err = store.View(ctx, s.st, func(t txn) error {
		if _, err := t.userIn(r, userID); err != nil {
			return err
		}
		for _, g := range groupIDs {
			_, _, ok, err := memberships.Lookup(t, "pair", r.account, key(r.store, g, userID))
			if err != nil {
				return err
			}
			out = append(out, GroupMembershipExistence{GroupID: g, UserID: userID, MembershipExists: ok})
		}
		return nil
	})
	return out, err
}

// deleteMemberships deletes the memberships of a group (index "group") or a user ("member").
func (t txn) deleteMemberships(r ref, index, id string) error {
	src := memberships.IndexRange(t, index, r.account, key(r.store, id)+"\x00")
	var keys []string
	after := ""
	for {
		items, err := src(after, 256)
		if err != nil {
			return err
		}
		for _, it := range items {
			keys = append(keys, store.EntryKey(it.Key))
			after = it.Key
		}
		if len(items) < 256 {
			break
		}
	}
	for _, k := range keys {
		if err := memberships.DeleteIfExists(t, r.account, k); err != nil {
			return err
		}
	}
	return nil
}

// groupsOf returns the IDs of the groups a user is a member of.
func (t txn) groupsOf(r ref, userID string) ([]string, error) {
	var out []string
	src := memberships.Resolved(t, r.account, memberships.IndexRange(t, "member", r.account, key(r.store, userID)+"\x00"))
	after := ""
	for {
		items, err := src(after, 256)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			after = it.Key
			if it.Body == nil {
				continue
			}
			m, err := memberships.Decode(it.Body)
			if err != nil {
				return nil, err
			}
			out = append(out, m.Group)
		}
		if len(items) < 256 {
			return out, nil
		}
	}
}
