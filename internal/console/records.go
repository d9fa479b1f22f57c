package console

import (
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The console's storage records. Every one is global (account "") and keyed by the hex SHA-256 of
// a token the browser or the operator holds, so a database reader cannot replay one. Their JSON
// names are those the bodies were stored under before records existed, so a body written then is
// version 0 and decodes unchanged as version 1.

// claims are the first-run claims (claim.go).
var claims = store.Define(store.Kind[claimRecord]{Name: kindClaim, Version: 1})

// sessions are the signed-in console sessions (session.go).
var sessions = store.Define(store.Kind[sessionRecord]{Name: kindSession, Version: 1})

// spentForms are the one-time form tokens already spent (once.go).
var spentForms = store.Define(store.Kind[formSpent]{Name: kindFormSpent, Version: 1})

// reveals are the new secrets waiting to be shown once (once.go).
var reveals = store.Define(store.Kind[reveal]{Name: kindReveal, Version: 1})

// sessionRecord is a stored session; session is what the handlers work with.
type sessionRecord struct {
	ID        string    `json:"id"`
	Account   string    `json:"account"`
	UserName  string    `json:"user,omitempty"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
	Expires   time.Time `json:"expires"`
	ARN       string    `json:"arn"`
	UserID    string    `json:"user_id"`
	MFA       bool      `json:"mfa,omitempty"`
	MFASerial string    `json:"mfa_serial,omitempty"`
	CSRF      string    `json:"csrf"`
	Epoch     int64     `json:"epoch"`
}

func sessionRecordOf(s *session) *sessionRecord {
	return &sessionRecord{ID: s.ID, Account: s.Account, UserName: s.UserName, Created: s.Created, LastSeen: s.LastSeen,
		Expires: s.Expires, ARN: s.ARN, UserID: s.UserID, MFA: s.MFA, MFASerial: s.MFASerial, CSRF: s.CSRF, Epoch: s.Epoch}
}

// session is the record as a session stored under key.
func (r *sessionRecord) session(key string) *session {
	return &session{ID: r.ID, Account: r.Account, UserName: r.UserName, Created: r.Created, LastSeen: r.LastSeen,
		Expires: r.Expires, ARN: r.ARN, UserID: r.UserID, MFA: r.MFA, MFASerial: r.MFASerial, CSRF: r.CSRF, Epoch: r.Epoch, key: key}
}

// putSession stores s under its key, replacing the session there.
func putSession(tx store.Tx, s *session) error {
	return sessions.Put(tx, "", s.key, sessionRecordOf(s))
}
