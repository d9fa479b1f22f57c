package guardduty

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// RootCredentialUsage is the finding type of a root credential use, severity Low (2.0).
const (
	RootCredentialUsage = "Policy:IAMUser/RootCredentialUsage"
	rootUsageSeverity   = 2.0
	schemaVersion       = "2.0"
)

// EventBridge's source and detail-type of GuardDuty findings (GuardDuty User Guide, "Processing
// findings with Amazon EventBridge").
const (
	EventSource     = "aws.guardduty"
	EventDetailType = "GuardDuty Finding"
)

// findingRecord is a finding as stored (kind "guardduty.finding", the account's, keyed by
// DETECTOR_ID/FINDING_ID).
type findingRecord struct {
	ID         string    `json:"id"`
	DetectorID string    `json:"detector_id"`
	Region     string    `json:"region"`
	Type       string    `json:"type"`
	Severity   float64   `json:"severity"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Archived   bool      `json:"archived,omitempty"`
	Count      int       `json:"count"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	// Group is what makes two events the same activity (aggregation); see group.
	Group string `json:"group"`
	// The activity, as its latest event shows it.
	AccessKeyID string `json:"access_key_id,omitempty"`
	PrincipalID string `json:"principal_id,omitempty"`
	API         string `json:"api"`
	ServiceName string `json:"service_name"`
	SourceIP    string `json:"source_ip,omitempty"`
	UserAgent   string `json:"user_agent,omitempty"`
	ErrorCode   string `json:"error_code,omitempty"`
}

// findings: the index "active" maps an activity group to the findings of it that are not
// archived, which a repeat of the activity updates; the index "created" lists a detector's
// findings in ListFindings' default order, by creation then ID (a finding's creation time never
// changes), so that a page reads the entries it returns and not the whole detector; the index
// "sorted" does the same for every other SortCriteria (sorted.go).
var findings = store.Define(store.Kind[findingRecord]{
	Name: "guardduty.finding", Version: 1,
	Indexes: []store.Index[findingRecord]{
		{Name: "created", Values: func(_ string, r *findingRecord) []string {
			return []string{r.DetectorID + "/" + r.CreatedAt.UTC().Format(createdOrder)}
		}},
		{Name: "active", Values: func(_ string, r *findingRecord) []string {
			if r.Archived {
				return nil
			}
			return []string{r.DetectorID + "/" + r.Group}
		}},
		{Name: "sorted", Values: sortedValues},
	},
})

// createdOrder writes a creation time so that byte order is time order (fixed width, UTC, to the
// nanosecond). An index entry's key is value + NUL + record key (DETECTOR/ID), so entries of the
// same instant follow by ID, as ListFindings' default order wants.
const createdOrder = "20060102T150405.000000000Z"

