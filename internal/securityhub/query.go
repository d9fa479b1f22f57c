package securityhub

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/store"
)

// Filters is GetFindings' Filters: each AwsSecurityFindingFilters member by name, undecoded, since
// its shape depends on the member (StringFilter, DateFilter, NumberFilter, …).
type Filters map[string]json.RawMessage

// StringFilter is one string condition (Security Hub API Reference, "StringFilter").
type StringFilter struct {
	Value      *string `json:"Value"`
	Comparison string  `json:"Comparison"`
}

// DateFilter is one time condition: Start and End (inclusive), or a DateRange back from now.
type DateFilter struct {
	Start     string     `json:"Start"`
	End       string     `json:"End"`
	DateRange *DateRange `json:"DateRange"`
}

// DateRange is a number of days back from now: WITHIN them (the default) or OLDER_THAN them.
type DateRange struct {
	Value      *int   `json:"Value"`
	Unit       string `json:"Unit"`
	Comparison string `json:"Comparison"`
}

// NumberFilter is one numeric condition.
type NumberFilter struct {
	Gte *float64 `json:"Gte"`
	Lte *float64 `json:"Lte"`
	Eq  *float64 `json:"Eq"`
	Gt  *float64 `json:"Gt"`
	Lt  *float64 `json:"Lt"`
}

// SortCriterion is one sort key: a filter field and asc or desc.
type SortCriterion struct {
	Field     string `json:"Field"`
	SortOrder string `json:"SortOrder"`
}

// stringFields are the string attributes of a finding GetFindings filters and sorts on, by their
// AwsSecurityFindingFilters names; a field may hold several values (a finding has several Types,
// resources and standards), and a filter matches when one of them does.
var stringFields = map[string]func(f *Finding) []string{
	"ProductArn":                         func(f *Finding) []string { return []string{f.ProductArn} },
	"AwsAccountId":                       func(f *Finding) []string { return []string{f.AwsAccountID} },
	"Id":                                 func(f *Finding) []string { return []string{f.ID} },
	"GeneratorId":                        func(f *Finding) []string { return []string{f.GeneratorID} },
	"Region":                             func(f *Finding) []string { return []string{f.Region} },
	"Type":                               func(f *Finding) []string { return f.Types },
	"SeverityLabel":                      func(f *Finding) []string { return []string{f.Severity.Label} },
	"FindingProviderFieldsSeverityLabel": func(f *Finding) []string { return []string{f.FindingProviderFields.Severity.Label} },
	"Title":                              func(f *Finding) []string { return []string{f.Title} },
	"Description":                        func(f *Finding) []string { return []string{f.Description} },
	"RecommendationText":                 func(f *Finding) []string { return []string{f.Remediation.Recommendation.Text} },
	"ProductName":                        func(f *Finding) []string { return []string{f.ProductName} },
	"CompanyName":                        func(f *Finding) []string { return []string{f.CompanyName} },
	"ComplianceStatus":                   func(f *Finding) []string { return []string{f.Compliance.Status} },
	"ComplianceSecurityControlId":        func(f *Finding) []string { return []string{f.Compliance.SecurityControlID} },
	"ComplianceAssociatedStandardsId": func(f *Finding) []string {
		var out []string
		for _, s := range f.Compliance.AssociatedStandards {
			out = append(out, s.StandardsID)
		}
		return out
	},
	"WorkflowStatus":    func(f *Finding) []string { return []string{f.Workflow.Status} },
	"WorkflowState":     func(f *Finding) []string { return []string{f.WorkflowState} },
	"RecordState":       func(f *Finding) []string { return []string{f.RecordState} },
	"VerificationState": func(f *Finding) []string { return []string{f.VerificationState} },
	"NoteText":          func(f *Finding) []string { return noteField(f, func(n *WireNote) string { return n.Text }) },
	"NoteUpdatedBy":     func(f *Finding) []string { return noteField(f, func(n *WireNote) string { return n.UpdatedBy }) },
	"ResourceType":      func(f *Finding) []string { return resourceField(f, func(r Resource) string { return r.Type }) },
	"ResourceId":        func(f *Finding) []string { return resourceField(f, func(r Resource) string { return r.ID }) },
	"ResourcePartition": func(f *Finding) []string { return resourceField(f, func(r Resource) string { return r.Partition }) },
	"ResourceRegion":    func(f *Finding) []string { return resourceField(f, func(r Resource) string { return r.Region }) },
}

