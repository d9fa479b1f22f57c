package iamapi

import (
	"testing"
	"time"

	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/testutil/querytest"
)

// TestResultXMLMatchesEncoder: the results that write their own XML (awsproto.ResultWriter) write
// what encoding/xml marshals for them, for users of every shape: no optional member, every one,
// text that needs escaping (and invalid UTF-8), times with and without fractions of a second,
// empty and long lists, a page with and without a Marker.
func TestResultXMLMatchesEncoder(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 12, 6, 15, 4, 5, 0, time.UTC)
	used := time.Date(2026, 12, 7, 1, 2, 3, 456789000, time.FixedZone("x", 3600))
	plain := iam.User{Path: "/", UserName: "alice", UserID: "AIDAEXAMPLE", Arn: "arn:aws:iam::123456789012:user/alice", CreateDate: created}
	full := iam.User{
		Path: "/a&b/<c>/", UserName: `o'neil"+=,.@-_`, UserID: "AIDA\t\n\r", Arn: "arn:aws:iam::123456789012:user/a&b/<c>/o'neil",
		CreateDate: used, PasswordLastUsed: &used,
		PermissionsBoundary: &iam.Boundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: "arn:aws:iam::aws:policy/<x>"},
		Tags:                []iam.Tag{{Key: "k<1>", Value: "v&1"}, {Key: "", Value: ""}, {Key: "bad\xff\x01", Value: "ü"}},
	}
	many := make([]iam.User, 100)
	for i := range many {
		many[i] = plain
		if i%2 == 1 {
			many[i] = full
		}
	}
	cases := []struct {
		name, action string
		result       awsproto.ResultWriter
	}{
		{"GetUser plain", "GetUser", &GetUserOutput{User: &plain}},
		{"GetUser every member", "GetUser", &GetUserOutput{User: &full}},
		{"GetUser zero user", "GetUser", &GetUserOutput{User: &iam.User{}}},
		{"GetUser root", "GetUser", &GetUserOutput{Root: &RootUser{UserID: "123456789012", Arn: "arn:aws:iam::123456789012:root", CreateDate: awsproto.Time(used)}}},
		{"GetUser none", "GetUser", &GetUserOutput{}},
		{"ListUsers empty", "ListUsers", &ListUsersOutput{}},
		{"ListUsers empty, truncated", "ListUsers", &ListUsersOutput{Users: []iam.User{}, Paged: Paged{IsTruncated: true, Marker: "m&<>"}}},
		{"ListUsers page", "ListUsers", &ListUsersOutput{Users: many, Paged: Paged{IsTruncated: true, Marker: "AAAA"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			querytest.WantResultXML(t, tc.action, tc.result)
		})
	}
}
