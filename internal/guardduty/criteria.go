package guardduty

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Condition is one field's condition in FindingCriteria (GuardDuty API Reference, "Condition"):
// the legacy operators (eq, neq, gt, gte, lt, lte) and their newer names (equals, notEquals,
// greaterThan, greaterThanOrEqual, lessThan, lessThanOrEqual). Every operator given must hold.
// Times (updatedAt, createdAt) compare as milliseconds since the epoch, as the API takes them.
type Condition struct {
	Eq                 []string `json:"eq,omitempty"`
	Neq                []string `json:"neq,omitempty"`
	Gt                 *int64   `json:"gt,omitempty"`
	Gte                *int64   `json:"gte,omitempty"`
	Lt                 *int64   `json:"lt,omitempty"`
	Lte                *int64   `json:"lte,omitempty"`
	Equals             []string `json:"equals,omitempty"`
	NotEquals          []string `json:"notEquals,omitempty"`
	GreaterThan        *int64   `json:"greaterThan,omitempty"`
	GreaterThanOrEqual *int64   `json:"greaterThanOrEqual,omitempty"`
	LessThan           *int64   `json:"lessThan,omitempty"`
	LessThanOrEqual    *int64   `json:"lessThanOrEqual,omitempty"`
}

// Criteria is FindingCriteria's criterion: a condition per field, all of which must hold.
type Criteria map[string]Condition

// Sort is SortCriteria: a field and ASC or DESC (default ASC).
type Sort struct {
	AttributeName string `json:"attributeName,omitempty"`
	OrderBy       string `json:"orderBy,omitempty"`
}

// fieldKind says how a field's values compare.
type fieldKind int

const (
	stringField fieldKind = iota
	numberField           // severity, count
	timeField             // epoch milliseconds
	boolField
)

// field is one finding field criteria and sorting can name: its kind and its value.
type field struct {
	kind fieldKind
	str  func(r *findingRecord, account string) string
	num  func(r *findingRecord) float64
}

func strField(f func(r *findingRecord, account string) string) field {
	return field{kind: stringField, str: f}
}

func timeOf(f func(r *findingRecord) time.Time) field {
	return field{kind: timeField, num: func(r *findingRecord) float64 { return float64(f(r).UnixMilli()) }}
}

// fields are the attributes of a finding Rootward filters and sorts on, by the names of GuardDuty's
// "Filtering findings" attribute list (GuardDuty User Guide, "Filtering findings in GuardDuty",
// https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_filter-findings.html).
var fields = map[string]field{
	"accountId": strField(func(_ *findingRecord, a string) string { return a }),
	"id":        strField(func(r *findingRecord, _ string) string { return r.ID }),
	"region":    strField(func(r *findingRecord, _ string) string { return r.Region }),
	"type":      strField(func(r *findingRecord, _ string) string { return r.Type }),
	"severity":  {kind: numberField, num: func(r *findingRecord) float64 { return r.Severity }},
	"updatedAt": timeOf(func(r *findingRecord) time.Time { return r.UpdatedAt }),
	"createdAt": timeOf(func(r *findingRecord) time.Time { return r.CreatedAt }),
	"service.archived": {kind: boolField, str: func(r *findingRecord, _ string) string {
		return strconv.FormatBool(r.Archived)
	}},
	"service.count":                         {kind: numberField, num: func(r *findingRecord) float64 { return float64(r.Count) }},
	"service.eventFirstSeen":                timeOf(func(r *findingRecord) time.Time { return r.FirstSeen }),
	"service.eventLastSeen":                 timeOf(func(r *findingRecord) time.Time { return r.LastSeen }),
	"resource.resourceType":                 strField(func(*findingRecord, string) string { return "AccessKey" }),
	"resource.accessKeyDetails.accessKeyId": strField(func(r *findingRecord, _ string) string { return r.AccessKeyID }),
	"resource.accessKeyDetails.principalId": strField(func(r *findingRecord, _ string) string { return r.PrincipalID }),
	"resource.accessKeyDetails.userName":    strField(func(*findingRecord, string) string { return "Root" }),
	"resource.accessKeyDetails.userType":    strField(func(*findingRecord, string) string { return "Root" }),
	"service.action.actionType":             strField(func(*findingRecord, string) string { return "AWS_API_CALL" }),
	"service.action.awsApiCallAction.api":   strField(func(r *findingRecord, _ string) string { return r.API }),
	"service.action.awsApiCallAction.serviceName": strField(func(r *findingRecord, _ string) string {
		return r.ServiceName
	}),
	"service.action.awsApiCallAction.callerType": strField(func(*findingRecord, string) string { return "Remote IP" }),
	"service.action.awsApiCallAction.errorCode":  strField(func(r *findingRecord, _ string) string { return r.ErrorCode }),
	"service.action.awsApiCallAction.remoteIpDetails.ipAddressV4": strField(func(r *findingRecord, _ string) string {
		return r.SourceIP
	}),
}

