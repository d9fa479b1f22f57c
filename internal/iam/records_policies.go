package iam

import (
	"strings"
	"time"

	rwarn "github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/store"
)

// The storage records of IAM's policies — customer managed policies with their versions, the
// attachments of managed policies to principals, inline policies — and their kinds (store.Kind),
// in the style of records.go: JSON names are those the wire structs were stored under before
// records existed, so a body of that schema (version 0) decodes as version 1 unchanged.
//
// Indexes replace the reverse objects IAM used to keep by hand:
//   - "attachedto" (policy ARN → principal) is the "policy" index of the attachment kind;
//   - "boundaryof" (policy ARN → principal whose permissions boundary it is) is the "boundary"
//     index of the user and role kinds, computed from the boundary those records hold, so a
//     boundary and its index entry cannot disagree and a renamed principal needs no bookkeeping.
//
// Both old kinds are retired: store.Migrate builds the declared indexes from the records, then
// deletes the old objects.

// policyRecord is a stored customer managed policy, under its folded name. Its versions (at most
// maxPolicyVersions) live inside it: every read of a policy wants its default document, and a
// version never changes once created.
type policyRecord struct {
	Name           string                `json:"name"`
	ID             string                `json:"id"`
	Arn            string                `json:"arn"`
	Path           string                `json:"path"`
	DefaultVersion string                `json:"default_version"`
	Description    string                `json:"description,omitempty"`
	Created        time.Time             `json:"created"`
	Updated        time.Time             `json:"updated"`
	Tags           []tagRecord           `json:"tags,omitempty"`
	Versions       []policyVersionRecord `json:"versions"`
	// NextVersion numbers versions: v1, v2, … never reused after deletion, as in IAM.
	NextVersion int `json:"next_version"`
}

// policyVersionRecord is one stored version of a managed policy. Which one is the default is the
// policy's DefaultVersion, not the version's.
type policyVersionRecord struct {
	Document string    `json:"document"`
	ID       string    `json:"id"`
	Created  time.Time `json:"created"`
}

// policies are the customer managed policies. Their "path" index (path, folded name) serves
// ListPolicies with a PathPrefix.
var policies = store.Define(store.Kind[policyRecord]{
	Name: "policy", Version: 1,
	Indexes: []store.Index[policyRecord]{pathIndex(func(r *policyRecord) string { return r.Path })},
})

func policyRecordOf(p *ManagedPolicy) *policyRecord {
	r := &policyRecord{
		Name: p.PolicyName, ID: p.PolicyID, Arn: p.Arn, Path: p.Path, DefaultVersion: p.DefaultVersionID,
		Description: p.Description, Created: p.CreateDate, Updated: p.UpdateDate, Tags: tagRecords(p.Tags),
		NextVersion: p.NextVersion,
	}
	r.Versions = make([]policyVersionRecord, len(p.Versions))
	for i, v := range p.Versions {
		r.Versions[i] = policyVersionRecord{Document: v.Document, ID: v.VersionID, Created: v.CreateDate}
	}
	return r
}

// policy is the record as a ManagedPolicy, without the counts and flags managedPolicy fills in.
func (r *policyRecord) policy() *ManagedPolicy {
	p := &ManagedPolicy{
		PolicyName: r.Name, PolicyID: r.ID, Arn: r.Arn, Path: r.Path, DefaultVersionID: r.DefaultVersion,
		Description: r.Description, CreateDate: r.Created, UpdateDate: r.Updated, Tags: fromTagRecords(r.Tags),
		NextVersion: r.NextVersion,
	}
	p.Versions = make([]PolicyVersion, len(r.Versions))
	for i, v := range r.Versions {
		p.Versions[i] = PolicyVersion{Document: v.Document, VersionID: v.ID, CreateDate: v.Created}
	}
	return p
}

// policyPosition is where a customer managed policy's ARN sits in the path index (its entry's
// key), for a Marker: the ARN holds the policy's path and name.
func policyPosition(arn string) (string, bool) {
	_, res, ok := strings.Cut(arn, ":policy/")
	if !ok {
		return "", false
	}
	i := strings.LastIndexByte(res, '/')
	return "/" + res[:i+1] + sep + fold(res[i+1:]), true
}

// attachmentRecord is a managed policy attached to a principal, stored under
// ptype \x00 folded principal name \x00 policy ARN. AttachedPolicy was stored without JSON names.
type attachmentRecord struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

// attachments are the managed-policy attachments. Their "policy" index (policy ARN) lists and
// counts the principals a policy is attached to.
var attachments = store.Define(store.Kind[attachmentRecord]{
	Name: kindAttached, Version: 1,
	Indexes: []store.Index[attachmentRecord]{{Name: "policy", Values: func(_ string, r *attachmentRecord) []string {
		return []string{r.PolicyArn}
	}}, {Name: "inuse", Values: func(_ string, r *attachmentRecord) []string {
		return inUseValues(r.PolicyArn)
	}}},
})