// dateFields are the time attributes.
var dateFields = map[string]func(f *Finding) string{
	"CreatedAt":       func(f *Finding) string { return f.CreatedAt },
	"UpdatedAt":       func(f *Finding) string { return f.UpdatedAt },
	"FirstObservedAt": func(f *Finding) string { return f.FirstObservedAt },
	"LastObservedAt":  func(f *Finding) string { return f.LastObservedAt },
	"NoteUpdatedAt": func(f *Finding) string {
		return strings.Join(noteField(f, func(n *WireNote) string { return n.UpdatedAt }), "")
	},
	"ProcessedAt": func(f *Finding) string { return f.ProcessedAt },
}

// numberFields are the numeric attributes (absent: no value).
var numberFields = map[string]func(f *Finding) (float64, bool){
	"SeverityNormalized": func(f *Finding) (float64, bool) { return float64(f.Severity.Normalized), true },
	"Confidence":         func(f *Finding) (float64, bool) { return intField(f.Confidence) },
	"Criticality":        func(f *Finding) (float64, bool) { return intField(f.Criticality) },
}

func intField(p *int) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return float64(*p), true
}

func noteField(f *Finding, get func(*WireNote) string) []string {
	if f.Note == nil {
		return nil
	}
	return []string{get(f.Note)}
}

func resourceField(f *Finding, get func(Resource) string) []string {
	out := make([]string, 0, len(f.Resources))
	for _, r := range f.Resources {
		out = append(out, get(r))
	}
	return out
}

// matcher is one field's compiled conditions.
type matcher func(f *Finding) bool

// maxFilterValues bounds the conditions of one field (Rootward's bound; AWS documents none here).
const maxFilterValues = 100

