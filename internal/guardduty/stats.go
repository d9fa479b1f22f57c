package guardduty

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// GetFindingsStatistics answers from counters, not from the findings: a statRecord per detector,
// archived state, groupBy dimension and group (kind "guardduty.stat", the account's, keyed
// DETECTOR/STATE/DIMENSION/GROUP), updated in the transaction that changes a finding. A statistics
// call reads one row per group. The counters serve criteria on service.archived (the console's
// "current findings") and on the grouped dimension's own field (type for FINDING_TYPE, severity
// for SEVERITY and COUNT_BY_SEVERITY, the access key for RESOURCE, accountId for ACCOUNT), or
// none; other criteria read the findings of the narrowest one's index ranges (narrow.go).
type statRecord struct {
	Total int `json:"total"`
	// Last is the latest update of a finding counted in the group. A finding that leaves the group
	// (archived, unarchived, or updated on another day) does not lower it.
	Last time.Time `json:"last"`
	// Severity is the highest severity counted in the group (DATE's severity), which a finding
	// leaving the group does not lower either.
	Severity float64 `json:"severity,omitempty"`
}

var stats = store.Define(store.Kind[statRecord]{Name: "guardduty.stat", Version: 1})

// statsVersion is detectorRecord.Stats when the detector's counters are kept; a detector stored
// before has its counters built from its findings by the first statistics call (ensureStats).
const statsVersion = 1

// statState is the state part of a counter's key.
func statState(archived bool) string {
	if archived {
		return "archived"
	}
	return "current"
}

// statGroups are r's group of each GroupBy dimension, in GroupBy's order.
func statGroups(account string, r *findingRecord) [5]string {
	return [5]string{
		account,
		r.UpdatedAt.UTC().Truncate(24 * time.Hour).Format(time.DateOnly),
		r.Type,
		r.AccessKeyID,
		strconv.FormatFloat(r.Severity, 'f', 1, 64),
	}
}

