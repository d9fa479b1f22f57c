package guardduty

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// detectorRecord is a detector as stored (kind "guardduty.detector", the account's, keyed by the
// detector ID).
type detectorRecord struct {
	ID        string            `json:"id"`
	Region    string            `json:"region"`
	Enabled   bool              `json:"enabled"`
	Frequency string            `json:"frequency"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	Tags      map[string]string `json:"tags,omitempty"`
	// ClientToken is CreateDetector's idempotency token, "" when none was sent.
	ClientToken string `json:"client_token,omitempty"`
	// Stats is statsVersion once the detector's statistics counters are kept (stats.go).
	Stats int `json:"stats,omitempty"`
}

// detectors: the unique index "region" makes AWS's rule of one detector per account and Region.
var detectors = store.Define(store.Kind[detectorRecord]{
	Name: "guardduty.detector", Version: 1,
	Indexes: []store.Index[detectorRecord]{
		{Name: "region", Unique: true, Values: func(_ string, r *detectorRecord) []string { return []string{r.Region} }},
	},
})

// Detector is a detector as the API shows it.
type Detector struct {
	ID, Account, Region  string
	Enabled              bool
	Frequency            string // FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS
	CreatedAt, UpdatedAt time.Time
	Tags                 map[string]string
}

// Status is GetDetector's status: ENABLED or DISABLED.
func (d *Detector) Status() string {
	if d.Enabled {
		return "ENABLED"
	}
	return "DISABLED"
}

func (r *detectorRecord) detector(account string) *Detector {
	return &Detector{ID: r.ID, Account: account, Region: r.Region, Enabled: r.Enabled, Frequency: r.Frequency,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Tags: maps.Clone(r.Tags)}
}

// Frequencies are the valid FindingPublishingFrequency values; AWS's default is SIX_HOURS (GuardDuty
// API Reference, CreateDetector). Rootward sends every new or updated finding to EventBridge at
// once whatever the setting (issue 12: "within 10 seconds"), and keeps the setting for GetDetector.
var Frequencies = []string{"FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"}

// DefaultFrequency is the FindingPublishingFrequency of a detector created without one.
const DefaultFrequency = "SIX_HOURS"

func validFrequency(f string) bool {
	for _, v := range Frequencies {
		if f == v {
			return true
		}
	}
	return false
}

// CreateInput is CreateDetector's request.
type CreateInput struct {
	Enable      bool
	Frequency   string
	Tags        map[string]string
	ClientToken string
}

// CreateDetector creates the account's detector in region. Returns BadRequestException when the
// account has one there already (unless ClientToken repeats the request that created it) or the
// input is invalid.
func (s *Service) CreateDetector(ctx context.Context, account, region string, in CreateInput) (*Detector, error) {
	if in.Frequency == "" {
		in.Frequency = DefaultFrequency
	}
	if !validFrequency(in.Frequency) {
		return nil, badRequest(msgInvalid)
	}
	now := s.now().UTC()
	rec := &detectorRecord{ID: newID(), Stats: statsVersion, Region: region, Enabled: in.Enable, Frequency: in.Frequency,
		CreatedAt: now, UpdatedAt: now, Tags: maps.Clone(in.Tags), ClientToken: in.ClientToken}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		_, old, ok, err := detectors.Lookup(tx, "region", account, region)
		if err != nil {
			return err
		}
		if ok {
			if in.ClientToken != "" && old.ClientToken == in.ClientToken {
				rec = old
				return nil
			}
			return badRequest(msgExists)
		}
		err = detectors.Insert(tx, account, rec.ID, rec)
		if errors.Is(err, store.ErrExists) {
			return badRequest(msgExists)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec.detector(account), nil
}

// detector reads the account's detector id in region; BadRequestException when there is none.
func detectorIn(tx store.Tx, account, region, id string) (*detectorRecord, error) {
	r, ok, err := detectors.Get(tx, account, id)
	if err != nil {
		return nil, err
	}
	if !ok || r.Region != region {
		return nil, badRequest(msgNotOwned)
	}
	return r, nil
}

// GetDetector returns a detector. Returns BadRequestException when the account has no detector id
// in region.
func (s *Service) GetDetector(ctx context.Context, account, region, id string) (*Detector, error) {
	var d *Detector
	err := s.st.View(ctx, func(tx store.Tx) error {
		r, err := detectorIn(tx, account, region, id)
		if err == nil {
			d = r.detector(account)
		}
		return err
	})
	return d, err
}

// ListDetectors returns the account's detector IDs in region: at most one, by AWS's rule, so the
// list is never paged further.
func (s *Service) ListDetectors(ctx context.Context, account, region string) ([]string, error) {
	ids := []string{}
	err := s.st.View(ctx, func(tx store.Tx) error {
		key, _, ok, err := detectors.Lookup(tx, "region", account, region)
		if ok {
			ids = append(ids, key)
		}
		return err
	})
	return ids, err
}

// UpdateDetector enables or disables a detector (enable nil: unchanged) and sets its publishing
// frequency ("" unchanged). Returns BadRequestException.
func (s *Service) UpdateDetector(ctx context.Context, account, region, id string, enable *bool, frequency string) error {
	if frequency != "" && !validFrequency(frequency) {
		return badRequest(msgInvalid)
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		r, err := detectorIn(tx, account, region, id)
		if err != nil {
			return err
		}
		if enable != nil {
			r.Enabled = *enable
		}
		if frequency != "" {
			r.Frequency = frequency
		}
		r.UpdatedAt = s.now().UTC()
		return detectors.Put(tx, account, id, r)
	})
}

// DeleteDetector deletes a detector and its findings, as AWS does. Returns BadRequestException.
func (s *Service) DeleteDetector(ctx context.Context, account, region, id string) error {
	return s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := detectorIn(tx, account, region, id); err != nil {
			return err
		}
		for {
			page, err := findings.List(tx, account, id+"/", "", 256)
			if err != nil {
				return err
			}
			for _, e := range page {
				if err := findings.Delete(tx, account, e.Key); err != nil {
					return err
				}
			}
			if len(page) < 256 {
				break
			}
		}
		if err := deleteStats(tx, account, id); err != nil {
			return err
		}
		return detectors.Delete(tx, account, id)
	})
}
