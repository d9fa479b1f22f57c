package orgs

import (
	"cmp"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The storage records of Organizations, separate from the domain structs the service answers
// with: a field renamed in Account or Policy cannot lose stored data. Their JSON names are those
// the structs were stored with before records were versioned, so that a version-0 body decodes
// as version 1 unchanged.
//
// Kinds whose account column is "" are global; the others are scoped to one organization (the
// account column holds the organization ID). Indexes replace the pairs of objects Organizations
// used to keep by hand:
//   - orgchild (parent → account or OU) is the "parent" index of orgmember and of orgou;
//   - orgpolicyname (type and name → policy) is the unique "name" index of orgpolicy;
//   - orgtarget (policy → target) is the "policy" index of orgattach (target → policy);
//   - orghsaccount and orghsorg (handshakes of an account, of an organization) are the "account"
//     and "org" indexes of orghandshake.
//
// store.Migrate builds the indexes from the records and then deletes the retired kinds' objects.

// Kind names in the store.
const (
	kindOrg         = "org"             // global: organization ID → orgRecord
	kindOrgOf       = "orgof"           // global: account ID → organization ID
	kindMember      = "orgmember"       // org: account ID → memberRecord
	kindOU          = "orgou"           // org: OU ID → ouRecord
	kindPolicy      = "orgpolicy"       // org: policy ID → policyRecord
	kindAttach      = "orgattach"       // org: target ID \x00 policy ID → attachRecord
	kindCreateState = "orgcreatestatus" // org: request ID → createStatusRecord
	kindHandshake   = "orghandshake"    // global: handshake ID → handshakeRecord
	kindTags        = "orgtags"         // org: resource ID → map[key]value
	sep             = "\x00"
)

func init() {
	store.Retire("orgchild", "orgpolicyname", "orgtarget", "orghsaccount", "orghsorg")
}

// orgRecord is an Organization as stored. MasterAccountEmail is read from IAM's account.
type orgRecord struct {
	ID              string                `json:"id"`
	FeatureSet      string                `json:"feature_set"`
	MasterAccountID string                `json:"master_id"`
	RootID          string                `json:"root_id"`
	CreatedAt       time.Time             `json:"created"`
	PolicyTypes     []string              `json:"policy_types,omitempty"`
	ServiceAccess   []serviceAccessRecord `json:"service_access,omitempty"`
	Delegated       []delegationRecord    `json:"delegated,omitempty"`
	RootFeatures    []string              `json:"root_features,omitempty"`
}

type serviceAccessRecord struct {
	ServicePrincipal string    `json:"service"`
	DateEnabled      time.Time `json:"enabled"`
}

type delegationRecord struct {
	AccountID        string    `json:"account"`
	ServicePrincipal string    `json:"service"`
	Date             time.Time `json:"date"`
}

var orgs = store.Define(store.Kind[orgRecord]{Name: kindOrg, Version: 1})

func newOrgRecord(o *Organization) *orgRecord {
	r := &orgRecord{ID: o.ID, FeatureSet: o.FeatureSet, MasterAccountID: o.MasterAccountID, RootID: o.RootID,
		CreatedAt: o.CreatedAt, PolicyTypes: o.PolicyTypes, RootFeatures: o.RootFeatures}
	for _, a := range o.ServiceAccess {
		r.ServiceAccess = append(r.ServiceAccess, serviceAccessRecord(a))
	}
	for _, d := range o.Delegated {
		r.Delegated = append(r.Delegated, delegationRecord(d))
	}
	return r
}

func (r *orgRecord) organization() *Organization {
	o := &Organization{ID: r.ID, FeatureSet: r.FeatureSet, MasterAccountID: r.MasterAccountID, RootID: r.RootID,
		CreatedAt: r.CreatedAt, PolicyTypes: r.PolicyTypes, RootFeatures: r.RootFeatures}
	for _, a := range r.ServiceAccess {
		o.ServiceAccess = append(o.ServiceAccess, ServiceAccess(a))
	}
	for _, d := range r.Delegated {
		o.Delegated = append(o.Delegated, Delegation(d))
	}
	return o
}

// orgOf maps an account to its organization: the one object that makes an account a member of at
// most one organization (its key is the account ID, in the global scope). It stays a record of its
// own rather than an index of orgmember: an index lives in its record's scope (the organization),
// and this lookup starts from the account alone.
var memberships = store.Define(store.Kind[string]{Name: kindOrgOf, Version: 1})

// memberRecord is an Account as stored. Name and Email are IAM's; records written before they
// were dropped still hold them, ignored.
type memberRecord struct {
	ID              string    `json:"id"`
	Status          string    `json:"status"`
	JoinedMethod    string    `json:"joined_method"`
	JoinedTimestamp time.Time `json:"joined"`
	ParentID        string    `json:"parent"`
}

// byParent is the "parent" index of members and OUs: the children of a root or OU, in ID order.
const byParent = "parent"

// byStatus is the "status" index of members: an organization's accounts of one status (a record
// written without one counts as ACTIVE), in ID order.
const byStatus = "status"

var members = store.Define(store.Kind[memberRecord]{Name: kindMember, Version: 1,
	Indexes: []store.Index[memberRecord]{
		{Name: byParent, Values: func(_ string, r *memberRecord) []string { return []string{r.ParentID} }},
		{Name: byStatus, Values: func(_ string, r *memberRecord) []string { return []string{cmp.Or(r.Status, StatusActive)} }},
	}})

func newMemberRecord(a *Account) *memberRecord {
	return &memberRecord{ID: a.ID, Status: a.Status, JoinedMethod: a.JoinedMethod, JoinedTimestamp: a.JoinedTimestamp, ParentID: a.ParentID}
}

func (r *memberRecord) account() *Account {
	return &Account{ID: r.ID, Status: r.Status, JoinedMethod: r.JoinedMethod, JoinedTimestamp: r.JoinedTimestamp, ParentID: r.ParentID}
}

// ouRecord is an OrganizationalUnit as stored.
type ouRecord struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parent"`
}

