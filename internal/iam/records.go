package iam

import (
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
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
	Name: "user", Version: 1,
	Indexes: []store.Index[userRecord]{
		pathIndex(func(r *userRecord) string { return r.Path }),
		boundaryIndex(func(r *userRecord) *boundaryRecord { return r.Boundary }),
		inUseIndex(func(r *userRecord) *boundaryRecord { return r.Boundary }),
	},
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
// with "/", which every path matches), else from the kind's path index, by path then name, the
// page's records read in one query per batch of index entries (Resolved).
func listPrincipals[R, T any](t txn, k *store.Kind[R], account, pathPrefix string, o ListOpts, conv func(*R) T) (Page[T], error) {
	src := k.Range(t, account, "")
	if pathPrefix != "" && pathPrefix != "/" {
		src = k.Resolved(t, account, k.IndexRange(t, "path", account, pathPrefix))
	}
	return readPage(src, o, func(it store.Item) (T, bool, error) {
		var zero T
		if it.Body == nil { // an index entry whose record has gone
			return zero, false, nil
		}
		r, err := k.Decode(it.Body)
		if err != nil {
			return zero, false, err
		}
		return conv(r), true, nil
	})
}

// groupRecord is a stored IAM group, under its folded name.
type groupRecord struct {
	Path    string    `json:"path"`
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Arn     string    `json:"arn"`
	Created time.Time `json:"created"`
}

var groups = store.Define(store.Kind[groupRecord]{
	Name: "group", Version: 1,
	Indexes: []store.Index[groupRecord]{pathIndex(func(r *groupRecord) string { return r.Path })},
})

func groupRecordOf(g *Group) *groupRecord {
	return &groupRecord{Path: g.Path, Name: g.GroupName, ID: g.GroupID, Arn: g.Arn, Created: g.CreateDate}
}

func (r *groupRecord) group() *Group {
	return &Group{Path: r.Path, GroupName: r.Name, GroupID: r.ID, Arn: r.Arn, CreateDate: r.Created}
}

// decodeGroup decodes a stored group body, as a range over the kind returns it.
func decodeGroup(body []byte) (*Group, error) {
	r, err := groups.Decode(body)
	if err != nil {
		return nil, err
	}
	return r.group(), nil
}

// membership is a group membership, stored under folded group name \x00 folded user name: the
// unique ID of the user who was added. Membership belongs to that user, not to the name: a user
// deleted and created again under the same name is in no group until added again. The kind's
// "user" index lists a user's groups; it replaced the hand-kept "memberof" objects (retired).
type membership struct {
	UserID string `json:"user_id,omitempty"`
}

var members = store.Define(store.Kind[membership]{
	Name: "member", Version: 1,
	Indexes: []store.Index[membership]{{Name: "user", Values: func(key string, _ *membership) []string {
		_, user, _ := strings.Cut(key, sep)
		return []string{user}
	}}},
})

func init() { store.Retire("memberof") }

func memberKey(groupKey, userKey string) string { return groupKey + sep + userKey }

// memberEntry splits an entry of the member kind's user index into the membership's key and its
// folded group name. (The entry is user \x00 group \x00 user: the index value holds no NUL, so the
// record key is all after the first.)
func memberEntry(entryKey string) (key, group string) {
	_, key, _ = strings.Cut(entryKey, sep)
	group, _, _ = strings.Cut(key, sep)
	return key, group
}

// of reports whether the membership is u's. Records written before memberships carried the user's
// ID hold none and are matched by name: no such record can have outlived its user, because
// DeleteUser refuses while the user is in a group (DeleteConflict), in a serializable
// transaction, and UpdateUser moves memberships with a rename.
func (m *membership) of(u *User) bool {
	return m.UserID == "" || m.UserID == u.UserID
}

// groupsOf returns the folded names of the groups the user named user, with unique ID id, is a
// member of.
func (t txn) groupsOf(account, user, id string) ([]string, error) {
	entries, err := members.IndexRange(t, "user", account, fold(user)+sep)("", 0)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range entries {
		key, group := memberEntry(it.Key)
		m, ok, err := members.Get(t, account, key)
		if err != nil {
			return nil, err
		}
		if ok && m.of(&User{UserID: id}) {
			out = append(out, group)
		}
	}
	return out, nil
}

// moveRecord moves the record of k under oldKey, if there is one, to newKey, with its index
// entries, for a renamed user or group. The old record goes first, so that the new one may take
// its unique index values.
func moveRecord[R any](t txn, k *store.Kind[R], account, oldKey, newKey string) error {
	r, ok, err := k.Get(t, account, oldKey)
	if err != nil || !ok {
		return err
	}
	if err := k.Delete(t, account, oldKey); err != nil {
		return err
	}
	return k.Put(t, account, newKey, r)
}

// renameUserRecords moves the records keyed by a user's folded name when the user is renamed to
// newName, and renames the user in the access keys that name it.
func (t txn) renameUserRecords(account, oldKey, newKey, newName string) error {
	keys, err := t.accessKeysOf(account, oldKey)
	if err != nil {
		return err
	}
	for _, k := range keys {
		k.UserName = newName
		if err := t.putAccessKey(&k); err != nil {
			return err
		}
	}
	entries, err := members.IndexRange(t, "user", account, oldKey+sep)("", 0)
	if err != nil {
		return err
	}
	for _, it := range entries {
		key, group := memberEntry(it.Key)
		if err := moveRecord(t, members, account, key, memberKey(group, newKey)); err != nil {
			return err
		}
	}
	if err := moveRecord(t, loginProfiles, account, oldKey, newKey); err != nil {
		return err
	}
	certs, err := signingCerts.List(t, account, oldKey+sep, "", 0)
	if err != nil {
		return err
	}
	for _, c := range certs {
		if err := moveRecord(t, signingCerts, account, c.Key, newKey+sep+c.Record.ID); err != nil {
			return err
		}
	}
	return moveUserCreds(t, account, oldKey, newKey)
}

// roleRecord is a stored IAM role, under its folded name.
type roleRecord struct {
	Path              string              `json:"path"`
	Name              string              `json:"name"`
	ID                string              `json:"id"`
	Arn               string              `json:"arn"`
	Created           time.Time           `json:"created"`
	Trust             string              `json:"trust"`
	Description       string              `json:"description,omitempty"`
	MaxSession        int                 `json:"max_session"`
	Boundary          *boundaryRecord     `json:"boundary,omitempty"`
	Tags              []tagRecord         `json:"tags,omitempty"`
	LastUsed          *roleLastUsedRecord `json:"last_used,omitempty"`
	TrustPrincipalIDs map[string]string   `json:"trust_ids,omitempty"`
	ServiceLinked     bool                `json:"service_linked,omitempty"`
	ManagedBy         string              `json:"managed_by,omitempty"`
}

type roleLastUsedRecord struct {
	Date   *time.Time `json:"date,omitempty"`
	Region string     `json:"region,omitempty"`
}

var roles = store.Define(store.Kind[roleRecord]{
	Name: "role", Version: 1,
	Indexes: []store.Index[roleRecord]{
		pathIndex(func(r *roleRecord) string { return r.Path }),
		boundaryIndex(func(r *roleRecord) *boundaryRecord { return r.Boundary }),
		inUseIndex(func(r *roleRecord) *boundaryRecord { return r.Boundary }),
	},
})

func roleRecordOf(r *Role) *roleRecord {
	rec := &roleRecord{
		Path: r.Path, Name: r.RoleName, ID: r.RoleID, Arn: r.Arn, Created: r.CreateDate,
		Trust: r.AssumeRolePolicyDocument, Description: r.Description, MaxSession: r.MaxSessionDuration,
		Boundary: boundaryRecordOf(r.PermissionsBoundary), Tags: tagRecords(r.Tags),
		TrustPrincipalIDs: r.TrustPrincipalIDs, ServiceLinked: r.ServiceLinked, ManagedBy: r.ManagedBy,
	}
	if lu := r.RoleLastUsed; lu != nil {
		rec.LastUsed = &roleLastUsedRecord{Date: lu.LastUsedDate, Region: lu.Region}
	}
	return rec
}

func (rec *roleRecord) role() *Role {
	r := &Role{
		Path: rec.Path, RoleName: rec.Name, RoleID: rec.ID, Arn: rec.Arn, CreateDate: rec.Created,
		AssumeRolePolicyDocument: rec.Trust, Description: rec.Description, MaxSessionDuration: rec.MaxSession,
		PermissionsBoundary: rec.Boundary.boundary(), Tags: fromTagRecords(rec.Tags),
		TrustPrincipalIDs: rec.TrustPrincipalIDs, ServiceLinked: rec.ServiceLinked, ManagedBy: rec.ManagedBy,
	}
	if lu := rec.LastUsed; lu != nil {
		r.RoleLastUsed = &RoleLastUsed{LastUsedDate: lu.Date, Region: lu.Region}
	}
	return r
}

// decodeRole decodes a stored role body, as a range over the kind returns it.
func decodeRole(body []byte) (*Role, error) {
	r, err := roles.Decode(body)
	if err != nil {
		return nil, err
	}
	return r.role(), nil
}

// principalName returns the name, as created, of the user, group or role (ptype) stored under key
// (its folded name); "" when there is none.
func (t txn) principalName(account, ptype, key string) (string, error) {
	var name string
	var err error
	switch ptype {
	case principalUserT:
		var r *userRecord
		if r, _, err = users.Get(t, account, key); r != nil {
			name = r.Name
		}
	case principalGroupT:
		var r *groupRecord
		if r, _, err = groups.Get(t, account, key); r != nil {
			name = r.Name
		}
	case principalRoleT:
		var r *roleRecord
		if r, _, err = roles.Get(t, account, key); r != nil {
			name = r.Name
		}
	}
	return name, err
}

// accessKeyRecord is a stored long-term access key, global (account ""), under its ID: a request
// names a key, not its account. The secret is sealed. The kind's "user" index lists an owner's keys
// (keyIndexValue); it replaced the hand-kept "userkey" objects (retired).
type accessKeyRecord struct {
	ID           string     `json:"id"`
	Account      string     `json:"account"`
	User         string     `json:"user,omitempty"` // "" for the root user's keys
	UserID       string     `json:"user_id,omitempty"`
	Status       string     `json:"status"`
	Created      time.Time  `json:"created"`
	SealedSecret []byte     `json:"sealed_secret"`
	LastUsed     *time.Time `json:"last_used,omitempty"`
	LastService  string     `json:"last_service,omitempty"`
	LastRegion   string     `json:"last_region,omitempty"`
}

var accessKeys = store.Define(store.Kind[accessKeyRecord]{
	Name: "accesskey", Version: 1,
	Indexes: []store.Index[accessKeyRecord]{{Name: "user", Values: func(_ string, r *accessKeyRecord) []string {
		return []string{keyIndexValue(r.Account, r.User)}
	}}},
})

func init() { store.Retire("userkey") }

// keyIndexValue is the value of the access key index for the keys of user ("" = the root user) of
// account. A NUL follows it in the index, so value+sep ranges over exactly that user's keys.
func keyIndexValue(account, user string) string { return account + "/" + fold(user) }

func accessKeyRecordOf(k *AccessKey) *accessKeyRecord {
	return &accessKeyRecord{
		ID: k.AccessKeyID, Account: k.Account, User: k.UserName, UserID: k.UserID, Status: k.Status, Created: k.CreateDate,
		SealedSecret: k.SealedSecret, LastUsed: k.LastUsed, LastService: k.LastService, LastRegion: k.LastRegion,
	}
}

func (r *accessKeyRecord) accessKey() *AccessKey {
	return &AccessKey{
		AccessKeyID: r.ID, Account: r.Account, UserName: r.User, UserID: r.UserID, Status: r.Status, CreateDate: r.Created,
		SealedSecret: r.SealedSecret, LastUsed: r.LastUsed, LastService: r.LastService, LastRegion: r.LastRegion,
	}
}

// accessKey returns the key with ID id, nil when there is none.
func (t txn) accessKey(id string) (*AccessKey, error) {
	r, _, err := accessKeys.Get(t, "", id)
	if r == nil {
		return nil, err
	}
	return r.accessKey(), nil
}

func (t txn) putAccessKey(k *AccessKey) error {
	return accessKeys.Put(t, "", k.AccessKeyID, accessKeyRecordOf(k))
}

// insertAccessKey stores a new key for its owner, who may have at most limit keys. Returns
// LimitExceeded.
func (t txn) insertAccessKey(k *AccessKey, limit int) error {
	n, err := t.countAccessKeys(k.Account, k.UserName)
	if err != nil {
		return err
	}
	if n >= limit {
		return awserr.New(awserr.LimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", limit)
	}
	return accessKeys.Insert(t, "", k.AccessKeyID, accessKeyRecordOf(k))
}

// countAccessKeys counts the keys of user ("" = the root user).
func (t txn) countAccessKeys(account, user string) (int, error) {
	return accessKeys.Count(t, "user", "", keyIndexValue(account, user)+sep)
}

// ownedKeys is the Source of the keys of user ("" = the root user), by key ID; resolve an item
// with ownedKey.
func (t txn) ownedKeys(account, user string) store.Source {
	return accessKeys.IndexRange(t, "user", "", keyIndexValue(account, user)+sep)
}

// ownedKey reads the key an item of ownedKeys names; ok is false when it has gone.
func (t txn) ownedKey(it store.Item) (*AccessKey, bool, error) {
	_, r, ok, err := accessKeys.Resolve(t, "", it)
	if !ok {
		return nil, false, err
	}
	return r.accessKey(), true, nil
}

// accessKeysOf returns every key of user ("" = the root user), by key ID.
func (t txn) accessKeysOf(account, user string) ([]AccessKey, error) {
	items, err := t.ownedKeys(account, user)("", 0)
	if err != nil {
		return nil, err
	}
	var out []AccessKey
	for _, it := range items {
		k, ok, err := t.ownedKey(it)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, *k)
		}
	}
	return out, nil
}

