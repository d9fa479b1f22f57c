package iam

import (
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The storage records of IAM's principals — users, groups and their memberships, roles, access
// keys, login profiles and signing certificates — and their kinds (store.Kind). A record is the
// stored shape, separate from the wire struct it converts to and from (User, Group, …), so that a
// field renamed on the wire cannot silently lose stored data; its JSON names are those the wire
// structs were stored under before records existed, which makes a body of that schema (version 0)
// decode as version 1 unchanged.
//
// Keys: IAM names are unique case-insensitively ("names are not distinguished by case", IAM User
// Guide, "IAM identifiers"), so a principal's key is its folded name (fold).
//
// Path indexes: ListUsers, ListGroups and ListRoles with a PathPrefix read the kind's "path" index,
// whose entries are (path, folded name): a page costs the page, however many entities lie outside
// the prefix, and lists by path, then name. AWS documents no order for a PathPrefix listing;
// without one (or with "/", which every path matches) they list in name order, as IAM does.

// version1 is the upgrade list of a kind whose version 1 is the JSON stored before records had
// versions.
var version1 = []func([]byte) ([]byte, error){nil}

// pathIndex is the "path" index of a principal kind: one entry per record, its path.
func pathIndex[R any](path func(*R) string) store.Index[R] {
	return store.Index[R]{Name: "path", Values: func(_ string, r *R) []string { return []string{path(r)} }}
}

// tagRecord is a stored tag. Tags were stored as Tag, which has no JSON names of its own.
type tagRecord struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func tagRecords(tags []Tag) []tagRecord {
	if tags == nil {
		return nil
	}
	out := make([]tagRecord, len(tags))
	for i, t := range tags {
		out[i] = tagRecord(t)
	}
	return out
}

func fromTagRecords(rs []tagRecord) []Tag {
	if rs == nil {
		return nil
	}
	out := make([]Tag, len(rs))
	for i, r := range rs {
		out[i] = Tag(r)
	}
	return out
}

// boundaryRecord is a stored permissions boundary, under Boundary's field names as before.
type boundaryRecord struct {
	Type string `json:"PermissionsBoundaryType"`
	Arn  string `json:"PermissionsBoundaryArn"`
}

func boundaryRecordOf(b *Boundary) *boundaryRecord {
	if b == nil {
		return nil
	}
	return &boundaryRecord{Type: b.PermissionsBoundaryType, Arn: b.PermissionsBoundaryArn}
}

func (b *boundaryRecord) boundary() *Boundary {
	if b == nil {
		return nil
	}
	return &Boundary{PermissionsBoundaryType: b.Type, PermissionsBoundaryArn: b.Arn}
}

// userRecord is a stored IAM user, under its folded name.
type userRecord struct {
	Path             string          `json:"path"`
	Name             string          `json:"name"`
	ID               string          `json:"id"`
	Arn              string          `json:"arn"`
	Created          time.Time       `json:"created"`
	PasswordLastUsed *time.Time      `json:"password_last_used,omitempty"`
	Boundary         *boundaryRecord `json:"boundary,omitempty"`
	Tags             []tagRecord     `json:"tags,omitempty"`
}

var users = store.Define(store.Kind[userRecord]{
	Name: "user", Version: 1, Upgrade: version1,
	Indexes: []store.Index[userRecord]{pathIndex(func(r *userRecord) string { return r.Path })},
})

func userRecordOf(u *User) *userRecord {
	return &userRecord{
		Path: u.Path, Name: u.UserName, ID: u.UserID, Arn: u.Arn, Created: u.CreateDate,
		PasswordLastUsed: u.PasswordLastUsed, Boundary: boundaryRecordOf(u.PermissionsBoundary), Tags: tagRecords(u.Tags),
	}
}

func (r *userRecord) user() *User {
	return &User{
		Path: r.Path, UserName: r.Name, UserID: r.ID, Arn: r.Arn, CreateDate: r.Created,
		PasswordLastUsed: r.PasswordLastUsed, PermissionsBoundary: r.Boundary.boundary(), Tags: fromTagRecords(r.Tags),
	}
}

// decodeUser decodes a stored user body, as a range over the kind returns it.
func decodeUser(body []byte) (*User, error) {
	r, err := users.Decode(body)
	if err != nil {
		return nil, err
	}
	return r.user(), nil
}

// putUser stores u under its name, replacing the record there.
func (t txn) putUser(account string, u *User) error {
	return users.Put(t, account, fold(u.UserName), userRecordOf(u))
}

// listPrincipals reads one page of a principal kind: in name order without a path prefix (or
// with "/", which every path matches), else from the kind's path index, by path then name.
func listPrincipals[R, T any](t txn, k *store.Kind[R], account, pathPrefix string, o ListOpts, conv func(*R) T) (Page[T], error) {
	if pathPrefix == "" || pathPrefix == "/" {
		return readPage(k.Range(t, account, ""), o, func(it store.Item) (T, bool, error) {
			r, err := k.Decode(it.Body)
			if err != nil {
				var zero T
				return zero, false, err
			}
			return conv(r), true, nil
		})
	}
	return readPage(k.IndexRange(t, "path", account, pathPrefix), o, func(it store.Item) (T, bool, error) {
		var zero T
		_, r, ok, err := k.Resolve(t, account, it)
		if err != nil || !ok {
			return zero, false, err
		}
		return conv(r), true, nil
	})
}