// group identifies an activity: the same API of the same service called by the same principal from
// the same address. GuardDuty counts repeats of such an activity in one finding (service.count,
// eventFirstSeen, eventLastSeen); AWS does not document its exact key, so Rootward chose this one.
func group(typ, principal, api, service, ip string) string {
	h := sha256.New()
	for _, s := range []string{typ, principal, api, service, ip} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Finding is a finding in GuardDuty's wire shape (GetFindings' findings[], and the detail of its
// EventBridge event).
type Finding struct {
	AccountID     string         `json:"accountId"`
	Arn           string         `json:"arn"`
	CreatedAt     string         `json:"createdAt"`
	Description   string         `json:"description"`
	ID            string         `json:"id"`
	Partition     string         `json:"partition"`
	Region        string         `json:"region"`
	Resource      Resource       `json:"resource"`
	SchemaVersion string         `json:"schemaVersion"`
	Service       FindingService `json:"service"`
	Severity      float64        `json:"severity"`
	Title         string         `json:"title"`
	Type          string         `json:"type"`
	UpdatedAt     string         `json:"updatedAt"`
}

// Resource is a finding's resource: for RootCredentialUsage, the access key used.
type Resource struct {
	ResourceType     string           `json:"resourceType"`
	AccessKeyDetails AccessKeyDetails `json:"accessKeyDetails"`
}

// AccessKeyDetails name the credentials behind the activity; the root user's are userName and
// userType "Root".
type AccessKeyDetails struct {
	AccessKeyID string `json:"accessKeyId"`
	PrincipalID string `json:"principalId"`
	UserName    string `json:"userName"`
	UserType    string `json:"userType"`
}

// FindingService is a finding's service member: what GuardDuty observed, how often and when.
type FindingService struct {
	Action         Action `json:"action"`
	Archived       bool   `json:"archived"`
	Count          int    `json:"count"`
	DetectorID     string `json:"detectorId"`
	EventFirstSeen string `json:"eventFirstSeen"`
	EventLastSeen  string `json:"eventLastSeen"`
	ResourceRole   string `json:"resourceRole"`
	ServiceName    string `json:"serviceName"`
}

// Action is what was done: an AWS API call.
type Action struct {
	ActionType       string           `json:"actionType"`
	AwsAPICallAction AwsAPICallAction `json:"awsApiCallAction"`
}

// AwsAPICallAction is the API call of a finding.
type AwsAPICallAction struct {
	API             string          `json:"api"`
	CallerType      string          `json:"callerType"`
	ErrorCode       string          `json:"errorCode,omitempty"`
	RemoteIPDetails RemoteIPDetails `json:"remoteIpDetails"`
	ServiceName     string          `json:"serviceName"`
	UserAgent       string          `json:"userAgent,omitempty"`
}

// RemoteIPDetails is the caller's address. AWS adds its city, country, geolocation and network
// owner; Rootward has no geolocation database, so it sends the address alone.
type RemoteIPDetails struct {
	IPAddressV4 string `json:"ipAddressV4,omitempty"`
	IPAddressV6 string `json:"ipAddressV6,omitempty"`
}

func (r *findingRecord) finding(account string) *Finding {
	f := &Finding{
		AccountID: account, Arn: arn.GuardDuty(r.Region, account, "detector/"+r.DetectorID+"/finding/"+r.ID),
		CreatedAt: formatTime(r.CreatedAt), ID: r.ID, Partition: "aws", Region: r.Region,
		SchemaVersion: schemaVersion, Severity: r.Severity, Type: r.Type, UpdatedAt: formatTime(r.UpdatedAt),
		// The title and description AWS writes for this finding type.
		Title:       "The API " + r.API + " was invoked using root credentials.",
		Description: "The API " + r.API + " was invoked using root credentials from IP address " + r.SourceIP + ".",
		Resource: Resource{ResourceType: "AccessKey", AccessKeyDetails: AccessKeyDetails{
			AccessKeyID: r.AccessKeyID, PrincipalID: r.PrincipalID, UserName: "Root", UserType: "Root"}},
		Service: FindingService{
			Archived: r.Archived, Count: r.Count, DetectorID: r.DetectorID, ResourceRole: "TARGET", ServiceName: "guardduty",
			EventFirstSeen: formatTime(r.FirstSeen), EventLastSeen: formatTime(r.LastSeen),
			Action: Action{ActionType: "AWS_API_CALL", AwsAPICallAction: AwsAPICallAction{
				API: r.API, ServiceName: r.ServiceName, CallerType: "Remote IP", ErrorCode: r.ErrorCode, UserAgent: r.UserAgent,
			}},
		},
	}
	if a, err := netip.ParseAddr(r.SourceIP); err == nil && a.Unmap().Is4() {
		f.Service.Action.AwsAPICallAction.RemoteIPDetails.IPAddressV4 = a.Unmap().String()
	} else if err == nil {
		f.Service.Action.AwsAPICallAction.RemoteIPDetails.IPAddressV6 = a.String()
	}
	return f
}

// Analyse raises or updates the RootCredentialUsage finding of e, a root event, when its account
// has an enabled detector in the event's region, and hands the finding to EventBridge. Any other
// event is ignored.
func (s *Service) Analyse(ctx context.Context, e *trail.Event) error {
	if e.UserIdentity.Type != "Root" {
		return nil
	}
	account, region := e.RecipientAccountID, e.AWSRegion
	if account == "" {
		account = e.UserIdentity.AccountID
	}
	key := ""
	if e.UserIdentity.AccessKeyID != nil {
		key = *e.UserIdentity.AccessKeyID
	}
	principal := e.UserIdentity.PrincipalID
	if principal == "" {
		principal = account
	}
	var out *Finding
	err := s.st.Update(ctx, func(tx store.Tx) error {
		out = nil
		_, det, ok, err := detectors.Lookup(tx, "region", account, region)
		if err != nil || !ok || !det.Enabled {
			return err
		}
		now := s.now().UTC()
		g := group(RootCredentialUsage, principal, e.EventName, e.EventSource, e.SourceIPAddress)
		items, err := findings.IndexRange(tx, "active", account, det.ID+"/"+g)("", 1)
		if err != nil {
			return err
		}
		var r, was *findingRecord
		if len(items) > 0 {
			_, r, ok, err = findings.Resolve(tx, account, items[0])
			if err != nil {
				return err
			}
		}
		if r != nil && ok {
			before := *r
			was = &before
		} else {
			r = &findingRecord{ID: newID(), DetectorID: det.ID, Region: region, Type: RootCredentialUsage,
				Severity: rootUsageSeverity, CreatedAt: now, FirstSeen: e.EventTime, LastSeen: e.EventTime, Group: g}
		}
		r.Count++
		r.UpdatedAt = now
		if e.EventTime.Before(r.FirstSeen) {
			r.FirstSeen = e.EventTime
		}
		if e.EventTime.After(r.LastSeen) {
			r.LastSeen = e.EventTime
		}
		r.AccessKeyID, r.PrincipalID, r.API, r.ServiceName = key, principal, e.EventName, e.EventSource
		r.SourceIP, r.UserAgent, r.ErrorCode = e.SourceIPAddress, e.UserAgent, e.ErrorCode
		if err := findings.Put(tx, account, r.DetectorID+"/"+r.ID, r); err != nil {
			return err
		}
		if err := restat(tx, account, was, r); err != nil {
			return err
		}
		out = r.finding(account)
		return nil
	})
	if err != nil || out == nil {
		return err
	}
	if s.publish != nil {
		detail, err := json.Marshal(out)
		if err != nil {
			return err
		}
		s.publish(account, EventSource, EventDetailType, []string{}, detail)
	}
	return nil
}

// allFindings reads every finding of a detector (after checking it is the account's in region).
func allFindings(tx store.Tx, account, region, detector string) ([]*findingRecord, error) {
	if _, err := detectorIn(tx, account, region, detector); err != nil {
		return nil, err
	}
	var out []*findingRecord
	after := ""
	for {
		page, err := findings.List(tx, account, detector+"/", after, 512)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			out = append(out, e.Record)
		}
		if len(page) < 512 {
			return out, nil
		}
		after = page[len(page)-1].Key
	}
}

