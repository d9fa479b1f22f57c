package policy

import (
	"github.com/rootward/rootward/internal/awsproto"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/testutil"
)

func TestSize(t *testing.T) {
	// IAM User Guide, "IAM and AWS STS quotas": white space is not counted.
	tests := []struct {
		name string
		doc  string
		want int
	}{
		{"compact", `{"a":"b"}`, 9},
		{"spaces newlines tabs", "{ \"a\" :\n\t\"b\" }", 9},
		{"multibyte counts as one character", `{"a":"é"}`, 9},
		{"empty", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Size(tt.doc); got != tt.want {
				t.Fatalf("Size = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestCheckSize(t *testing.T) {
	doc := `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("b", 100) + `"}}`
	n := Size(doc)
	tests := []struct {
		name  string
		doc   string
		limit int
		err   bool
	}{
		{"at the limit", doc, n, false},
		{"one over", doc, n - 1, true},
		{"white space does not count", strings.ReplaceAll(doc, ",", " ,\n  "), n, false},
		{"managed limit", `{"x":"` + strings.Repeat("a", LimitManaged) + `"}`, LimitManaged, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSize(tt.doc, tt.limit)
			if !tt.err {
				if err != nil {
					t.Fatalf("CheckSize: %v", err)
				}
				return
			}
			testutil.WantCode(t, err, awserr.LimitExceeded)
			ae, _ := awserr.As(err)
			if got := awsproto.Status(ae); got != 409 {
				t.Fatalf("got status %d, want 409", got)
			}
			if !strings.HasPrefix(ae.Message, "Cannot exceed quota for PolicySize: ") {
				t.Fatalf("message %q", ae.Message)
			}
		})
	}
	if err := CheckTrustSize(`{"x":"` + strings.Repeat("a", LimitTrust) + `"}`); err == nil || !strings.Contains(err.Error(), "ACLSizePerRole: 2048") {
		t.Fatalf("CheckTrustSize: %v", err)
	}
	if err := InlineSizeError("user", "alice", LimitInlineUser); !awserr.IsCode(err, awserr.LimitExceeded) ||
		err.Error() != "LimitExceeded: Maximum policy size of 2048 bytes exceeded for user alice" {
		t.Fatalf("InlineSizeError: %v", err)
	}
}
