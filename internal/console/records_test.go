package console

import (
	"reflect"
	"testing"
	"time"
)

// TestRecordsReadBodiesOfBeforeRecords: the console's kinds are not in the migration fixtures
// (internal/store/migratest; only the claim is), so the JSON their bodies held before records had
// versions, as the code of then wrote it, must decode as version 1 with every field.
func TestRecordsReadBodiesOfBeforeRecords(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 15, 0, time.UTC)
	decode := map[string]func([]byte) (any, error){
		kindClaim:     func(b []byte) (any, error) { return claims.Decode(b) },
		kindSession:   func(b []byte) (any, error) { return sessions.Decode(b) },
		kindFormSpent: func(b []byte) (any, error) { return spentForms.Decode(b) },
		kindReveal:    func(b []byte) (any, error) { return reveals.Decode(b) },
	}
	cases := []struct {
		kind, body string
		want       any
	}{
		{kindClaim, `{"account":"724220846383","expires":"2026-03-02T10:00:15Z"}`,
			&claimRecord{Account: "724220846383", Expires: at}},
		{kindSession, `{"id":"cs-1","account":"724220846383","user":"alice","created":"2026-03-02T10:00:15Z",` +
			`"last_seen":"2026-03-02T10:00:15Z","expires":"2026-03-02T10:00:15Z","arn":"arn:aws:iam::724220846383:user/alice",` +
			`"user_id":"AIDAEXAMPLE","mfa":true,"mfa_serial":"arn:aws:iam::724220846383:mfa/alice","csrf":"c","epoch":3}`,
			&sessionRecord{ID: "cs-1", Account: "724220846383", UserName: "alice", Created: at, LastSeen: at, Expires: at,
				ARN: "arn:aws:iam::724220846383:user/alice", UserID: "AIDAEXAMPLE", MFA: true,
				MFASerial: "arn:aws:iam::724220846383:mfa/alice", CSRF: "c", Epoch: 3}},
		{kindFormSpent, `{"at":"2026-03-02T10:00:15Z"}`, &formSpent{At: at}},
		{kindReveal, `{"owner":"session:k","key_id":"AKIAEXAMPLE","serial":"s","name":"n","sealed":"AQI=","sealed_qr":"Aw==",` +
			`"root":true,"outcome":{"a":1},"created":"2026-03-02T10:00:15Z","expires":"2026-03-02T10:00:15Z"}`,
			&reveal{Owner: "session:k", AccessKeyID: "AKIAEXAMPLE", Serial: "s", Name: "n", Sealed: []byte{1, 2}, SealedQR: []byte{3},
				Root: true, Outcome: []byte(`{"a":1}`), Created: at, Expires: at}},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			got, err := decode[c.kind]([]byte(c.body))
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("decoding %s = %+v, %v; want %+v", c.body, got, err, c.want)
			}
		})
	}
	// A session goes through its record unchanged.
	s := (&sessionRecord{ID: "cs-1", Account: "a", UserName: "u", Created: at, LastSeen: at, Expires: at, ARN: "arn", UserID: "id",
		MFA: true, MFASerial: "m", CSRF: "c", Epoch: 3}).session("k")
	if got := sessionRecordOf(s).session("k"); !reflect.DeepEqual(got, s) {
		t.Errorf("session through its record = %+v, want %+v", got, s)
	}
}