var ous = store.Define(store.Kind[ouRecord]{Name: kindOU, Version: 1,
	Indexes: []store.Index[ouRecord]{
		{Name: byParent, Values: func(_ string, r *ouRecord) []string { return []string{r.ParentID} }},
	}})

// policyRecord is a Policy of an organization as stored (FullAWSAccess is not stored).
type policyRecord struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Content     string `json:"content"`
}

// byName is the unique "name" index of policies: type \x00 name. A policy's name is unique among
// the organization's policies of its type.
const byName = "name"

var policies = store.Define(store.Kind[policyRecord]{Name: kindPolicy, Version: 1,
	Indexes: []store.Index[policyRecord]{
		{Name: byName, Unique: true, Values: func(_ string, r *policyRecord) []string { return []string{r.Type + sep + r.Name} }},
	}})

func newPolicyRecord(p *Policy) *policyRecord {
	return &policyRecord{ID: p.ID, Name: p.Name, Description: p.Description, Type: p.Type, Content: p.Content}
}

func (r *policyRecord) policy() *Policy {
	return &Policy{ID: r.ID, Name: r.Name, Description: r.Description, Type: r.Type, Content: r.Content}
}

// attachRecord is a policy attached to a target, keyed target \x00 policy ID: the key says it
// all. Its "policy" index lists a policy's targets.
type attachRecord struct{}

const byPolicy = "policy"

var attachments = store.Define(store.Kind[attachRecord]{Name: kindAttach, Version: 1,
	Indexes: []store.Index[attachRecord]{
		{Name: byPolicy, Values: func(key string, _ *attachRecord) []string {
			_, policyID, _ := strings.Cut(key, sep)
			return []string{policyID}
		}},
	}})

func attachKey(target, policyID string) string { return target + sep + policyID }

