package securityhub

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/store"
)

// GetFindings pages through indexes of the findings in its default order, UpdatedAt newest first
// then Id: each index entry's value is the finding's Region, a field's value (none for "updated"),
// then the finding's order — UpdatedAt with its digits inverted, so that ascending keys are newest
// first, and the Id — each part ending with sep. A page reads the range of one index in each
// account it covers, merged: "updated" without a filter, or the index of a field that a filter
// asks to EQUAL one or more values (each value a range of its own), so a filter on an indexed
// field reads only the findings it keeps. What the indexes cannot answer — another sort order —
// reads every finding the narrowing leaves and sorts them, and still pages by the position of the
// last finding shown, never by an offset, so findings added between two pages neither repeat nor
// skip another.

// sep ends each part of an order index's value. No stored value holds it (statuses, labels and
// control IDs are Rootward's own, and an Id is an ARN), so a filter value that does is one no
// finding has.
const sep = "\x01"

// The order indexes, by the filter field each answers.
const indexUpdated = "updated"

var fieldIndexes = []struct {
	field, index string
	// value is the index value a filter value stands for; ok false when no finding can hold it.
	value func(v string) (string, bool)
}{
	// The most selective first: a query with several indexed filters reads the first one's index.
	{"ComplianceSecurityControlId", "control", same},
	{"GeneratorId", "control", func(v string) (string, bool) { return strings.CutPrefix(v, "security-control/") }},
	{"SeverityLabel", "severity", same},
	{"ComplianceStatus", "status", same},
	{"WorkflowStatus", "workflow", same},
	{"RecordState", "record", same},
}

func same(v string) (string, bool) { return v, true }

// orderIndexes are the indexes of findings GetFindings reads. An index whose values change meaning
// must be renamed, so that Migrate rebuilds it (severity: a control's severity in the catalogue).
var orderIndexes = []store.Index[findingRecord]{
	orderIndex(indexUpdated, nil),
	orderIndex("control", func(r *findingRecord) string { return r.Control }),
	orderIndex("severity", (*findingRecord).severityLabel),
	orderIndex("status", func(r *findingRecord) string { return r.Status }),
	orderIndex("workflow", func(r *findingRecord) string { return r.Workflow }),
	orderIndex("record", func(r *findingRecord) string { return r.RecordState }),
}

func orderIndex(name string, field func(*findingRecord) string) store.Index[findingRecord] {
	return store.Index[findingRecord]{Name: name, Values: func(_ string, r *findingRecord) []string {
		v := r.Region + sep
		if field != nil {
			v += field(r) + sep
		}
		return []string{v + newestFirst(formatTime(r.UpdatedAt)) + sep + r.ID}
	}}
}

// newestFirst inverts the digits of a time in timeFormat: the later time sorts first.
func newestFirst(t string) string {
	b := []byte(t)
	for i, c := range b {
		if c >= '0' && c <= '9' {
			b[i] = '9' - (c - '0')
		}
	}
	return string(b)
}

// severityLabel is the finding's Severity.Label: what BatchUpdateFindings set, else its control's.
func (r *findingRecord) severityLabel() string {
	if r.SeverityLabel != "" {
		return r.SeverityLabel
	}
	if ctl, _ := controlOf(r.Control); ctl.Severity != "" {
		return ctl.Severity
	}
	return "INFORMATIONAL"
}

// plan is what a query reads: the index and its values (none: "updated"), in accounts; empty when
// the filters rule out every finding before anything is read.
type plan struct {
	accounts []string
	index    string
	values   []string
	empty    bool
}

// equalsValues returns the values of a filter that only asks for equality (Comparison EQUALS), the
// kind an index answers.
func equalsValues(raw json.RawMessage) ([]string, bool) {
	var fs []StringFilter
	if err := json.Unmarshal(raw, &fs); err != nil || len(fs) == 0 {
		return nil, false
	}
	var out []string
	for _, f := range fs {
		if f.Comparison != "EQUALS" || f.Value == nil {
			return nil, false
		}
		out = append(out, *f.Value)
	}
	return out, true
}