// matching reads the detector's findings that match criteria, sorted by creation, in a read
// transaction: those in the ranges of the narrowest criterion on an indexed field (narrow.go), or
// every finding when none narrows.
func (s *Service) matching(ctx context.Context, account, region, detector string, criteria Criteria) ([]*findingRecord, error) {
	cs, err := compile(criteria)
	if err != nil {
		return nil, err
	}
	var out []*findingRecord
	err = s.st.View(ctx, func(tx store.Tx) error {
		c := narrowest(cs, "")
		if c == nil {
			all, err := allFindings(tx, account, region, detector)
			if err != nil {
				return err
			}
			out, err = filter(all, account, criteria, nil)
			return err
		}
		if _, err := detectorIn(tx, account, region, detector); err != nil {
			return err
		}
		prefix := detector + "/" + c.name + "/A/"
		spans, _ := spansOf(prefix, c, false)
		src := findings.Resolved(tx, account, within(findings.IndexRange(tx, "sorted", account, prefix), spans))
		var read []*findingRecord
		after := ""
		for {
			items, err := src(after, 512)
			if err != nil {
				return err
			}
			for _, it := range items {
				after = it.Key
				if it.Body == nil {
					continue
				}
				r, err := findings.Decode(it.Body)
				if err != nil {
					return err
				}
				read = append(read, r)
			}
			if len(items) < 512 {
				break
			}
		}
		out, err = filter(read, account, criteria, nil)
		return err
	})
	return out, err
}

// MaxResults bounds ListFindings' page (1–50, default 50).
const MaxResults = 50

// DefaultScanLimit is how many findings one ListFindings call examines at most in creation order
// when its criteria leave most of them out (Config.ListScanLimit).
const DefaultScanLimit = 1000

// byCreation reports whether sort is ListFindings' default order, which the index "created"
// serves: none, or createdAt ascending.
func byCreation(sort *Sort) bool {
	return sort == nil || sort.AttributeName == "createdAt" && (sort.OrderBy == "" || sort.OrderBy == "ASC")
}