// loginProfileRecord is a stored console password of an IAM user, under the user's folded name:
// argon2id hashes only, the current password's first, then earlier ones, newest first.
type loginProfileRecord struct {
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"reset_required,omitempty"`
	Changed       time.Time `json:"changed"`
	Hashes        []string  `json:"hashes"`
}

var loginProfiles = store.Define(store.Kind[loginProfileRecord]{Name: "loginprofile", Version: 1})

func loginProfileRecordOf(lp *LoginProfile) *loginProfileRecord {
	return &loginProfileRecord{Created: lp.CreateDate, ResetRequired: lp.PasswordResetRequired, Changed: lp.PasswordLastChanged, Hashes: lp.Hashes}
}

// loginProfile converts the record; UserName is the caller's to fill.
func (r *loginProfileRecord) loginProfile() *LoginProfile {
	return &LoginProfile{CreateDate: r.Created, PasswordResetRequired: r.ResetRequired, PasswordLastChanged: r.Changed, Hashes: r.Hashes}
}

// signingCertRecord is a stored X.509 signing certificate, under its user's folded name ("" for
// the root user) \x00 certificate ID. The kind's unique "fingerprint" index (the SHA-256 of the
// DER encoding) refuses a certificate any user of the account has already; it replaced the
// hand-kept "certfp" objects (retired).
type signingCertRecord struct {
	ID          string    `json:"id"`
	Body        string    `json:"body"`
	Status      string    `json:"status"`
	Uploaded    time.Time `json:"uploaded"`
	Fingerprint string    `json:"sha256"`
}

var signingCerts = store.Define(store.Kind[signingCertRecord]{
	Name: "usercert", Version: 1,
	Indexes: []store.Index[signingCertRecord]{{Name: "fingerprint", Unique: true, Values: func(_ string, r *signingCertRecord) []string {
		if r.Fingerprint == "" {
			return nil
		}
		return []string{r.Fingerprint}
	}}},
})

func init() { store.Retire("certfp") }

func signingCertRecordOf(c *SigningCertificate) *signingCertRecord {
	return &signingCertRecord{ID: c.CertificateID, Body: c.CertificateBody, Status: c.Status, Uploaded: c.UploadDate, Fingerprint: c.Fingerprint}
}

// signingCert converts the record for the user named userName ("" for the root user).
func (r *signingCertRecord) signingCert(userName string) *SigningCertificate {
	return &SigningCertificate{UserName: userName, CertificateID: r.ID, CertificateBody: r.Body, Status: r.Status, UploadDate: r.Uploaded, Fingerprint: r.Fingerprint}
}

// signingCertsOf returns the certificates of the user with folded name key ("" for the root
// user), by certificate ID, named userName.
func (t txn) signingCertsOf(account, key, userName string) ([]SigningCertificate, error) {
	es, err := signingCerts.List(t, account, key+sep, "", 0)
	if err != nil {
		return nil, err
	}
	var out []SigningCertificate
	for _, e := range es {
		out = append(out, *e.Record.signingCert(userName))
	}
	return out, nil
}
