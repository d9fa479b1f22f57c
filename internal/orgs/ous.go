package orgs

import (
	"context"
	"regexp"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

// OrganizationalUnit is an OU: a container of accounts and OUs under the root.
type OrganizationalUnit struct {
	ID       string
	Name     string
	ParentID string
	// Arn is filled on reads.
	Arn string
}

// Child is an account or OU directly under a parent.
type Child struct {
	ID   string
	Type string // ACCOUNT or ORGANIZATIONAL_UNIT
}

// Parent is the root or OU directly above a child.
type Parent struct {
	ID   string
	Type string // ROOT or ORGANIZATIONAL_UNIT
}

// ID patterns from the Organizations API Reference (ParentId, OrganizationalUnitId, ChildId).
var (
	rootIDPattern   = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	ouIDPattern     = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	ouNameMaxLength = 128
)

func checkParentID(param, id string) error {
	if id == "" {
		return invalid(ReasonInputRequired, "You must specify a value for %s.", param)
	}
	if !rootIDPattern.MatchString(id) && !ouIDPattern.MatchString(id) {
		return invalid(ReasonInvalidPattern, "%s must be a root ID (r-…) or an OU ID (ou-…-…).", param)
	}
	return nil
}

func checkOUID(id string) error {
	if id == "" {
		return invalid(ReasonInputRequired, "You must specify a value for OrganizationalUnitId.")
	}
	if !ouIDPattern.MatchString(id) {
		return invalid(ReasonInvalidPattern, "OrganizationalUnitId must match ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}.")
	}
	return nil
}

func checkOUName(name string) error {
	switch {
	case name == "":
		return invalid(ReasonInputRequired, "You must specify a value for Name.")
	case len(name) > ouNameMaxLength:
		return invalid(ReasonMaxLength, "Name must be at most %d characters long.", ouNameMaxLength)
	case hasControl(name):
		return errPattern("Name")
	}
	return nil
}

func (t txn) ou(o *Organization, id string) (*OrganizationalUnit, error) {
	r, ok, err := ous.Get(t, o.ID, id)
	if err != nil || !ok {
		return nil, err
	}
	return o.ouOf(r), nil
}

// ouOf turns a stored OU into the OrganizationalUnit answered, with its ARN.
func (o *Organization) ouOf(r *ouRecord) *OrganizationalUnit {
	return &OrganizationalUnit{ID: r.ID, Name: r.Name, ParentID: r.ParentID, Arn: o.ouArn(r.ID)}
}

func (t txn) putOU(o *Organization, u *OrganizationalUnit) error {
	return ous.Put(t, o.ID, u.ID, &ouRecord{ID: u.ID, Name: u.Name, ParentID: u.ParentID})
}

// childIndex returns the kind's parent index range of parent's children, and the prefix its
// entries start with: parent \x00, followed by the child's ID.
func childIndex(t txn, orgID, parent, typ string) (store.Source, string) {
	prefix := parent + sep
	if typ == ChildAccount {
		return members.IndexRange(t, byParent, orgID, prefix), prefix
	}
	return ous.IndexRange(t, byParent, orgID, prefix), prefix
}

func (t txn) mustOU(o *Organization, id string) (*OrganizationalUnit, error) {
	u, err := t.ou(o, id)
	if err == nil && u == nil {
		err = errorf(awserr.OrgsOUNotFound, "We can't find an OU with the OrganizationalUnitId that you specified.")
	}
	return u, err
}

// parentExists reports whether id is the root or an OU of o.
func (t txn) parentExists(o *Organization, id string) (bool, error) {
	if id == o.RootID {
		return true, nil
	}
	u, err := t.ou(o, id)
	return u != nil, err
}

// ancestry returns the OU IDs from the root down to parent (parent included when it is an OU).
func (t txn) ancestry(o *Organization, parent string) ([]string, error) {
	var chain []string
	for id := parent; id != o.RootID; {
		u, err := t.ou(o, id)
		if err != nil {
			return nil, err
		}
		if u == nil || len(chain) > maxOUDepth {
			break
		}
		chain = append(chain, id)
		id = u.ParentID
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain, nil
}

// children lists the children of parent of one type ("" for both), accounts first.
func (t txn) children(orgID, parent, typ string) ([]Child, error) {
	var out []Child
	for _, ct := range []string{ChildAccount, ChildOU} {
		if typ != "" && typ != ct {
			continue
		}
		kind := store.IndexKind(kindMember, byParent)
		if ct == ChildOU {
			kind = store.IndexKind(kindOU, byParent)
		}
		keys, err := t.Keys(kind, orgID, parent+sep)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			out = append(out, Child{ID: k, Type: ct})
		}
	}
	return out, nil
}

// subtreeAccounts lists every account at or below parent.
func (t txn) subtreeAccounts(orgID, parent string) ([]string, error) {
	var out []string
	queue := []string{parent}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		cs, err := t.children(orgID, p, "")
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.Type == ChildAccount {
				out = append(out, c.ID)
			} else {
				queue = append(queue, c.ID)
			}
		}
	}
	return out, nil
}

