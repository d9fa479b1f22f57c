package rootuser

import (
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The kinds this package stores (kind names in service.go and email.go). Their records are this
// package's own unexported types, apart from the API's: rootState, userAux, resetRecord,
// recoveryRecord, recoveryToken, ceremonyRecord, emailChangeRecord, emailOTPRecord. Their first typed version is
// the JSON they were stored as before records were versioned. The throttling counters
// (throttle.Kind) are internal/throttle's.
var (
	states     = store.Define(store.Kind[rootState]{Name: kindState, Version: 1})
	userAuxes  = store.Define(store.Kind[userAux]{Name: kindUserAux, Version: 1})
	resets     = store.Define(store.Kind[resetRecord]{Name: kindReset, Version: 1})
	recTokens  = store.Define(store.Kind[recoveryToken]{Name: kindRecToken, Version: 1})
	ceremonies = store.Define(store.Kind[ceremonyRecord]{Name: kindCeremony, Version: 1})
	// emailOTPs is the pending primary email update of the Account Management API, one per account.
	emailOTPs = store.Define(store.Kind[emailOTPRecord]{Name: kindEmailOTP, Version: 1})

	// recoveries' "cooling" index lists the recoveries in their cooling-off period by the time it
	// ends, so that CompleteDueRecoveries reads the due ones, not every recovery ever made.
	recoveries = store.Define(store.Kind[recoveryRecord]{Name: kindRecovery, Version: 1,
		Indexes: []store.Index[recoveryRecord]{{Name: byCoolingEnd, Values: func(_ string, r *recoveryRecord) []string {
			if r.State != RecoveryCooling {
				return nil
			}
			return []string{sortableTime(r.CoolingEnds)}
		}}}})

	// emailChanges' "account" index lists an account's pending root email changes: a new request
	// drops the links of the earlier ones.
	emailChanges = store.Define(store.Kind[emailChangeRecord]{Name: kindEmailChange, Version: 1,
		Indexes: []store.Index[emailChangeRecord]{{Name: byAccount, Values: func(_ string, r *emailChangeRecord) []string {
			return []string{r.Account}
		}}}})
)

const (
	byCoolingEnd = "cooling"
	byAccount    = "account"
)

// sortableTime is t in UTC with a fixed width, so that byte order is time order.
func sortableTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// contactRecord is a Contact as stored in rootState.
type contactRecord struct {
	Name         string `json:"name"`
	Title        string `json:"title,omitempty"`
	EmailAddress string `json:"email"`
	PhoneNumber  string `json:"phone,omitempty"`
}

func newContactRecord(c *Contact) *contactRecord {
	if c == nil {
		return nil
	}
	r := contactRecord(*c)
	return &r
}

func (r *contactRecord) contact() *Contact {
	if r == nil {
		return nil
	}
	c := Contact(*r)
	return &c
}