// compileFilters checks filters and compiles each field's conditions. Returns InvalidInputException.
func compileFilters(filters Filters, now time.Time) ([]matcher, error) {
	var out []matcher
	for _, name := range slicesSortedKeys(filters) {
		raw := filters[name]
		if string(raw) == "null" {
			continue
		}
		var m matcher
		var err error
		switch {
		case stringFields[name] != nil:
			m, err = compileString(name, raw, stringFields[name])
		case dateFields[name] != nil:
			m, err = compileDate(name, raw, dateFields[name], now)
		case numberFields[name] != nil:
			m, err = compileNumber(name, raw, numberFields[name])
		default:
			m, err = compileAbsent(name, raw)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func slicesSortedKeys(m Filters) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func negative(comparison string) bool {
	return comparison == "NOT_EQUALS" || comparison == "PREFIX_NOT_EQUALS" || comparison == "NOT_CONTAINS"
}

// compileString compiles a StringFilter list as AWS combines it (StringFilter's Comparison):
// EQUALS, PREFIX, CONTAINS and CONTAINS_WORD are joined by OR, NOT_EQUALS, PREFIX_NOT_EQUALS and
// NOT_CONTAINS by AND; CONTAINS cannot be mixed with NOT_CONTAINS, nor EQUALS with NOT_EQUALS or
// PREFIX_NOT_EQUALS.
func compileString(name string, raw json.RawMessage, get func(*Finding) []string) (matcher, error) {
	var fs []StringFilter
	if err := json.Unmarshal(raw, &fs); err != nil {
		return nil, invalidInput("Invalid filter %s: a list of StringFilter is expected.", name)
	}
	if len(fs) > maxFilterValues {
		return nil, invalidInput("Filter %s has more than %d values.", name, maxFilterValues)
	}
	has := map[string]bool{}
	for _, f := range fs {
		switch f.Comparison {
		case "EQUALS", "PREFIX", "NOT_EQUALS", "PREFIX_NOT_EQUALS", "CONTAINS", "NOT_CONTAINS", "CONTAINS_WORD":
		default:
			return nil, invalidInput("Invalid Comparison %q in filter %s.", f.Comparison, name)
		}
		if f.Value == nil || *f.Value == "" {
			return nil, invalidInput("Filter %s needs a Value.", name)
		}
		has[f.Comparison] = true
	}
	if has["CONTAINS"] && has["NOT_CONTAINS"] {
		return nil, invalidInput("Filter %s cannot combine CONTAINS and NOT_CONTAINS.", name)
	}
	if has["EQUALS"] && (has["NOT_EQUALS"] || has["PREFIX_NOT_EQUALS"]) {
		return nil, invalidInput("Filter %s cannot combine EQUALS with NOT_EQUALS or PREFIX_NOT_EQUALS.", name)
	}
	return func(fd *Finding) bool {
		values := get(fd)
		anyPositive, positiveHit := false, false
		for _, f := range fs {
			v := *f.Value
			if negative(f.Comparison) {
				for _, have := range values {
					if stringMatches(f.Comparison, have, v) {
						return false
					}
				}
				continue
			}
			anyPositive = true
			if slices.ContainsFunc(values, func(have string) bool { return stringMatches(f.Comparison, have, v) }) {
				positiveHit = true
			}
		}
		return !anyPositive || positiveHit
	}, nil
}

// stringMatches reports whether have meets comparison with v; a negative comparison reports
// whether have is what it excludes.
func stringMatches(comparison, have, v string) bool {
	switch comparison {
	case "EQUALS", "NOT_EQUALS":
		return have == v
	case "PREFIX", "PREFIX_NOT_EQUALS":
		return strings.HasPrefix(have, v)
	case "CONTAINS", "NOT_CONTAINS":
		return strings.Contains(have, v)
	case "CONTAINS_WORD":
		return slices.Contains(strings.FieldsFunc(have, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), v)
	}
	return false
}

// parseTime reads an ISO 8601 time as the API takes it (with or without fractions or zone offset).
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// compileDate compiles a DateFilter list: a finding matches when one of them holds.
func compileDate(name string, raw json.RawMessage, get func(*Finding) string, now time.Time) (matcher, error) {
	var fs []DateFilter
	if err := json.Unmarshal(raw, &fs); err != nil {
		return nil, invalidInput("Invalid filter %s: a list of DateFilter is expected.", name)
	}
	type window struct{ from, to time.Time }
	var ws []window
	for _, f := range fs {
		w := window{}
		switch {
		case f.DateRange != nil:
			if f.Start != "" || f.End != "" {
				return nil, invalidInput("Filter %s: give Start and End, or DateRange, not both.", name)
			}
			if f.DateRange.Value == nil || *f.DateRange.Value < 0 || (f.DateRange.Unit != "" && f.DateRange.Unit != "DAYS") {
				return nil, invalidInput("Filter %s: DateRange needs a Value of days.", name)
			}
			edge := now.Add(-time.Duration(*f.DateRange.Value) * 24 * time.Hour)
			switch f.DateRange.Comparison {
			case "", "WITHIN":
				w.from, w.to = edge, now.Add(100*365*24*time.Hour)
			case "OLDER_THAN":
				w.to = edge
			default:
				return nil, invalidInput("Filter %s: invalid DateRange Comparison %q.", name, f.DateRange.Comparison)
			}
		case f.Start != "" && f.End != "":
			var ok1, ok2 bool
			w.from, ok1 = parseTime(f.Start)
			w.to, ok2 = parseTime(f.End)
			if !ok1 || !ok2 {
				return nil, invalidInput("Filter %s: Start and End must be ISO 8601 times.", name)
			}
		default:
			return nil, invalidInput("Filter %s: a DateFilter needs Start and End, or DateRange.", name)
		}
		ws = append(ws, w)
	}
	return func(fd *Finding) bool {
		t, ok := parseTime(get(fd))
		if !ok {
			return false
		}
		for _, w := range ws {
			if !t.Before(w.from) && !t.After(w.to) {
				return true
			}
		}
		return len(ws) == 0
	}, nil
}

// compileNumber compiles a NumberFilter list: a finding matches when one of them holds entirely.
func compileNumber(name string, raw json.RawMessage, get func(*Finding) (float64, bool)) (matcher, error) {
	var fs []NumberFilter
	if err := json.Unmarshal(raw, &fs); err != nil {
		return nil, invalidInput("Invalid filter %s: a list of NumberFilter is expected.", name)
	}
	return func(fd *Finding) bool {
		v, ok := get(fd)
		if !ok {
			return false
		}
		for _, f := range fs {
			if (f.Eq == nil || v == *f.Eq) && (f.Gte == nil || v >= *f.Gte) && (f.Lte == nil || v <= *f.Lte) &&
				(f.Gt == nil || v > *f.Gt) && (f.Lt == nil || v < *f.Lt) {
				return true
			}
		}
		return len(fs) == 0
	}, nil
}

// compileAbsent compiles a filter on an attribute Rootward's findings never hold (network,
// malware, …): the attribute has no value, so conditions that exclude values all hold and any
// other condition fails.
func compileAbsent(name string, raw json.RawMessage) (matcher, error) {
	var fs []struct {
		Comparison string `json:"Comparison"`
	}
	if err := json.Unmarshal(raw, &fs); err != nil {
		return nil, invalidInput("Invalid filter %s.", name)
	}
	all := true
	for _, f := range fs {
		all = all && negative(f.Comparison)
	}
	return func(*Finding) bool { return all }, nil
}

// MaxResults bounds a GetFindings page (1–100, default 100).
const MaxResults = 100

// GetFindings returns the findings the caller may see in region — its own and, when it is its
// organization's Security Hub administrator, its members' — that match filters, sorted, from
// the position token ("" first; else a position GetFindings returned for the same query), at
// most limit, with the position after them ("" when none follow). The default order reads one
// page of indexes (page.go). Returns InvalidAccessException and InvalidInputException.
func (s *Service) GetFindings(ctx context.Context, caller, region string, filters Filters, sortBy []SortCriterion, token string, limit int) ([]*Finding, string, error) {
	if err := s.RequireHub(ctx, caller, region); err != nil {
		return nil, "", err
	}
	accounts, err := s.members(ctx, caller)
	if err != nil {
		return nil, "", err
	}
	return s.getFindingsOf(ctx, accounts, region, filters, sortBy, token, limit)
}

// getFindingsOf is GetFindings over the findings of accounts.
func (s *Service) getFindingsOf(ctx context.Context, accounts []string, region string, filters Filters, sortBy []SortCriterion, token string, limit int) ([]*Finding, string, error) {
	ms, err := compileFilters(filters, s.now().UTC())
	if err != nil {
		return nil, "", err
	}
	if err := checkSort(sortBy); err != nil {
		return nil, "", err
	}
	p := narrow(filters, region, accounts)
	if p.empty {
		return nil, "", nil
	}
	decode := func(it store.Item) (*Finding, bool, error) {
		if it.Body == nil {
			return nil, false, nil // gone since its index entry was read
		}
		r, err := findings.Decode(it.Body)
		if err != nil {
			return nil, false, err
		}
		f := r.finding(accountOf(it.Key))
		return f, !slices.ContainsFunc(ms, func(m matcher) bool { return !m(f) }), nil
	}
	var page []*Finding
	next := ""
	err = s.st.View(ctx, func(tx store.Tx) error {
		src := mergeAll(p.sources(tx, region))
		if defaultOrder(sortBy) {
			pg, err := store.ReadPage(src, token, limit, decode)
			page, next = pg.Items, pg.Last
			return err
		}
		// Another order: every finding the plan reads, sorted.
		var all []*Finding
		after := ""
		for {
			batch, err := src(after, 512)
			if err != nil {
				return err
			}
			for _, it := range batch {
				f, ok, err := decode(it)
				if err != nil {
					return err
				}
				if ok {
					all = append(all, f)
				}
				after = it.Key
			}
			if len(batch) < 512 {
				break
			}
		}
		page, next, err = sortedPage(all, sortBy, token, limit)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return page, next, nil
}

// Identifier names a finding: its Id and ProductArn.
type Identifier struct {
	ID         string `json:"Id"`
	ProductArn string `json:"ProductArn"`
}

// Unprocessed is a finding BatchUpdateFindings could not update, and why.
type Unprocessed struct {
	FindingIdentifier Identifier `json:"FindingIdentifier"`
	ErrorCode         string     `json:"ErrorCode"`
	ErrorMessage      string     `json:"ErrorMessage"`
}

// Update is what BatchUpdateFindings changes; nil members are left as they are.
type Update struct {
	Note              *Note
	Workflow          string
	SeverityLabel     string
	VerificationState string
	Confidence        *int
	Criticality       *int
	Types             []string
	UserDefinedFields map[string]string
}

// BatchUpdate applies u to the findings of ids that the caller may see in region (its own, and its
// members' when it administers its organization); each other ID is answered unprocessed with
// FindingNotFound. The findings' UpdatedAt stays (Security Hub API Reference,
// "BatchUpdateFindings"); each updated finding goes to EventBridge. Returns
// InvalidAccessException.
func (s *Service) BatchUpdate(ctx context.Context, caller, region string, ids []Identifier, u Update) ([]Identifier, []Unprocessed, error) {
	if err := s.RequireHub(ctx, caller, region); err != nil {
		return nil, nil, err
	}
	accounts, err := s.members(ctx, caller)
	if err != nil {
		return nil, nil, err
	}
	var processed []Identifier
	var unprocessed []Unprocessed
	var changed []*Finding
	err = s.st.Update(ctx, func(tx store.Tx) error {
		processed, unprocessed, changed = []Identifier{}, []Unprocessed{}, changed[:0]
		now := s.now().UTC()
		for _, id := range ids {
			key, r, account, ok, err := s.lookup(tx, accounts, region, id)
			if err != nil {
				return err
			}
			if !ok {
				// AWS's code and message for an ID it holds no finding under.
				unprocessed = append(unprocessed, Unprocessed{FindingIdentifier: id, ErrorCode: "FindingNotFound", ErrorMessage: "Finding Not Found"})
				continue
			}
			if u.Note != nil {
				n := *u.Note
				n.UpdatedAt = now
				r.Note = &n
			}
			if u.Workflow != "" {
				r.Workflow = u.Workflow
			}
			if u.SeverityLabel != "" {
				r.SeverityLabel = u.SeverityLabel
			}
			if u.VerificationState != "" {
				r.VerificationState = u.VerificationState
			}
			if u.Confidence != nil {
				r.Confidence = u.Confidence
			}
			if u.Criticality != nil {
				r.Criticality = u.Criticality
			}
			if u.Types != nil {
				r.Types = u.Types
			}
			if u.UserDefinedFields != nil {
				r.UserDefinedFields = u.UserDefinedFields
			}
			r.ProcessedAt = now
			if err := findings.Put(tx, account, key, r); err != nil {
				return err
			}
			processed = append(processed, id)
			changed = append(changed, r.finding(account))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	s.announce(ctx, changed)
	return processed, unprocessed, nil
}

// lookup finds the finding id names among accounts' findings in region.
func (s *Service) lookup(tx store.Tx, accounts []string, region string, id Identifier) (string, *findingRecord, string, bool, error) {
	if id.ProductArn != ProductARN(region) {
		return "", nil, "", false, nil
	}
	a, err := arn.Parse(id.ID)
	if err != nil || a.Region != region || !slices.Contains(accounts, a.Account) {
		return "", nil, "", false, nil
	}
	key, r, ok, err := findings.Lookup(tx, "id", a.Account, id.ID)
	return key, r, a.Account, ok, err
}