// CreateOrganizationalUnit creates an OU under a parent (the root or an OU), with tags if any; an
// invalid tag fails the request and creates nothing. Returns ParentNotFoundException,
// DuplicateOrganizationalUnitException, InvalidInputException and ConstraintViolationException
// (OU_DEPTH_LIMIT_EXCEEDED: more than five levels below the root; OU_NUMBER_LIMIT_EXCEEDED;
// MAX_TAG_LIMIT_EXCEEDED).
func (s *Service) CreateOrganizationalUnit(ctx context.Context, caller, parent, name string, tags ...Tag) (*OrganizationalUnit, error) {
	if err := checkParentID("ParentId", parent); err != nil {
		return nil, err
	}
	if err := checkOUName(name); err != nil {
		return nil, err
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	var out *OrganizationalUnit
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		if ok, err := t.parentExists(o, parent); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			return nil, errorf(awserr.OrgsParentNotFound, "We can't find a root or OU with the ParentId that you specified.")
		}
		chain, err := t.ancestry(o, parent)
		if err != nil {
			return nil, err
		}
		if len(chain)+1 > maxOUDepth {
			return nil, constraint(ReasonOUDepth, "You attempted to create an OU tree that is too many levels deep (at most %d).", maxOUDepth)
		}
		if n, err := t.Count(kindOU, o.ID, ""); err != nil || n >= maxOUs {
			if err != nil {
				return nil, err
			}
			return nil, constraint(ReasonOUNumber, "You attempted to exceed the number of OUs that you can have in an organization (%d).", maxOUs)
		}
		if err := t.uniqueOUName(o, parent, name, ""); err != nil {
			return nil, err
		}
		u := &OrganizationalUnit{ID: "ou-" + strings.TrimPrefix(o.RootID, "r-") + "-" + randomString(8), Name: name, ParentID: parent}
		if err := ous.Insert(t, o.ID, u.ID, &ouRecord{ID: u.ID, Name: u.Name, ParentID: u.ParentID}); err != nil {
			return nil, err
		}
		if err := t.attachDefaults(o, u.ID); err != nil {
			return nil, err
		}
		if err := t.addTags(o.ID, u.ID, tags); err != nil {
			return nil, err
		}
		u.Arn = o.ouArn(u.ID)
		out = u
		return nil, nil
	})
	return out, err
}

// uniqueOUName refuses a second OU of one name under one parent (other than self).
func (t txn) uniqueOUName(o *Organization, parent, name, self string) error {
	siblings, err := t.children(o.ID, parent, ChildOU)
	if err != nil {
		return err
	}
	for _, c := range siblings {
		if c.ID == self {
			continue
		}
		u, err := t.ou(o, c.ID)
		if err != nil {
			return err
		}
		if u != nil && u.Name == name {
			return errorf(awserr.OrgsDuplicateOU, "An OU with the same name already exists.")
		}
	}
	return nil
}

// DescribeOrganizationalUnit returns an OU. Returns OrganizationalUnitNotFoundException.
func (s *Service) DescribeOrganizationalUnit(ctx context.Context, caller, id string) (*OrganizationalUnit, error) {
	if err := checkOUID(id); err != nil {
		return nil, err
	}
	var u *OrganizationalUnit
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		u, err = t.mustOU(o, id)
		return err
	})
	return u, err
}

// UpdateOrganizationalUnit renames an OU. Returns OrganizationalUnitNotFoundException and
// DuplicateOrganizationalUnitException.
func (s *Service) UpdateOrganizationalUnit(ctx context.Context, caller, id, name string) (*OrganizationalUnit, error) {
	if err := checkOUID(id); err != nil {
		return nil, err
	}
	var u *OrganizationalUnit
	err := s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		if u, err = t.mustOU(o, id); err != nil {
			return nil, err
		}
		if name == "" {
			return nil, nil
		}
		if err := checkOUName(name); err != nil {
			return nil, err
		}
		if err := t.uniqueOUName(o, u.ParentID, name, id); err != nil {
			return nil, err
		}
		u.Name = name
		return nil, t.putOU(o, u)
	})
	return u, err
}

