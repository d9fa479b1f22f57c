package iam

import (
	"time"

	"github.com/rootward/rootward/internal/store"
)

// sessionRecord is a stored STS session, under its temporary key ID (ASIA…), in no account (""):
// a key ID is unique across the installation. Only hashes and sealed values are kept (Session).
// JSON names are those Session was stored under before records existed (see records.go).
type sessionRecord struct {
	AccessKeyID       string            `json:"id"`
	Account           string            `json:"account"`
	SealedSecret      []byte            `json:"sealed_secret"`
	TokenHash         []byte            `json:"token_hash"`
	IssuedAt          time.Time         `json:"issued"`
	Expiration        time.Time         `json:"expires"`
	Type              string            `json:"type"`
	UserName          string            `json:"user,omitempty"`
	UserID            string            `json:"user_id,omitempty"`
	RoleName          string            `json:"role,omitempty"`
	RoleID            string            `json:"role_id,omitempty"`
	RolePath          string            `json:"role_path,omitempty"`
	SessionName       string            `json:"session_name,omitempty"`
	SourceIdentity    string            `json:"source_identity,omitempty"`
	MFA               bool              `json:"mfa,omitempty"`
	MFATime           *time.Time        `json:"mfa_time,omitempty"`
	Policies          []policyDocRecord `json:"policies,omitempty"`
	HasPolicies       bool              `json:"has_policies,omitempty"`
	Tags              []tagRecord       `json:"tags,omitempty"`
	TransitiveTagKeys []string          `json:"transitive_tag_keys,omitempty"`
	AssumedRoot       bool              `json:"assumed_root,omitempty"`
	TaskPolicies      []policyDocRecord `json:"task_policies,omitempty"`
	SourceARN         string            `json:"source_arn,omitempty"`
	SourceAccount     string            `json:"source_account,omitempty"`
	SourceID          string            `json:"source_id,omitempty"`
	SourceType        string            `json:"source_type,omitempty"`
	ServiceLinked     bool              `json:"service_linked,omitempty"`
	UserPath          string            `json:"user_path,omitempty"`
	FederatedProvider string            `json:"federated_provider,omitempty"`
}

// policyDocRecord is a stored session policy. PolicyDoc was stored without JSON names.
type policyDocRecord struct {
	Label    string `json:"Label"`
	Document string `json:"Document"`
}

var sessions = store.Define(store.Kind[sessionRecord]{Name: "session", Version: 1})

func policyDocRecords(ds []PolicyDoc) []policyDocRecord {
	if ds == nil {
		return nil
	}
	out := make([]policyDocRecord, len(ds))
	for i, d := range ds {
		out[i] = policyDocRecord(d)
	}
	return out
}

func fromPolicyDocRecords(rs []policyDocRecord) []PolicyDoc {
	if rs == nil {
		return nil
	}
	out := make([]PolicyDoc, len(rs))
	for i, r := range rs {
		out[i] = PolicyDoc(r)
	}
	return out
}

func sessionRecordOf(s *Session) *sessionRecord {
	return &sessionRecord{
		AccessKeyID: s.AccessKeyID, Account: s.Account, SealedSecret: s.SealedSecret, TokenHash: s.TokenHash,
		IssuedAt: s.IssuedAt, Expiration: s.Expiration, Type: s.Type, UserName: s.UserName, UserID: s.UserID,
		RoleName: s.RoleName, RoleID: s.RoleID, RolePath: s.RolePath, SessionName: s.SessionName,
		SourceIdentity: s.SourceIdentity, MFA: s.MFA, MFATime: s.MFATime, Policies: policyDocRecords(s.Policies),
		HasPolicies: s.HasPolicies, Tags: tagRecords(s.Tags), TransitiveTagKeys: s.TransitiveTagKeys,
		AssumedRoot: s.AssumedRoot, TaskPolicies: policyDocRecords(s.TaskPolicies), SourceARN: s.SourceARN,
		SourceAccount: s.SourceAccount, SourceID: s.SourceID, SourceType: s.SourceType,
		ServiceLinked: s.ServiceLinked, UserPath: s.UserPath, FederatedProvider: s.FederatedProvider,
	}
}

func (r *sessionRecord) session() *Session {
	return &Session{
		AccessKeyID: r.AccessKeyID, Account: r.Account, SealedSecret: r.SealedSecret, TokenHash: r.TokenHash,
		IssuedAt: r.IssuedAt, Expiration: r.Expiration, Type: r.Type, UserName: r.UserName, UserID: r.UserID,
		RoleName: r.RoleName, RoleID: r.RoleID, RolePath: r.RolePath, SessionName: r.SessionName,
		SourceIdentity: r.SourceIdentity, MFA: r.MFA, MFATime: r.MFATime, Policies: fromPolicyDocRecords(r.Policies),
		HasPolicies: r.HasPolicies, Tags: fromTagRecords(r.Tags), TransitiveTagKeys: r.TransitiveTagKeys,
		AssumedRoot: r.AssumedRoot, TaskPolicies: fromPolicyDocRecords(r.TaskPolicies), SourceARN: r.SourceARN,
		SourceAccount: r.SourceAccount, SourceID: r.SourceID, SourceType: r.SourceType,
		ServiceLinked: r.ServiceLinked, UserPath: r.UserPath, FederatedProvider: r.FederatedProvider,
	}
}
