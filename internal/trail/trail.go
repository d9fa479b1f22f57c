// Package trail records what happens in Rootward — every API call, sign-in and security event — as
// CloudTrail-format event records (CloudTrail User Guide, "CloudTrail record contents"), keeps them
// in the store's event log (store.EventLog) per recipient account, and looks them up by time, user,
// event name, access key, resource or read-only flag, either way in time order.
//
// Recording is durable before it returns, with group commit: Record hands its event to a single
// writer and waits; the writer takes whatever is queued when it is free and appends it as one batch,
// so concurrent callers share one durable append while an idle recorder adds no wait. A caller that
// got nil from Record knows its record survives a crash of the process (kill -9), and a power loss
// when the event is of a call that changed something (ReadOnly false or unset); a batch of
// read-only events may be made durable against a power loss only within the next 100 ms
// (store.EventLog.AppendEvents; SQLite writes it to its segment file and fsyncs it within 100 ms).
// A caller that got an error must not report success.
package trail

import (
	"crypto/rand"
	"errors"
	"time"

	"github.com/rootward/rootward/internal/uuid"
)

// maxBatch bounds the events one transaction of the writer commits.
const maxBatch = 512

// writeTimeout bounds one commit of the writer: a store that hangs fails the records waiting on it
// instead of holding their calls for ever.
const writeTimeout = 30 * time.Second

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("trail: recorder closed")

// SessionIssuer names the role (or user) behind temporary credentials.
type SessionIssuer struct {
	Type        string `json:"type,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// WebIDFederationData is the identity provider of a session issued by AssumeRoleWithWebIdentity
// or AssumeRoleWithSAML (CloudTrail User Guide, "CloudTrail userIdentity element",
// webIdFederationData): an OpenID Connect provider's ARN and the attributes the provider reported,
// or, for SAML, an empty element.
type WebIDFederationData struct {
	FederatedProvider string `json:"federatedProvider,omitempty"`
	// Attributes is written as {} when set and empty; nil leaves it out.
	Attributes *map[string]string `json:"attributes,omitempty"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer       *SessionIssuer       `json:"sessionIssuer,omitempty"`
	WebIDFederationData *WebIDFederationData `json:"webIdFederationData,omitempty"`
	Attributes          map[string]string    `json:"attributes,omitempty"` // creationDate, mfaAuthenticated
	SourceIdentity      string               `json:"sourceIdentity,omitempty"`
	AssumedRoot         string               `json:"assumedRoot,omitempty"`
}

// UserIdentity is CloudTrail's userIdentity element. Type is Root, IAMUser, AssumedRole,
// FederatedUser, AWSAccount or AWSService.
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    *string         `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
	// IdentityProvider is a SAMLUser's or WebIdentityUser's identity provider.
	IdentityProvider string `json:"identityProvider,omitempty"`
	// OnBehalfOf is the IAM Identity Center user a request was made for (an IdentityCenterUser's
	// portal calls), and CredentialID the identifier of the credential it used ("CloudTrail
	// userIdentity element", AWS CloudTrail User Guide).
	OnBehalfOf   *OnBehalfOf `json:"onBehalfOf,omitempty"`
	CredentialID string      `json:"credentialId,omitempty"`
}

// OnBehalfOf names an IAM Identity Center user: its user ID and its identity store's ARN.
type OnBehalfOf struct {
	UserID           string `json:"userId"`
	IdentityStoreARN string `json:"identityStoreArn"`
}

// Event is one CloudTrail record.
type Event struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        UserIdentity   `json:"userIdentity"`
	EventTime           time.Time      `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress,omitempty"`
	UserAgent           string         `json:"userAgent,omitempty"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	// ServiceEventDetails is an AwsServiceEvent's own detail (Identity Center's sign-in events:
	// {"CredentialVerification": "Success"} and the like).
	ServiceEventDetails map[string]any `json:"serviceEventDetails,omitempty"`
	RequestID           string         `json:"requestID,omitempty"`
	EventID             string         `json:"eventID"`
	ReadOnly            *bool          `json:"readOnly,omitempty"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId"`
	EventCategory       string         `json:"eventCategory"`
}

// Event types (CloudTrail User Guide, "eventType").
const (
	AwsAPICall       = "AwsApiCall"
	AwsServiceEvent  = "AwsServiceEvent"
	AwsConsoleAction = "AwsConsoleAction"
	AwsConsoleSignIn = "AwsConsoleSignIn"
)

// Hidden replaces sensitive request parameters, as CloudTrail does.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// idMinter mints event IDs as UUIDv7 (RFC 9562, section 5.7): 48 bits of Unix milliseconds, then
// a 12-bit counter (rand_a, "Fixed Bit-Length Dedicated Counter", section 6.2, method 1) started
// at a random value below 2048 each millisecond, then 62 random bits. Minted under the recorder's
// mutex in queue order, the IDs of a batch increase, and every batch's IDs are above the last's:
// the event log keeps one ID range per block instead of an index entry per ID. A clock that steps
// back, or more than 2048 IDs in a millisecond, makes the minter run ahead of the clock rather than
// repeat or reorder IDs.
type idMinter struct {
	ms  int64  // the millisecond of the last ID
	ctr uint16 // the counter of the last ID
}

func (m *idMinter) next(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	ms := now.UnixMilli()
	switch {
	case ms > m.ms:
		m.ms, m.ctr = ms, uint16(b[6]&0x07)<<8|uint16(b[7])
	case m.ctr < 0xfff:
		m.ctr++
	default:
		m.ms, m.ctr = m.ms+1, 0
	}
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(m.ms>>40), byte(m.ms>>32), byte(m.ms>>24), byte(m.ms>>16), byte(m.ms>>8), byte(m.ms)
	b[6], b[7] = 0x70|byte(m.ctr>>8), byte(m.ctr)
	b[8] = b[8]&0x3f | 0x80
	return uuid.Format(b)
}

// idPlaceholder holds the place of an ID the recorder has yet to mint in an encoded event: an ID
// of the same length, swapped for the minted one in the bytes (see Recorder.Record).
const idPlaceholder = "00000000-0000-7000-8000-000000000000"
