package guarddutyapi_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/testbackend"
	"github.com/rootward/rootward/internal/testutil/servertest"
	"github.com/rootward/rootward/internal/trail"
)

// findingReads counts the stored findings (and entries of their indexes) that transactions read.
type findingReads struct {
	store.Store
	mu sync.Mutex
	n  int
}

func (c *findingReads) View(ctx context.Context, fn func(tx store.Tx) error) error {
	return c.Store.View(ctx, func(tx store.Tx) error { return fn(countingTx{tx, c}) })
}

func (c *findingReads) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	return c.Store.Update(ctx, func(tx store.Tx) error { return fn(countingTx{tx, c}) })
}

func (c *findingReads) add(kind string, n int) {
	if strings.HasPrefix(kind, "guardduty.finding") {
		c.mu.Lock()
		c.n += n
		c.mu.Unlock()
	}
}

func (c *findingReads) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = 0
	return n
}

type countingTx struct {
	store.Tx
	c *findingReads
}

func (t countingTx) Get(kind, account, key string) ([]byte, error) {
	t.c.add(kind, 1)
	return t.Tx.Get(kind, account, key)
}

func (t countingTx) GetMany(kind, account string, keys []string) ([][]byte, error) {
	t.c.add(kind, len(keys))
	return t.Tx.GetMany(kind, account, keys)
}

func (t countingTx) List(kind, account, prefix, after string, limit int) ([]store.Item, error) {
	items, err := t.Tx.List(kind, account, prefix, after, limit)
	t.c.add(kind, len(items))
	return items, err
}

// raise makes n findings on det, one per API name (api-000 …), created in that order.
func (e *env) raise(t *testing.T, n int) {
	t.Helper()
	key := "AKIAEXAMPLE"
	for i := range n {
		e.clk.Advance(1)
		ev := &trail.Event{UserIdentity: trail.UserIdentity{Type: "Root", PrincipalID: e.Account.ID, AccountID: e.Account.ID, AccessKeyID: &key},
			EventTime: e.clk.Now(), EventSource: "iam.amazonaws.com", EventName: "api-" + pad(i), AWSRegion: "us-east-1",
			SourceIPAddress: "203.0.113.7", RecipientAccountID: e.Account.ID, EventType: trail.AwsAPICall}
		if err := e.gd.Analyse(servertest.Ctx(t), ev); err != nil {
			t.Fatal(err)
		}
	}
}

func pad(i int) string { s := strconv.Itoa(i); return strings.Repeat("0", 3-len(s)) + s }

// apis is the API names of findings, in the order given.
func (e *env) apis(t *testing.T, det string, ids []string) []string {
	t.Helper()
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = aws.ToString(e.finding(t, det, id).Service.Action.AwsApiCallAction.Api)
	}
	return out
}

// A ListFindings page in the default order reads the findings it returns, not every finding of
// the detector; its pages list every finding once, in creation order. Before, each page read the
// whole detector.
func TestListFindingsPageCost(t *testing.T) {
	t.Parallel()
	reads := &findingReads{Store: testbackend.Open(t)}
	e := newEnvWith(t, reads, 0)
	ctx := servertest.Ctx(t)
	det := e.createDetector(t)
	const total, size = 300, 10
	e.raise(t, total)

	var all []string
	var tok *string
	for page := 0; ; page++ {
		reads.take()
		out, err := e.admin.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: &det, MaxResults: aws.Int32(size), NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		// The page's entries and records, one peek past it, and the detector's reads.
		if got := reads.take(); got > 2*size+2 {
			t.Fatalf("page %d read %d stored findings or index entries; want at most %d of the %d", page, got, 2*size+2, total)
		}
		all = append(all, out.FindingIds...)
		if tok = out.NextToken; tok == nil {
			break
		}
		if page > total/size {
			t.Fatalf("more than %d pages", total/size)
		}
	}
	if len(all) != total {
		t.Fatalf("pages listed %d findings, want %d", len(all), total)
	}
	for i, api := range e.apis(t, det, []string{all[0], all[size], all[total-1]}) {
		if want := "api-" + pad([]int{0, size, total - 1}[i]); api != want {
			t.Errorf("finding %d is %s, want %s (creation order)", i, api, want)
		}
	}
}

// Criteria the order does not serve are checked finding by finding, at most ListScanLimit of them
// per call: a call that reaches the bound answers the matches so far with a NextToken, and the
// pages together list exactly the matches. Before, one call read every finding.
func TestListFindingsBoundedScan(t *testing.T) {
	t.Parallel()
	reads := &findingReads{Store: testbackend.Open(t)}
	const limit = 40
	e := newEnvWith(t, reads, limit)
	ctx := servertest.Ctx(t)
	det := e.createDetector(t)
	e.raise(t, 100)
	criteria := &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{
		"service.action.awsApiCallAction.api": {Equals: []string{"api-005", "api-050", "api-099"}}}}

	var got []string
	var tok *string
	calls := 0
	for {
		calls++
		reads.take()
		out, err := e.admin.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: &det, FindingCriteria: criteria, NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		if n := reads.take(); n > 2*limit+4 {
			t.Fatalf("call %d read %d stored findings or index entries; want at most %d", calls, n, 2*limit+4)
		}
		got = append(got, out.FindingIds...)
		if tok = out.NextToken; tok == nil || calls > 10 {
			break
		}
	}
	if calls != 3 {
		t.Errorf("calls = %d, want 3 (100 findings, %d examined a call)", calls, limit)
	}
	apis := e.apis(t, det, got)
	if strings.Join(apis, ",") != "api-005,api-050,api-099" {
		t.Errorf("matches = %v, want [api-005 api-050 api-099]", apis)
	}

	// Sorted by another attribute, the pages still list the matches, in that order, each call
	// examining at most ListScanLimit findings too.
	got, tok, calls = nil, nil, 0
	for {
		calls++
		reads.take()
		out, err := e.admin.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: &det, FindingCriteria: criteria,
			SortCriteria: &gdtypes.SortCriteria{AttributeName: aws.String("service.action.awsApiCallAction.api"), OrderBy: gdtypes.OrderByDesc},
			MaxResults:   aws.Int32(2), NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		if n := reads.take(); n > 2*limit+4 {
			t.Fatalf("sorted call %d read %d stored findings or index entries; want at most %d", calls, n, 2*limit+4)
		}
		got = append(got, out.FindingIds...)
		if tok = out.NextToken; tok == nil || calls > 10 {
			break
		}
	}
	if a := e.apis(t, det, got); strings.Join(a, ",") != "api-099,api-050,api-005" {
		t.Errorf("sorted matches = %v, want [api-099 api-050 api-005]", a)
	}
}
