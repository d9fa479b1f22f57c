// Package trail records what happens in Rootward — every API call, sign-in and security event — as
// CloudTrail-format event records (CloudTrail User Guide, "CloudTrail record contents"), keeps them
// in the store's event log (store.EventLog) per recipient account, and looks them up by time, user,
// event name, access key, resource or read-only flag, either way in time order.
//
// Recording is durable before it returns, with group commit: Record hands its event to a single
// writer and waits; the writer takes whatever is queued when it is free and commits it in one
// transaction, so concurrent callers share one durable commit while an idle recorder adds no wait.
// A caller that got nil from Record knows its record survives a crash (kill -9, power loss, within
// what the backend's commit promises); a caller that got an error must not report success.
package trail

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
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

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer  *SessionIssuer    `json:"sessionIssuer,omitempty"`
	Attributes     map[string]string `json:"attributes,omitempty"` // creationDate, mfaAuthenticated
	SourceIdentity string            `json:"sourceIdentity,omitempty"`
	AssumedRoot    string            `json:"assumedRoot,omitempty"`
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

func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}