// restat moves a finding's counts from what it was (nil: a new finding) to what it is (nil: deleted).
func restat(tx store.Tx, account string, was, is *findingRecord) error {
	for _, c := range []struct {
		r     *findingRecord
		delta int
	}{{was, -1}, {is, 1}} {
		if c.r == nil {
			continue
		}
		for i, g := range statGroups(account, c.r) {
			key := c.r.DetectorID + "/" + statState(c.r.Archived) + "/" + GroupBy[i] + "/" + g
			st, _, err := stats.Get(tx, account, key)
			if err != nil {
				return err
			}
			if st == nil {
				st = &statRecord{}
			}
			st.Total += c.delta
			if c.delta > 0 {
				if c.r.UpdatedAt.After(st.Last) {
					st.Last = c.r.UpdatedAt
				}
				st.Severity = max(st.Severity, c.r.Severity)
			}
			if st.Total <= 0 {
				err = stats.DeleteIfExists(tx, account, key)
			} else {
				err = stats.Put(tx, account, key, st)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteStats deletes a detector's counters.
func deleteStats(tx store.Tx, account, detector string) error {
	for {
		page, err := stats.List(tx, account, detector+"/", "", 256)
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := stats.Delete(tx, account, e.Key); err != nil {
				return err
			}
		}
		if len(page) < 256 {
			return nil
		}
	}
}

// ensureStats builds the counters of a detector stored before they were kept, from its findings,
// once.
func (s *Service) ensureStats(ctx context.Context, account, region, detector string) error {
	var built bool
	err := s.st.View(ctx, func(tx store.Tx) error {
		det, err := detectorIn(tx, account, region, detector)
		built = err == nil && det.Stats >= statsVersion
		return err
	})
	if err != nil || built {
		return err
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		det, err := detectorIn(tx, account, region, detector)
		if err != nil || det.Stats >= statsVersion {
			return err
		}
		if err := deleteStats(tx, account, detector); err != nil {
			return err
		}
		all, err := allFindings(tx, account, region, detector)
		if err != nil {
			return err
		}
		for _, r := range all {
			if err := restat(tx, account, nil, r); err != nil {
				return err
			}
		}
		det.Stats = statsVersion
		return detectors.Put(tx, account, detector, det)
	})
}

// dimensionField is the finding field whose value is a GroupBy dimension's group: a criterion on
// it selects whole groups, which the counters answer. DATE's groups are days of updatedAt, which a
// criterion in milliseconds does not select whole.
var dimensionField = map[string]string{
	"ACCOUNT":      "accountId",
	"FINDING_TYPE": "type",
	"RESOURCE":     "resource.accessKeyDetails.accessKeyId",
	"SEVERITY":     "severity",
}

// statQuery returns what the counters of dimension by answer criteria with: the archived states
// they select, and which groups (nil: all); ok is false when the counters cannot answer them —
// they name a field other than service.archived and by's own field, or service.archived with a
// comparison.
func statQuery(account, by string, criteria Criteria) (states []string, group func(key string) bool, ok bool) {
	states = []string{statState(false), statState(true)}
	for name, c := range criteria {
		switch name {
		case "service.archived":
			if c.Gt != nil || c.Gte != nil || c.Lt != nil || c.Lte != nil ||
				c.GreaterThan != nil || c.GreaterThanOrEqual != nil || c.LessThan != nil || c.LessThanOrEqual != nil {
				return nil, nil, false
			}
			states = archivedStates(c)
		case dimensionField[by]:
			cs, err := compile(Criteria{name: c})
			if err != nil {
				return nil, nil, false
			}
			group = func(key string) bool { return cs[0].matches(groupRecord(by, key), account) }
		default:
			return nil, nil, false
		}
	}
	return states, group, true
}

// archivedStates are the states a condition on service.archived selects.
func archivedStates(c Condition) []string {
	var out []string
	for _, archived := range []bool{false, true} {
		keep := true
		if in := append(append([]string{}, c.Eq...), c.Equals...); len(in) > 0 {
			keep = false
			for _, v := range in {
				b, err := strconv.ParseBool(v)
				keep = keep || (err == nil && b == archived)
			}
		}
		for _, v := range append(append([]string{}, c.Neq...), c.NotEquals...) {
			if b, err := strconv.ParseBool(v); err == nil && b == archived {
				keep = false
			}
		}
		if keep {
			out = append(out, statState(archived))
		}
	}
	return out
}

// groupRecord is a finding whose value of by's field is the group key, for a criterion on it.
func groupRecord(by, key string) *findingRecord {
	r := &findingRecord{}
	switch by {
	case "FINDING_TYPE":
		r.Type = key
	case "RESOURCE":
		r.AccessKeyID = key
	case "SEVERITY":
		r.Severity, _ = strconv.ParseFloat(key, 64)
	}
	return r
}

// groupsFromStats reads the counters of dimension by in the states, merged per group, of the
// groups keep selects (nil: every group), in group order.
func (s *Service) groupsFromStats(ctx context.Context, account, region, detector, by string, states []string, keep func(string) bool) ([]*Group, error) {
	if err := s.ensureStats(ctx, account, region, detector); err != nil {
		return nil, err
	}
	var out []*Group
	index := map[string]*Group{}
	err := s.st.View(ctx, func(tx store.Tx) error {
		out, index = nil, map[string]*Group{}
		if _, err := detectorIn(tx, account, region, detector); err != nil {
			return err
		}
		for _, state := range states {
			prefix := detector + "/" + state + "/" + by + "/"
			after := ""
			for {
				page, err := stats.List(tx, account, prefix, after, 256)
				if err != nil {
					return err
				}
				for _, e := range page {
					key := strings.TrimPrefix(e.Key, prefix)
					if keep != nil && !keep(key) {
						continue
					}
					g := index[key]
					if g == nil {
						g = statGroup(account, by, key)
						index[key] = g
						out = append(out, g)
					}
					g.Total += e.Record.Total
					g.Severity = max(g.Severity, e.Record.Severity)
					if e.Record.Last.After(g.LastGeneratedAt) {
						g.LastGeneratedAt = e.Record.Last
					}
				}
				if len(page) < 256 {
					break
				}
				after = page[len(page)-1].Key
			}
		}
		return nil
	})
	return out, err
}

// statGroup is the Group of a counter's group key.
func statGroup(account, by, key string) *Group {
	g := &Group{Key: key}
	switch by {
	case "ACCOUNT":
		g.Key = account
	case "DATE":
		g.Date, _ = time.Parse(time.DateOnly, key)
	case "RESOURCE":
		g.ResourceID, g.ResourceType = key, "AccessKey"
	}
	return g
}