// narrow plans the reading of the findings of accounts in region that filters (already checked by
// compileFilters) may keep: AwsAccountId EQUALS keeps only its accounts; ProductArn, Region,
// ProductName and CompanyName EQUALS values none of which Security Hub's own findings hold rule
// out everything; the first indexed field with an EQUALS filter picks the index.
func narrow(filters Filters, region string, accounts []string) plan {
	p := plan{accounts: accounts, index: indexUpdated}
	if vs, ok := equalsValues(filters["AwsAccountId"]); ok {
		p.accounts = slices.DeleteFunc(slices.Clone(accounts), func(a string) bool { return !slices.Contains(vs, a) })
	}
	constants := map[string]string{"ProductArn": ProductARN(region), "Region": region, "ProductName": "Security Hub", "CompanyName": "AWS"}
	for field, v := range constants {
		if vs, ok := equalsValues(filters[field]); ok && !slices.Contains(vs, v) {
			p.empty = true
		}
	}
	for _, fi := range fieldIndexes {
		vs, ok := equalsValues(filters[fi.field])
		if !ok {
			continue
		}
		p.index = fi.index
		for _, v := range vs {
			if iv, ok := fi.value(v); ok && !strings.ContainsAny(iv, "\x00"+sep) && !slices.Contains(p.values, iv) {
				p.values = append(p.values, iv)
			}
		}
		p.empty = p.empty || len(p.values) == 0
		break
	}
	p.empty = p.empty || len(p.accounts) == 0
	return p
}

// sources returns the Sources plan reads: a range of its index for each account and value. An item's
// key is a position, the finding's order (newestFirst UpdatedAt, sep, Id) then "\x00" and its
// account, the same in every index and account, so the ranges merge into the default order; its
// Body is the finding's record (nil when it has gone).
func (p plan) sources(tx store.Tx, region string) []store.Source {
	var out []store.Source
	values := p.values
	if p.index == indexUpdated {
		values = []string{""}
	}
	for _, a := range p.accounts {
		for _, v := range values {
			prefix := region + sep
			if p.index != indexUpdated {
				prefix += v + sep
			}
			out = append(out, positioned(findings.Resolved(tx, a, findings.IndexRange(tx, p.index, a, prefix)), prefix, a))
		}
	}
	return out
}

// positioned turns the items of a range of index entries under prefix in account into positions
// (see sources), and a position back into where the range resumes.
func positioned(src store.Source, prefix, account string) store.Source {
	return func(after string, n int) ([]store.Item, error) {
		if after != "" {
			order, _, _ := strings.Cut(after, "\x00")
			// Past every entry of that finding: its entry key continues with "\x00", and no other
			// finding's order has this one as a prefix.
			after = prefix + order + sep
		}
		items, err := src(after, n)
		for i, it := range items {
			order, _, _ := strings.Cut(strings.TrimPrefix(it.Key, prefix), "\x00")
			items[i].Key = order + "\x00" + account
		}
		return items, err
	}
}

// accountOf returns the account of a position.
func accountOf(position string) string {
	_, a, _ := strings.Cut(position, "\x00")
	return a
}

// mergeAll is the Source of the items of srcs, each in ascending key order and none holding a key
// another holds, in ascending key order. A call for n items reads each source in batches that
// start at n/len(srcs) (at least 1) and double up to n, and only as far as the n items need: about
// 3n + len(srcs) items, not n per source.
func mergeAll(srcs []store.Source) store.Source {
	if len(srcs) == 1 {
		return srcs[0]
	}
	return func(after string, n int) ([]store.Item, error) {
		type head struct {
			items     []store.Item
			last      string
			size      int
			exhausted bool
		}
		hs := make([]head, len(srcs))
		fill := func(i int) error {
			h := &hs[i]
			from := after
			if h.last != "" {
				from = h.last
			}
			items, err := srcs[i](from, h.size)
			if err != nil {
				return err
			}
			h.items, h.exhausted = items, len(items) < h.size
			if len(items) > 0 {
				h.last = items[len(items)-1].Key
			}
			h.size = min(2*h.size, max(n, 1))
			return nil
		}
		for i := range hs {
			hs[i].size = max(1, n/len(srcs))
			if err := fill(i); err != nil {
				return nil, err
			}
		}
		var out []store.Item
		for len(out) < n {
			best := -1
			for i := range hs {
				h := &hs[i]
				for len(h.items) == 0 && !h.exhausted {
					if err := fill(i); err != nil {
						return nil, err
					}
				}
				if len(h.items) > 0 && (best < 0 || h.items[0].Key < hs[best].items[0].Key) {
					best = i
				}
			}
			if best < 0 {
				break
			}
			out = append(out, hs[best].items[0])
			hs[best].items = hs[best].items[1:]
		}
		return out, nil
	}
}

