package config

import (
	"context"
	"testing"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/trail"
)

type noFacts struct{}

func (noFacts) Gather(context.Context, string) (*compliance.Facts, error) {
	return &compliance.Facts{}, nil
}

// TestObserveQueuesWrites: Observe queues each account of a batch's successful writes to IAM,
// sign-in, Account Management and Organizations once, and nothing for reads, failures or other
// services.
func TestObserveQueuesWrites(t *testing.T) {
	t.Parallel()
	ro, rw := true, false
	ev := func(account, source, name string, readOnly *bool, code string) *trail.Event {
		return &trail.Event{RecipientAccountID: account, EventSource: source, EventName: name, ReadOnly: readOnly, ErrorCode: code}
	}
	for _, tc := range []struct {
		name   string
		events []*trail.Event
		want   []string
	}{
		{"writes of each source", []*trail.Event{
			ev("111111111111", "iam.amazonaws.com", "CreateUser", &rw, ""),
			ev("222222222222", "signin.amazonaws.com", "ConsoleLogin", nil, ""),
			ev("333333333333", "account.amazonaws.com", "PutAlternateContact", &rw, ""),
			ev("444444444444", "organizations.amazonaws.com", "CreateAccount", &rw, ""),
			ev("555555555555", "sts.amazonaws.com", "AssumeRoot", &rw, ""),
		}, []string{"111111111111", "222222222222", "333333333333", "444444444444", "555555555555"}},
		{"an account once per batch", []*trail.Event{
			ev("111111111111", "iam.amazonaws.com", "CreateUser", &rw, ""),
			ev("111111111111", "iam.amazonaws.com", "AttachUserPolicy", &rw, ""),
		}, []string{"111111111111"}},
		{"reads, failures and other services", []*trail.Event{
			ev("111111111111", "iam.amazonaws.com", "ListUsers", &ro, ""),
			ev("111111111111", "iam.amazonaws.com", "CreateUser", &rw, "EntityAlreadyExists"),
			ev("111111111111", "sts.amazonaws.com", "AssumeRole", &rw, ""),
			ev("111111111111", "config.amazonaws.com", "PutConfigRule", &rw, ""),
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := New(Config{Gatherer: noFacts{}})
			s.Observe(tc.events)
			var got []string
			for len(s.queue) > 0 {
				j := <-s.queue
				if !j.change {
					t.Errorf("job %+v is not a change", j)
				}
				got = append(got, j.account)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("queued %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("queued %v, want %v", got, tc.want)
				}
			}
		})
	}
}
