package server_test

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rootward/rootward/internal/testutil/servertest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from the current answers")

// goldenCall is one request of the golden suite: an awsQuery form (IAM, STS) or an awsJson
// target and body (Organizations), or a restJson1 method, path and body (GuardDuty, Account
// Management, a service Rootward does not serve).
type goldenCall struct {
	name, service string
	form          url.Values // awsQuery
	target, json  string     // awsJson 1.1 (json also a restJson1 body)
	method, path  string     // restJson1
}

// Volatile parts of an answer, replaced before comparing: what is random or time-dependent, never
// the shapes, element names, codes or messages the golden files pin.
var goldenVolatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "UUID"},
	{regexp.MustCompile(`\b(AIDA|AROA|AGPA|ANPA|AKIA|ASIA|AIPA)[A-Z0-9]{12,}`), "${1}ID"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z`), "TIME"},
	{regexp.MustCompile(`"(JoinedTimestamp|RequestedTimestamp|CompletedTimestamp|Expiration)":\s*[0-9.e+]+`), `"${1}":EPOCH`},
	// An account ID, also inside a URL-encoded policy document (%3A123456789012%3A).
	{regexp.MustCompile(`(^|[^0-9])\d{12}([^0-9]|$)`), "${1}ACCOUNT${2}"},
	{regexp.MustCompile(`o-[a-z0-9]{10,32}`), "o-ORG"},
	{regexp.MustCompile(`r-[a-z0-9]{4,32}`), "r-ROOT"},
	{regexp.MustCompile(`ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}`), "ou-OU"},
	{regexp.MustCompile(`(<SecretAccessKey>)[^<]+`), "${1}SECRET"},
	{regexp.MustCompile(`(<SessionToken>)[^<]+`), "${1}TOKEN"},
	{regexp.MustCompile(`(<Marker>)[^<]+`), "${1}MARKER"},
}

func normalizeGolden(s string) string {
	for _, v := range goldenVolatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// TestGoldenWire pins the wire answers of representative calls of each protocol — awsQuery XML
// (IAM, STS) with results, empty results and errors, awsJson 1.1 (Organizations) and restJson1
// errors — so that a change of shape shows as a diff. go test ./internal/server -run TestGoldenWire
// -update rewrites testdata/golden/ when a change is intended.
func TestGoldenWire(t *testing.T) {
	t.Parallel()
	e := servertest.New(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + e.Account.ID + `:root"},"Action":"sts:AssumeRole"}]}`
	q := func(action string, kv ...string) url.Values {
		v := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	sts := func(action string, kv ...string) url.Values {
		v := q(action, kv...)
		v.Set("Version", "2011-06-15")
		return v
	}
	orgs := "AWSOrganizationsV20161128."
	calls := []goldenCall{
		{name: "iam-create-user", service: "iam", form: q("CreateUser", "UserName", "alice", "Path", "/eng/", "Tags.member.1.Key", "team", "Tags.member.1.Value", "red")},
		{name: "iam-get-user", service: "iam", form: q("GetUser", "UserName", "alice")},
		{name: "iam-list-users-page", service: "iam", form: q("ListUsers", "MaxItems", "1")},
		{name: "iam-get-user-missing", service: "iam", form: q("GetUser", "UserName", "nobody")},
		{name: "iam-create-role", service: "iam", form: q("CreateRole", "RoleName", "deploy", "AssumeRolePolicyDocument", trust, "Description", "ci")},
		{name: "iam-update-role", service: "iam", form: q("UpdateRole", "RoleName", "deploy", "Description", "ci and cd")},
		{name: "iam-create-access-key", service: "iam", form: q("CreateAccessKey", "UserName", "alice")},
		{name: "iam-account-summary", service: "iam", form: q("GetAccountSummary")},
		{name: "iam-bad-tag", service: "iam", form: q("TagUser", "UserName", "alice", "Tags.member.1.Key", "aws:x", "Tags.member.1.Value", "v")},
		{name: "sts-get-caller-identity", service: "sts", form: sts("GetCallerIdentity")},
		{name: "sts-assume-role", service: "sts", form: sts("AssumeRole", "RoleArn", "arn:aws:iam::"+e.Account.ID+":role/deploy", "RoleSessionName", "golden")},
		{name: "orgs-describe-none", service: "organizations", target: orgs + "DescribeOrganization", json: `{}`},
		{name: "orgs-create", service: "organizations", target: orgs + "CreateOrganization", json: `{"FeatureSet":"ALL"}`},
		{name: "orgs-describe", service: "organizations", target: orgs + "DescribeOrganization", json: `{}`},
		{name: "orgs-list-roots", service: "organizations", target: orgs + "ListRoots", json: `{}`},
		{name: "orgs-bad-max-results", service: "organizations", target: orgs + "ListAccounts", json: `{"MaxResults":21}`},
		{name: "lambda-unserved", service: "lambda", method: http.MethodGet, path: "/2015-03-31/functions"},
		{name: "securityhub-not-subscribed", service: "securityhub", method: http.MethodGet, path: "/accounts"},
		{name: "guardduty-list-detectors", service: "guardduty", method: http.MethodGet, path: "/detector"},
		{name: "account-get-alternate-missing", service: "account", method: http.MethodPost, path: "/getAlternateContact", json: `{"AlternateContactType":"BILLING"}`},
		{name: "account-put-alternate-invalid", service: "account", method: http.MethodPost, path: "/putAlternateContact",
			json: `{"AlternateContactType":"LEGAL","EmailAddress":"sec@","Name":"Sec","PhoneNumber":"+12065550100","Title":"CISO"}`},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			var req *http.Request
			var body []byte
			switch {
			case c.form != nil:
				body = []byte(c.form.Encode())
				req, _ = http.NewRequest(http.MethodPost, e.URL+"/", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			case c.target != "":
				body = []byte(c.json)
				req, _ = http.NewRequest(http.MethodPost, e.URL+"/", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				req.Header.Set("X-Amz-Target", c.target)
			default:
				body = []byte(c.json)
				req, _ = http.NewRequest(c.method, e.URL+c.path, bytes.NewReader(body))
				if c.json != "" {
					req.Header.Set("Content-Type", "application/json")
				}
			}
			resp, b := send(e, t, req, c.service, body, true)
			head := fmt.Sprintf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			if et := resp.Header.Get("X-Amzn-ErrorType"); et != "" {
				head += " X-Amzn-ErrorType=" + et
			}
			got := normalizeGolden(head + "\n" + string(b) + "\n")
			path := filepath.Join("testdata", "golden", c.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("answer changed (-update rewrites %s):\n got: %s\nwant: %s", path, got, strings.TrimSpace(string(want)))
			}
		})
	}
}
