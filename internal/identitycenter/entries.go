package identitycenter

import (
	"context"

	"github.com/rootward/rootward/internal/store"
)

// The identity store's three kinds of entry — users, groups and group memberships — are kept and
// answered alike: under STORE/ID in the account that owns the instance, reported missing as a
// ResourceNotFoundException of their ResourceType, answered in their wire form. One entryKind
// each says so, and the Describe and List operations of all three are the functions below.

// entryKind is one kind of identity store entry.
type entryKind[R, T any] struct {
	kind *store.Kind[R]
	// resourceType is ResourceNotFoundException's ResourceType; idParam the member naming the ID.
	resourceType, idParam string
	// wire is the entry as the API answers it.
	wire func(r *R, store string) *T
	// index is the unique index a List filter reads, and filterPath the filter's AttributePath
	// (users and groups).
	index, filterPath string
}

var (
	userEntries = entryKind[userRecord, User]{kind: users, resourceType: ResourceUser, idParam: "UserId",
		wire: (*userRecord).user, index: "username", filterPath: "UserName"}
	groupEntries = entryKind[groupRecord, Group]{kind: groups, resourceType: ResourceGroup, idParam: "GroupId",
		wire: (*groupRecord).group, index: "displayname", filterPath: "DisplayName"}
	membershipEntries = entryKind[membershipRecord, Membership]{kind: memberships, resourceType: ResourceGroupMembership, idParam: "MembershipId",
		wire: func(r *membershipRecord, store string) *Membership { m := r.membership(store); return &m }}
)

// entryIn reads the entry id of store r. Returns ResourceNotFoundException.
func entryIn[R, T any](t txn, k entryKind[R, T], r ref, id string) (*R, error) {
	e, ok, err := k.kind.Get(t, r.account, key(r.store, id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound(k.resourceType, id)
	}
	return e, nil
}

// describeEntry answers DescribeUser, DescribeGroup and DescribeGroupMembership. Returns
// ValidationException, ResourceNotFoundException.
func describeEntry[R, T any](ctx context.Context, s *Service, k entryKind[R, T], caller, idOrARN, id string) (*T, error) {
	if err := checkResourceID(k.idParam, id); err != nil {
		return nil, err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return nil, err
	}
	var out *T
	err = store.View(ctx, s.st, func(t txn) error {
		e, err := entryIn(t, k, r, id)
		if err == nil {
			out = k.wire(e, r.store)
		}
		return err
	})
	return out, err
}

// listEntries answers ListUsers and ListGroups: a store's entries in ID order, or the one the
// filter on k.filterPath names. Returns ValidationException, ResourceNotFoundException.
func listEntries[R, T any](ctx context.Context, s *Service, k entryKind[R, T], caller, idOrARN string, filters []Filter, o ListOpts) (store.Page[T], error) {
	if err := checkFilters(filters, k.filterPath); err != nil {
		return store.Page[T]{}, err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return store.Page[T]{}, err
	}
	var p store.Page[T]
	err = store.View(ctx, s.st, func(t txn) error {
		if len(filters) == 1 {
			if o.After != "" {
				return nil
			}
			_, e, ok, err := k.kind.Lookup(t, k.index, r.account, key(r.store, fold(filters[0].AttributeValue)))
			if ok {
				p.Items = []T{*k.wire(e, r.store)}
			}
			return err
		}
		p, err = store.ReadPage(k.kind.Range(t, r.account, r.store+"/"), o.After, o.limit(), func(it store.Item) (T, bool, error) {
			e, err := k.kind.Decode(it.Body)
			if err != nil {
				var zero T
				return zero, false, err
			}
			return *k.wire(e, r.store), true, nil
		})
		return err
	})
	return p, err
}

// updateEntry answers UpdateUser and UpdateGroup: each operation applied to the entry, then
// finish (the entry's rules checked over the result, its Updated stamp), then the entry stored
// (a unique name taken is a ConflictException). Returns ValidationException,
// ResourceNotFoundException, ConflictException; nothing changes on error.
func updateEntry[R, T any](ctx context.Context, s *Service, k entryKind[R, T], caller, idOrARN, id string, ops []AttributeOperation,
	apply func(e *R, op AttributeOperation) error, finish func(e *R) error) error {
	if err := checkResourceID(k.idParam, id); err != nil {
		return err
	}
	if len(ops) == 0 || len(ops) > 100 {
		return invalid("Operations must hold 1 to 100 operations.")
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return err
	}
	return store.Update(ctx, s.st, func(t txn) error {
		e, err := entryIn(t, k, r, id)
		if err != nil {
			return err
		}
		for _, op := range ops {
			if err := apply(e, op); err != nil {
				return err
			}
		}
		if err := finish(e); err != nil {
			return err
		}
		return userUniqueness(k.kind.Put(t, r.account, key(r.store, id), e))
	})
}

// scoped is a declared index with one value: the store or instance a record's key starts with,
// then parts of the record, joined by key.
func scoped[R any](name string, unique bool, parts func(r *R) []string) store.Index[R] {
	return store.Index[R]{Name: name, Unique: unique, Values: func(k string, r *R) []string {
		return []string{key(append([]string{storeOf(k)}, parts(r)...)...)}
	}}
}