// ListFindings returns the IDs of a detector's findings that match criteria, in sort's order,
// from the position token ("" for the first page; a token it returned before, for the same
// detector, criteria and sort), at most limit, and the position after them ("" when none follow).
// Returns BadRequestException for an unknown detector, an invalid criterion or sort, or a token
// it did not issue.
//
// A page reads the findings it returns through an index in its order: "created" in the default
// order (by creation), "sorted" in any other (sorted.go): O(page). Criteria are checked on each
// finding read; so that a call whose criteria leave most findings out stays bounded, it examines
// at most s.scanLimit findings and then answers the matches so far (maybe none) with a token to
// continue, as CloudTrail's LookupEvents does.
func (s *Service) ListFindings(ctx context.Context, account, region, detector string, criteria Criteria, sort *Sort, token string, limit int) ([]string, string, error) {
	cs, err := compile(criteria)
	if err != nil {
		return nil, "", err
	}
	name, desc := "createdAt", false
	if sort != nil {
		name, desc = sort.AttributeName, sort.OrderBy == "DESC"
	}
	if c := narrowest(cs, name); c != nil {
		// A criterion on the sort's own field: only its ranges of the field's entries are read
		// (narrow.go).
		prefix, err := sortedPrefix(detector, sort)
		if err != nil {
			return nil, "", err
		}
		spans, _ := spansOf(prefix, c, desc)
		return s.listByIndex(ctx, account, region, detector, "sorted", prefix, cs, spans, token, limit)
	}
	if byCreation(sort) {
		return s.listByIndex(ctx, account, region, detector, "created", detector+"/", cs, nil, token, limit)
	}
	prefix, err := sortedPrefix(detector, sort)
	if err != nil {
		return nil, "", err
	}
	return s.listByIndex(ctx, account, region, detector, "sorted", prefix, cs, nil, token, limit)
}

// listByIndex is ListFindings in the order of an index's entries whose value starts with prefix,
// within spans when they are not nil; positions are the index's entry keys.
func (s *Service) listByIndex(ctx context.Context, account, region, detector, index, prefix string, cs []compiled, spans []span, token string, limit int) ([]string, string, error) {
	if token != "" && !strings.HasPrefix(token, prefix) {
		return nil, "", badRequest(msgInvalid)
	}
	ids := []string{}
	next := ""
	err := s.st.View(ctx, func(tx store.Tx) error {
		ids, next = ids[:0], ""
		if _, err := detectorIn(tx, account, region, detector); err != nil {
			return err
		}
		entries := findings.IndexRange(tx, index, account, prefix)
		if spans != nil {
			entries = within(entries, spans)
		}
		src := findings.Resolved(tx, account, entries)
		after, scanned := token, 0
		ended, more := false, false
		for !ended && !more && len(ids) < limit && scanned < s.scanLimit {
			// Unfiltered, a batch is what the page still lacks; filtered, a larger one within
			// the bound.
			n := limit - len(ids)
			if len(cs) > 0 {
				n = min(max(n, 64), s.scanLimit-scanned)
			}
			items, err := src(after, n)
			if err != nil {
				return err
			}
			ended = len(items) < n
			for i, it := range items {
				scanned++
				after = it.Key
				if it.Body == nil { // deleted since the entry was read
					continue
				}
				r, err := findings.Decode(it.Body)
				if err != nil {
					return err
				}
				if slices.ContainsFunc(cs, func(c compiled) bool { return !c.matches(r, account) }) {
					continue
				}
				if ids = append(ids, r.ID); len(ids) == limit {
					more = i < len(items)-1
					break
				}
			}
		}
		switch {
		case more:
			next = after
		case !ended:
			// A page filled by the batch's last entry, or the bound reached: a token unless
			// nothing follows.
			peek, err := src(after, 1)
			if err != nil {
				return err
			}
			if len(peek) > 0 {
				next = after
			}
		}
		return nil
	})
	return ids, next, err
}

// GetFindings returns the findings of ids that exist (an unknown ID is left out), in sort's
// order, or in the order asked when sort is nil. Returns BadRequestException.
func (s *Service) GetFindings(ctx context.Context, account, region, detector string, ids []string, sort *Sort) ([]*Finding, error) {
	out := []*Finding{}
	err := s.st.View(ctx, func(tx store.Tx) error {
		if _, err := detectorIn(tx, account, region, detector); err != nil {
			return err
		}
		var recs []*findingRecord
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			r, ok, err := findings.Get(tx, account, detector+"/"+id)
			if err != nil {
				return err
			}
			if ok {
				recs = append(recs, r)
			}
		}
		if sort != nil {
			if err := sortFindings(recs, account, sort); err != nil {
				return err
			}
		}
		for _, r := range recs {
			out = append(out, r.finding(account))
		}
		return nil
	})
	return out, err
}

