package cloudtrail

import (
	"time"

	"github.com/rootward/rootward/internal/store"
)

// kindTrail is the store kind of trails: account = the trail's owner, key = its name (unique in
// the account and region; Rootward answers one region).
const kindTrail = "cloudtrail.trail"

// trailRecord is a trail as stored, separate from the Trail the service answers with.
type trailRecord struct {
	Name          string          `json:"name"`
	HomeRegion    string          `json:"region"`
	Bucket        string          `json:"bucket"`
	KeyPrefix     string          `json:"key_prefix,omitempty"`
	IncludeGlobal bool            `json:"include_global"`
	MultiRegion   bool            `json:"multi_region,omitempty"`
	Organization  bool            `json:"organization,omitempty"`
	OrgID         string          `json:"org_id,omitempty"`
	Validation    bool            `json:"validation,omitempty"`
	Logging       bool            `json:"logging,omitempty"`
	StartLogging  *time.Time      `json:"start_logging,omitempty"`
	StopLogging   *time.Time      `json:"stop_logging,omitempty"`
	Created       time.Time       `json:"created"`
	Tags          []tagRecord     `json:"tags,omitempty"`
	Delivery      *deliveryRecord `json:"delivery,omitempty"`
}

type tagRecord struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// deliveryRecord is what the log-file deliverer last reported (SetDeliveryStatus).
type deliveryRecord struct {
	LatestDelivery      time.Time `json:"latest,omitempty"`
	LatestDigest        time.Time `json:"latest_digest,omitempty"`
	LatestDeliveryError string    `json:"error,omitempty"`
	LatestDigestError   string    `json:"digest_error,omitempty"`
}

// trails are the trail records. The "organization" index lists an account's organization trails,
// which its organization's members see.
var trails = store.Define(store.Kind[trailRecord]{
	Name: kindTrail, Version: 1,
	Indexes: []store.Index[trailRecord]{{
		Name: "organization",
		Values: func(_ string, r *trailRecord) []string {
			if r.Organization {
				return []string{r.OrgID}
			}
			return nil
		},
	}},
})