// createStatusRecord is a CreateAccountStatus as stored.
type createStatusRecord struct {
	ID                 string     `json:"id"`
	AccountName        string     `json:"name"`
	State              string     `json:"state"`
	RequestedTimestamp time.Time  `json:"requested"`
	CompletedTimestamp *time.Time `json:"completed,omitempty"`
	AccountID          string     `json:"account,omitempty"`
	FailureReason      string     `json:"failure,omitempty"`
}

var createStates = store.Define(store.Kind[createStatusRecord]{Name: kindCreateState, Version: 1})

// handshakeRecord is a Handshake as stored. Its "account" index lists the handshakes an account
// is invited by, its "org" index those an organization sent.
type handshakeRecord struct {
	ID                  string                    `json:"id"`
	Arn                 string                    `json:"arn"`
	OrgID               string                    `json:"org"`
	Action              string                    `json:"action"`
	State               string                    `json:"state"`
	Parties             []handshakePartyRecord    `json:"parties"`
	Resources           []handshakeResourceRecord `json:"resources"`
	RequestedTimestamp  time.Time                 `json:"requested"`
	ExpirationTimestamp time.Time                 `json:"expires"`
}

type handshakePartyRecord struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type handshakeResourceRecord struct {
	Type      string                    `json:"type"`
	Value     string                    `json:"value"`
	Resources []handshakeResourceRecord `json:"resources,omitempty"`
}

const (
	byAccount = "account"
	byOrg     = "org"
)

var handshakes = store.Define(store.Kind[handshakeRecord]{Name: kindHandshake, Version: 1,
	Indexes: []store.Index[handshakeRecord]{
		{Name: byAccount, Values: func(_ string, r *handshakeRecord) []string {
			for _, p := range r.Parties {
				if p.Type == partyAccount {
					return []string{p.ID}
				}
			}
			return nil
		}},
		{Name: byOrg, Values: func(_ string, r *handshakeRecord) []string { return []string{r.OrgID} }},
	}})

func newHandshakeRecord(h *Handshake) *handshakeRecord {
	r := &handshakeRecord{ID: h.ID, Arn: h.Arn, OrgID: h.OrgID, Action: h.Action, State: h.State,
		Resources: resourceRecords(h.Resources), RequestedTimestamp: h.RequestedTimestamp, ExpirationTimestamp: h.ExpirationTimestamp}
	for _, p := range h.Parties {
		r.Parties = append(r.Parties, handshakePartyRecord(p))
	}
	return r
}

func resourceRecords(rs []HandshakeResource) []handshakeResourceRecord {
	if rs == nil {
		return nil
	}
	out := make([]handshakeResourceRecord, len(rs))
	for i, r := range rs {
		out[i] = handshakeResourceRecord{Type: r.Type, Value: r.Value, Resources: resourceRecords(r.Resources)}
	}
	return out
}

func (r *handshakeRecord) handshake() *Handshake {
	h := &Handshake{ID: r.ID, Arn: r.Arn, OrgID: r.OrgID, Action: r.Action, State: r.State,
		Resources: handshakeResources(r.Resources), RequestedTimestamp: r.RequestedTimestamp, ExpirationTimestamp: r.ExpirationTimestamp}
	for _, p := range r.Parties {
		h.Parties = append(h.Parties, HandshakeParty(p))
	}
	return h
}

func handshakeResources(rs []handshakeResourceRecord) []HandshakeResource {
	if rs == nil {
		return nil
	}
	out := make([]HandshakeResource, len(rs))
	for i, r := range rs {
		out[i] = HandshakeResource{Type: r.Type, Value: r.Value, Resources: handshakeResources(r.Resources)}
	}
	return out
}

// tagsRecord is a resource's tags, key → value; a resource without tags has no record.
type tagsRecord map[string]string

var tagSets = store.Define(store.Kind[tagsRecord]{Name: kindTags, Version: 1})