// SetArchived archives (or unarchives) the findings of ids. Every ID must be a finding of the
// detector, or nothing changes: BadRequestException. AWS documents no answer for an unknown
// finding ID; Rootward refuses the request rather than half-apply it.
func (s *Service) SetArchived(ctx context.Context, account, region, detector string, ids []string, archived bool) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := detectorIn(tx, account, region, detector); err != nil {
			return err
		}
		for _, id := range ids {
			r, ok, err := findings.Get(tx, account, detector+"/"+id)
			if err != nil {
				return err
			}
			if !ok {
				return badRequest("The request is rejected because the input findingId %s is not a finding of detector %s.", id, detector)
			}
			if r.Archived == archived {
				continue
			}
			was := *r
			r.Archived = archived
			r.UpdatedAt = s.now().UTC()
			if err := findings.Put(tx, account, detector+"/"+id, r); err != nil {
				return err
			}
			if err := restat(tx, account, &was, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// CountBySeverity counts the detector's findings that match criteria by severity, keyed by the
// severity written with one decimal ("2.0"), as GetFindingsStatistics' countBySeverity: from the
// counters (stats.go) when criteria name service.archived and severity alone, or nothing, else by
// reading the findings the narrowest criterion's ranges hold (narrow.go). Returns
// BadRequestException.
func (s *Service) CountBySeverity(ctx context.Context, account, region, detector string, criteria Criteria) (map[string]int, error) {
	if states, keep, ok := statQuery(account, "SEVERITY", criteria); ok {
		if _, err := compile(criteria); err != nil {
			return nil, err
		}
		groups, err := s.groupsFromStats(ctx, account, region, detector, "SEVERITY", states, keep)
		if err != nil {
			return nil, err
		}
		counts := map[string]int{}
		for _, g := range groups {
			counts[g.Key] += g.Total
		}
		return counts, nil
	}
	matched, err := s.matching(ctx, account, region, detector, criteria)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, f := range matched {
		counts[strconv.FormatFloat(f.Severity, 'f', 1, 64)]++
	}
	return counts, nil
}

// Group is one group of GetFindingsStatistics' groupBy: the findings sharing a severity, a type,
// an account, a day (of their last update) or a resource, how many there are, and when the last
// of them was generated (updated).
type Group struct {
	Key             string
	Total           int
	LastGeneratedAt time.Time
	// Severity is the group's severity (SEVERITY), the highest of the day's (DATE).
	Severity float64
	// Date is the day (DATE), midnight UTC.
	Date time.Time
	// ResourceID and ResourceType name the resource (RESOURCE): the access key.
	ResourceID, ResourceType string
}

// GroupBy are the valid groupBy values.
var GroupBy = []string{"ACCOUNT", "DATE", "FINDING_TYPE", "RESOURCE", "SEVERITY"}

// GroupFindings groups the detector's findings that match criteria by by (one of GroupBy): from
// the counters (stats.go), in group order, when criteria name service.archived and by's own field
// alone, or nothing; else by reading the findings the narrowest criterion's ranges hold
// (narrow.go), in the order the groups first appear among them sorted by creation. Returns
// BadRequestException.
func (s *Service) GroupFindings(ctx context.Context, account, region, detector string, criteria Criteria, by string) ([]*Group, error) {
	if !slices.Contains(GroupBy, by) {
		return nil, badRequest(msgInvalid)
	}
	if states, keep, ok := statQuery(account, by, criteria); ok {
		if _, err := compile(criteria); err != nil {
			return nil, err
		}
		return s.groupsFromStats(ctx, account, region, detector, by, states, keep)
	}
	matched, err := s.matching(ctx, account, region, detector, criteria)
	if err != nil {
		return nil, err
	}
	var out []*Group
	index := map[string]*Group{}
	for _, f := range matched {
		g := &Group{}
		switch by {
		case "ACCOUNT":
			g.Key = account
		case "DATE":
			g.Date = f.UpdatedAt.UTC().Truncate(24 * time.Hour)
			g.Key = g.Date.Format(time.DateOnly)
		case "FINDING_TYPE":
			g.Key = f.Type
		case "RESOURCE":
			g.Key, g.ResourceID, g.ResourceType = f.AccessKeyID, f.AccessKeyID, "AccessKey"
		case "SEVERITY":
			g.Key = strconv.FormatFloat(f.Severity, 'f', 1, 64)
		}
		if have, ok := index[g.Key]; ok {
			g = have
		} else {
			index[g.Key] = g
			out = append(out, g)
		}
		g.Total++
		g.Severity = max(g.Severity, f.Severity)
		if f.UpdatedAt.After(g.LastGeneratedAt) {
			g.LastGeneratedAt = f.UpdatedAt
		}
	}
	return out, nil
}