// The "inuse" indexes — of the attachment kind, and of the user and role kinds for their
// permissions boundaries — hold the policies in use in ListPolicies' orders, so that ListPolicies
// with OnlyAttached reads the distinct values of a range of them (attachedPolicies), one page's
// worth, instead of every policy. A policy's values (inUseValues) end with \x01 and its ARN:
//   - an AWS managed policy: "0" and its name, the catalogue's (bytewise name) order;
//   - a customer managed policy: "1" and its folded name, the key order of the policy kind, and
//     "2", its path, \x01, its folded name, the order of the policy kind's path index.
//
// No name, path or ARN holds a control byte, so these orders are those of the listings without
// OnlyAttached.
const (
	inUseAWS     = "0"
	inUseOwn     = "1"
	inUseOwnPath = "2"
	inUseSep     = "\x01"
)

// inUseValues are the "inuse" index values of the policy arn.
func inUseValues(arn string) []string {
	if name, ok := strings.CutPrefix(arn, rwarn.AWSManagedPolicyPrefix); ok {
		return []string{inUseAWS + name[strings.LastIndexByte(name, '/')+1:] + inUseSep + arn}
	}
	_, res, ok := strings.Cut(arn, ":policy/")
	if !ok {
		return nil
	}
	i := strings.LastIndexByte(res, '/')
	path, name := "/"+res[:i+1], fold(res[i+1:])
	return []string{inUseOwn + name + inUseSep + arn, inUseOwnPath + path + inUseSep + name + inUseSep + arn}
}

// inUseIndex is the "inuse" index of a principal kind: the values of its permissions boundary.
func inUseIndex[R any](b func(*R) *boundaryRecord) store.Index[R] {
	return store.Index[R]{Name: "inuse", Values: func(_ string, r *R) []string {
		if br := b(r); br != nil && br.Arn != "" {
			return inUseValues(br.Arn)
		}
		return nil
	}}
}

func init() { store.Retire("attachedto") }

// attachmentKey is the key of ptype's principal key's attachment of arn.
func attachmentKey(ptype, key, arn string) string { return ptype + sep + key + sep + arn }

// attachedTo splits the key of an entry of the attachment kind's policy index (ARN \x00 record
// key) into the principal's type and folded name. (store.EntryKey splits at the last NUL, and an
// attachment's key holds two.)
func attachedTo(entryKey string) (ptype, key string, ok bool) {
	_, rec, _ := strings.Cut(entryKey, sep)
	ptype, rest, ok1 := strings.Cut(rec, sep)
	key, _, ok2 := strings.Cut(rest, sep)
	return ptype, key, ok1 && ok2
}

// inlinePolicy is a stored inline policy, under ptype \x00 folded principal name \x00 policy name.
type inlinePolicy struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

var inlines = store.Define(store.Kind[inlinePolicy]{Name: kindInline, Version: 1})

func init() { store.Retire("boundaryof") }

// boundaryIndex is the "boundary" index of a principal kind: the ARN of the principal's
// permissions boundary, when it has one. It counts a policy's PermissionsBoundaryUsageCount.
func boundaryIndex[R any](b func(*R) *boundaryRecord) store.Index[R] {
	return store.Index[R]{Name: "boundary", Values: func(_ string, r *R) []string {
		if br := b(r); br != nil && br.Arn != "" {
			return []string{br.Arn}
		}
		return nil
	}}
}

// boundaryUses counts the users and roles whose permissions boundary is the policy arn.
func (t txn) boundaryUses(account, arn string) (int, error) {
	n, err := users.Count(t, "boundary", account, arn+sep)
	if err != nil {
		return 0, err
	}
	m, err := roles.Count(t, "boundary", account, arn+sep)
	return n + m, err
}

// renamePolicyRecords moves a principal's attachments and inline policies to its new folded name.
func (t txn) renamePolicyRecords(account, ptype, oldKey, newKey string) error {
	oldPrefix, newPrefix := ptype+sep+oldKey+sep, ptype+sep+newKey+sep
	if err := moveRecords(t, attachments, account, oldPrefix, newPrefix); err != nil {
		return err
	}
	return moveRecords(t, inlines, account, oldPrefix, newPrefix)
}

// moveRecords moves every record of k under oldPrefix to the same key under newPrefix, with its
// index entries. Each is deleted before it is written again, so a unique index value moves with it.
func moveRecords[R any](t txn, k *store.Kind[R], account, oldPrefix, newPrefix string) error {
	items, err := k.List(t, account, oldPrefix, "", 0)
	if err != nil {
		return err
	}
	for _, e := range items {
		if err := k.Delete(t, account, e.Key); err != nil {
			return err
		}
		if err := k.Put(t, account, newPrefix+strings.TrimPrefix(e.Key, oldPrefix), e.Record); err != nil {
			return err
		}
	}
	return nil
}
