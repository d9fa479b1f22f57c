package console_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/trail"
)

// eventNames are the event names of the rows of an Events page, in order, with "ROOT " before the
// highlighted ones.
func eventNames(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<tbody class="event( root-activity)?" id="event-[^"]+">.*?<td class="name">([^<]+)</td>`).FindAllStringSubmatch(body, -1) {
		if m[1] != "" {
			out = append(out, "ROOT "+m[2])
		} else {
			out = append(out, m[2])
		}
	}
	return out
}

func TestEventsPage(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	e.userWithPassword("auditor", userPw, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:LookupEvents","Resource":"*"}]}`, false)
	e.userWithPassword("intern", userPw, "", false)
	root := e.signedInRoot(seed)
	e.clock.Advance(time.Minute)
	auditor := e.signedInUser("auditor")
	e.clock.Advance(time.Minute)

	p := root.get("/console/events")
	body := html.UnescapeString(p.body)
	if p.status != http.StatusOK || !strings.Contains(body, `<a href="/console/events">Events</a>`) {
		t.Fatalf("events page: %d\n%.2000s", p.status, p.body)
	}
	names := eventNames(p.body)
	if len(names) < 2 || names[0] != "ConsoleLogin" || !strings.Contains(strings.Join(names, ","), "ROOT ConsoleLogin") {
		t.Fatalf("rows = %v, want the auditor's ConsoleLogin first and the root's highlighted", names)
	}
	if !strings.Contains(body, `"type": "Root"`) || !strings.Contains(body, `"eventSource": "signin.amazonaws.com"`) {
		t.Fatalf("the records' JSON is not on the page:\n%.3000s", body)
	}

	cases := []struct {
		name, query, want string
	}{
		{"event name", "?name=ConsoleLogin", "ConsoleLogin,ROOT ConsoleLogin"},
		// The page's own lookups are recorded too (LookupEvents by auditor): the range leaves them out.
		{"user", "?user=auditor&to=" + e.clock.Now().Add(-30*time.Second).UTC().Format(time.RFC3339), "ConsoleLogin"},
		{"root only", "?root=1&name=ConsoleLogin", "ROOT ConsoleLogin"},
		{"user and name", "?user=root&name=ConsoleLogin", "ROOT ConsoleLogin"},
		{"in the future", "?from=2099-01-01T00:00", ""},
		{"before the sign-ins", "?to=" + e.clock.Now().Add(-time.Hour).Format("2006-01-02T15:04"), ""},
		{"the root's minute", "?name=ConsoleLogin&from=" + e.clock.Now().Add(-3*time.Minute).UTC().Format(time.RFC3339) + "&to=" + e.clock.Now().Add(-90*time.Second).UTC().Format(time.RFC3339), "ROOT ConsoleLogin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := auditor.get("/console/events" + tc.query)
			if p.status != http.StatusOK {
				t.Fatalf("status %d\n%.2000s", p.status, p.body)
			}
			if got := strings.Join(eventNames(p.body), ","); got != tc.want {
				t.Fatalf("rows = %q, want %q", got, tc.want)
			}
			if tc.want == "" && !strings.Contains(p.body, `id="no-events"`) {
				t.Fatal("an empty result does not say so")
			}
		})
	}
	bad := []struct {
		name, query string
		status      int
		want        string
	}{
		{"a time that is none", "?from=yesterday", http.StatusBadRequest, "From must be a time"},
		{"a range backwards", "?from=2026-03-02T10:00&to=2026-03-02T09:00", http.StatusBadRequest, "StartTime must be earlier than EndTime."},
		{"root only with another user", "?root=1&user=auditor", http.StatusBadRequest, "Root activity only"},
		{"a forged page token", "?next=bm90LWEtdG9rZW4", http.StatusBadRequest, "The NextToken is not valid"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			p := auditor.get("/console/events" + tc.query)
			if p.status != tc.status || !strings.Contains(html.UnescapeString(p.body), tc.want) {
				t.Fatalf("status %d, want %d with %q\n%.2000s", p.status, tc.status, tc.want, p.body)
			}
		})
	}
	// Without cloudtrail:LookupEvents, no history.
	if p := e.signedInUser("intern").get("/console/events"); p.status != http.StatusForbidden || !strings.Contains(p.body, "cloudtrail:LookupEvents") || strings.Contains(p.body, `class="event`) {
		t.Fatalf("intern: %d\n%.2000s", p.status, p.body)
	}
}

func TestEventsPagePages(t *testing.T) {
	e := newEnv(t).withRootPassword()
	_, seed := e.enableVirtualMFA("", "root-phone")
	for i := range 60 {
		if err := e.trail.Record(&trail.Event{EventTime: e.clock.Now().Add(time.Duration(-i) * time.Second), EventName: "Probe",
			EventSource: "iam.amazonaws.com", RecipientAccountID: e.account.ID, UserIdentity: trail.UserIdentity{Type: "IAMUser", UserName: "probe"}}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.signedInRoot(seed)
	first := b.get("/console/events?name=Probe")
	next := regexp.MustCompile(`id="older-events" href="([^"]+)"`).FindStringSubmatch(first.body)
	if got := len(eventNames(first.body)); got != 50 || next == nil {
		t.Fatalf("first page: %d rows, older link %v; want 50 and a link", got, next)
	}
	second := b.get(html.UnescapeString(next[1]))
	if got := len(eventNames(second.body)); got != 10 || strings.Contains(second.body, `id="older-events"`) {
		t.Fatalf("second page: %d rows; want the last 10 and no further link\n%.1500s", got, second.body)
	}
}
