package awsfacts

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rootward/rootward/internal/compliance"
	"github.com/rootward/rootward/internal/testutil"
)

// accountAPI is a stand-in for the Account Management API (restJson1): each operation's path
// answers the status and body given, with the error type header when the status is an error.
func accountAPI(t *testing.T, answers map[string]func(body map[string]any) (int, string, any)) *Collector {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &in)
		answer, ok := answers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		status, errType, out := answer(in)
		w.Header().Set("Content-Type", "application/json")
		if errType != "" {
			w.Header().Set("X-Amzn-ErrorType", errType)
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(hs.Close)
	return New(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), RetryMaxAttempts: 1, HTTPClient: testutil.SDKHTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "secret", "")})
}

func TestContacts(t *testing.T) {
	notFound := func(map[string]any) (int, string, any) {
		return http.StatusNotFound, "ResourceNotFoundException", map[string]string{"message": "No contact of the requested type found."}
	}
	denied := func(map[string]any) (int, string, any) {
		return http.StatusForbidden, "AccessDeniedException", map[string]string{"message": "User is not authorized to perform: account:GetAlternateContact"}
	}
	info := func(map[string]any) (int, string, any) {
		return http.StatusOK, "", map[string]any{"ContactInformation": map[string]string{"FullName": "Ops Team", "PhoneNumber": "+15555550123"}}
	}
	security := func(in map[string]any) (int, string, any) {
		if in["AlternateContactType"] != "SECURITY" {
			return notFound(in)
		}
		return http.StatusOK, "", map[string]any{"AlternateContact": map[string]string{"AlternateContactType": "SECURITY",
			"Name": "Sec Team", "Title": "CISO", "EmailAddress": "security@example.com", "PhoneNumber": "+15555550199"}}
	}
	tests := []struct {
		name    string
		answers map[string]func(map[string]any) (int, string, any)
		want    compliance.Contacts
		missing bool
	}{
		{"a phone and a security contact; the others not set", map[string]func(map[string]any) (int, string, any){
			"/getContactInformation": info, "/getAlternateContact": security},
			compliance.Contacts{Name: "Ops Team", Phone: "+15555550123", Security: &compliance.Contact{Name: "Sec Team", Title: "CISO", Email: "security@example.com", Phone: "+15555550199"}}, false},
		{"nothing set", map[string]func(map[string]any) (int, string, any){"/getContactInformation": notFound, "/getAlternateContact": notFound},
			compliance.Contacts{}, false},
		{"access denied", map[string]func(map[string]any) (int, string, any){"/getContactInformation": info, "/getAlternateContact": denied},
			compliance.Contacts{}, true},
		{"an endpoint without the API", map[string]func(map[string]any) (int, string, any){}, compliance.Contacts{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := accountAPI(t, tc.answers)
			f := &compliance.Facts{Missing: map[string]string{}}
			c.contacts(context.Background(), f, "")
			why, missing := f.Missing[compliance.GroupContacts]
			if missing != tc.missing {
				t.Fatalf("missing = %v (%q), want %v", missing, why, tc.missing)
			}
			got, _ := json.Marshal(f.Contacts)
			want, _ := json.Marshal(tc.want)
			if string(got) != string(want) {
				t.Fatalf("contacts = %s, want %s", got, want)
			}
		})
	}
}