// defaultOrder reports whether criteria sort as the indexes do: none, or UpdatedAt descending.
func defaultOrder(criteria []SortCriterion) bool {
	return len(criteria) == 0 || len(criteria) == 1 && criteria[0].Field == "UpdatedAt" && criteria[0].SortOrder == "desc"
}

// checkSort refuses an unknown sort field or order. Returns InvalidInputException.
func checkSort(criteria []SortCriterion) error {
	for _, c := range criteria {
		if c.SortOrder != "" && c.SortOrder != "asc" && c.SortOrder != "desc" {
			return invalidInput("Invalid SortOrder %q.", c.SortOrder)
		}
		if stringFields[c.Field] == nil && dateFields[c.Field] == nil && numberFields[c.Field] == nil {
			return invalidInput("Invalid sort Field %q.", c.Field)
		}
	}
	return nil
}

// sortKey is a finding's place in a sort order other than the default: the value of each
// criterion's field, then its Id. It is the position a page of such an order resumes after.
type sortKey struct {
	Values []string `json:"v"`
	ID     string   `json:"id"`
}

func keyOf(f *Finding, criteria []SortCriterion) sortKey {
	k := sortKey{ID: f.ID}
	for _, c := range criteria {
		switch {
		case stringFields[c.Field] != nil:
			k.Values = append(k.Values, strings.Join(stringFields[c.Field](f), "\x00"))
		case dateFields[c.Field] != nil:
			k.Values = append(k.Values, dateFields[c.Field](f)) // ISO, one format: byte order is time order
		default:
			x, _ := numberFields[c.Field](f)
			k.Values = append(k.Values, strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	return k
}

// compareKeys orders two keys of criteria.
func compareKeys(a, b sortKey, criteria []SortCriterion) int {
	for i, c := range criteria {
		var d int
		if numberFields[c.Field] != nil {
			x, _ := strconv.ParseFloat(a.Values[i], 64)
			y, _ := strconv.ParseFloat(b.Values[i], 64)
			d = cmp.Compare(x, y)
		} else {
			d = cmp.Compare(a.Values[i], b.Values[i])
		}
		if c.SortOrder == "desc" {
			d = -d
		}
		if d != 0 {
			return d
		}
	}
	return cmp.Compare(a.ID, b.ID)
}

// sortedPage sorts the findings fs by criteria and returns those after the position `after` (a
// sortKey GetFindings issued; "" first), at most limit, with the position after them ("" when
// none follow). A finding added or gone since the last page moves no other: the page resumes
// after the values of the finding last shown, wherever it is now. Returns InvalidInputException.
func sortedPage(fs []*Finding, criteria []SortCriterion, after string, limit int) ([]*Finding, string, error) {
	type keyed struct {
		f *Finding
		k sortKey
	}
	var from *sortKey
	if after != "" {
		from = new(sortKey)
		if err := json.Unmarshal([]byte(after), from); err != nil || len(from.Values) != len(criteria) {
			return nil, "", invalidInput("Invalid NextToken.")
		}
	}
	var ks []keyed
	for _, f := range fs {
		k := keyOf(f, criteria)
		if from == nil || compareKeys(k, *from, criteria) > 0 {
			ks = append(ks, keyed{f, k})
		}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return compareKeys(a.k, b.k, criteria) })
	out := make([]*Finding, 0, min(limit, len(ks)))
	for _, k := range ks[:min(limit, len(ks))] {
		out = append(out, k.f)
	}
	if len(ks) <= limit {
		return out, "", nil
	}
	next, err := json.Marshal(ks[limit-1].k)
	return out, string(next), err
}