// compiled is a criterion ready to test findings.
type compiled struct {
	name string
	f    field
	in   []string // eq ∪ equals: one must match
	out  []string // neq ∪ notEquals: none may match
	low  []bound
	high []bound
}

type bound struct {
	v         float64
	inclusive bool
}

// compile checks criteria against the fields and their kinds: an unknown field, a comparison on a
// field that is not a number or a time, a value that does not parse as the field's kind, or a
// condition with no operator is BadRequestException.
func compile(criteria Criteria) ([]compiled, error) {
	var out []compiled
	for name, c := range criteria {
		f, ok := fields[name]
		if !ok {
			return nil, badRequest("The request is rejected because the input findingCriteria field %s is not supported.", name)
		}
		cc := compiled{name: name, f: f, in: append(slices.Clone(c.Eq), c.Equals...), out: append(slices.Clone(c.Neq), c.NotEquals...)}
		for _, b := range []struct {
			v    *int64
			low  bool
			incl bool
		}{{c.Gt, true, false}, {c.GreaterThan, true, false}, {c.Gte, true, true}, {c.GreaterThanOrEqual, true, true},
			{c.Lt, false, false}, {c.LessThan, false, false}, {c.Lte, false, true}, {c.LessThanOrEqual, false, true}} {
			if b.v == nil {
				continue
			}
			if f.kind != numberField && f.kind != timeField {
				return nil, badRequest(msgInvalid)
			}
			if b.low {
				cc.low = append(cc.low, bound{float64(*b.v), b.incl})
			} else {
				cc.high = append(cc.high, bound{float64(*b.v), b.incl})
			}
		}
		if len(cc.in)+len(cc.out)+len(cc.low)+len(cc.high) == 0 {
			return nil, badRequest(msgInvalid)
		}
		for _, v := range slices.Concat(cc.in, cc.out) {
			if !parses(f.kind, v) {
				return nil, badRequest(msgInvalid)
			}
		}
		out = append(out, cc)
	}
	return out, nil
}

func parses(k fieldKind, v string) bool {
	switch k {
	case numberField, timeField:
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case boolField:
		_, err := strconv.ParseBool(v)
		return err == nil
	}
	return true
}

// equal reports whether the finding's value of c's field equals v.
func (c *compiled) equal(r *findingRecord, account, v string) bool {
	switch c.f.kind {
	case numberField, timeField:
		n, _ := strconv.ParseFloat(v, 64)
		return c.f.num(r) == n
	case boolField:
		b, _ := strconv.ParseBool(v)
		return c.f.str(r, account) == strconv.FormatBool(b)
	}
	return c.f.str(r, account) == v
}

func (c *compiled) matches(r *findingRecord, account string) bool {
	if len(c.in) > 0 && !slices.ContainsFunc(c.in, func(v string) bool { return c.equal(r, account, v) }) {
		return false
	}
	if slices.ContainsFunc(c.out, func(v string) bool { return c.equal(r, account, v) }) {
		return false
	}
	if len(c.low)+len(c.high) > 0 {
		n := c.f.num(r)
		for _, b := range c.low {
			if n < b.v || (n == b.v && !b.inclusive) {
				return false
			}
		}
		for _, b := range c.high {
			if n > b.v || (n == b.v && !b.inclusive) {
				return false
			}
		}
	}
	return true
}

// filter returns the records matching criteria, sorted by sort (by creation, then ID, when nil).
func filter(all []*findingRecord, account string, criteria Criteria, sort *Sort) ([]*findingRecord, error) {
	cs, err := compile(criteria)
	if err != nil {
		return nil, err
	}
	out := make([]*findingRecord, 0, len(all))
	for _, r := range all {
		if !slices.ContainsFunc(cs, func(c compiled) bool { return !c.matches(r, account) }) {
			out = append(out, r)
		}
	}
	if sort == nil {
		slices.SortStableFunc(out, func(a, b *findingRecord) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
		return out, nil
	}
	return out, sortFindings(out, account, sort)
}

// sortFindings sorts recs by sort's attribute (ties by ID, so that pages are stable). Returns
// BadRequestException for an unknown attribute or order.
func sortFindings(recs []*findingRecord, account string, sort *Sort) error {
	f, ok := fields[sort.AttributeName]
	if !ok {
		return badRequest(msgInvalid)
	}
	desc := false
	switch sort.OrderBy {
	case "", "ASC":
	case "DESC":
		desc = true
	default:
		return badRequest(msgInvalid)
	}
	slices.SortStableFunc(recs, func(a, b *findingRecord) int {
		var c int
		if f.kind == numberField || f.kind == timeField {
			c = cmp.Compare(f.num(a), f.num(b))
		} else {
			c = strings.Compare(f.str(a, account), f.str(b, account))
		}
		if desc {
			c = -c
		}
		return cmp.Or(c, strings.Compare(a.ID, b.ID))
	})
	return nil
}