// DeleteOrganizationalUnit deletes an empty OU with its tags. Returns OrganizationalUnitNotEmptyException and
// OrganizationalUnitNotFoundException.
func (s *Service) DeleteOrganizationalUnit(ctx context.Context, caller, id string) error {
	if err := checkOUID(id); err != nil {
		return err
	}
	return s.update(ctx, func(t txn) ([]string, error) {
		o, err := t.management(caller)
		if err != nil {
			return nil, err
		}
		u, err := t.mustOU(o, id)
		if err != nil {
			return nil, err
		}
		if empty, err := t.childless(o.ID, id); err != nil || !empty {
			if err != nil {
				return nil, err
			}
			return nil, errorf(awserr.OrgsOUNotEmpty, "You can't delete an OU that contains accounts or other OUs.")
		}
		if err := t.detachAll(o.ID, id); err != nil {
			return nil, err
		}
		if err := t.dropTags(o.ID, id); err != nil {
			return nil, err
		}
		return nil, ous.DeleteIfExists(t, o.ID, u.ID)
	})
}

// childless reports whether no account and no OU is directly under parent.
func (t txn) childless(orgID, parent string) (bool, error) {
	for _, ct := range []string{ChildAccount, ChildOU} {
		src, _ := childIndex(t, orgID, parent, ct)
		first, err := src("", 1)
		if err != nil || len(first) > 0 {
			return false, err
		}
	}
	return true, nil
}

// mustParent returns ParentNotFoundException unless id is the root or an OU of o.
func (t txn) mustParent(o *Organization, id string) error {
	ok, err := t.parentExists(o, id)
	if err == nil && !ok {
		err = errorf(awserr.OrgsParentNotFound, "We can't find a root or OU with the ParentId that you specified.")
	}
	return err
}

// ListOrganizationalUnitsForParent lists the OUs directly under a parent.
func (s *Service) ListOrganizationalUnitsForParent(ctx context.Context, caller, parent string, lo ListOpts) (Page[OrganizationalUnit], error) {
	var p Page[OrganizationalUnit]
	if err := checkParentID("ParentId", parent); err != nil {
		return p, err
	}
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		if err := t.mustParent(o, parent); err != nil {
			return err
		}
		src, prefix := childIndex(t, o.ID, parent, ChildOU)
		p, err = pageItems(src, prefix, lo, func(it store.Item) (OrganizationalUnit, bool, error) {
			u, err := t.ou(o, it.Key)
			if err != nil || u == nil {
				return OrganizationalUnit{}, false, err
			}
			return *u, true, nil
		})
		return err
	})
	return p, err
}

// ListAccountsForParent lists the accounts directly under a parent.
func (s *Service) ListAccountsForParent(ctx context.Context, caller, parent string, lo ListOpts) (Page[Account], error) {
	var p Page[Account]
	if err := checkParentID("ParentId", parent); err != nil {
		return p, err
	}
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		if err := t.mustParent(o, parent); err != nil {
			return err
		}
		src, prefix := childIndex(t, o.ID, parent, ChildAccount)
		p, err = pageItems(src, prefix, lo, func(it store.Item) (Account, bool, error) {
			a, err := t.member(o, it.Key)
			if err != nil || a == nil {
				return Account{}, false, err
			}
			return *a, true, nil
		})
		return err
	})
	return p, err
}

// ListChildren lists the accounts or OUs (childType) directly under a parent.
func (s *Service) ListChildren(ctx context.Context, caller, parent, childType string, lo ListOpts) (Page[Child], error) {
	var p Page[Child]
	if err := checkParentID("ParentId", parent); err != nil {
		return p, err
	}
	if childType != ChildAccount && childType != ChildOU {
		return p, invalid(ReasonInvalidEnum, "ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.")
	}
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		if err := t.mustParent(o, parent); err != nil {
			return err
		}
		src, prefix := childIndex(t, o.ID, parent, childType)
		p, err = pageItems(src, prefix, lo, func(it store.Item) (Child, bool, error) { return Child{ID: it.Key, Type: childType}, true, nil })
		return err
	})
	return p, err
}

// ListParents returns the parent of an account or OU. Returns ChildNotFoundException.
func (s *Service) ListParents(ctx context.Context, caller, child string) ([]Parent, error) {
	isAccount := accountIDPattern.MatchString(child)
	if !isAccount && !ouIDPattern.MatchString(child) {
		return nil, invalid(ReasonInvalidPattern, "ChildId must be an account ID or an OU ID.")
	}
	var out []Parent
	err := s.view(ctx, func(t txn) error {
		o, err := t.reader(caller)
		if err != nil {
			return err
		}
		parent := ""
		if isAccount {
			a, err := t.member(o, child)
			if err != nil {
				return err
			}
			if a != nil {
				parent = a.ParentID
			}
		} else {
			u, err := t.ou(o, child)
			if err != nil {
				return err
			}
			if u != nil {
				parent = u.ParentID
			}
		}
		if parent == "" {
			return errorf(awserr.OrgsChildNotFound, "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
		}
		typ := ChildOU
		if parent == o.RootID {
			typ = ParentRoot
		}
		out = []Parent{{ID: parent, Type: typ}}
		return nil
	})
	return out, err
}
