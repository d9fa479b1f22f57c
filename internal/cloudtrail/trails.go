package cloudtrail

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail/logfiles"
)

// maxTrails is the number of trails an account may have in a region (CloudTrail User Guide,
// "Quotas in AWS CloudTrail": 5 trails per Region), organization trails included.
const maxTrails = 5

// maxTags is the number of tags a trail may carry (API Reference, AddTags: "up to 50").
const maxTags = 50

// Trail is a trail as the service answers it.
type Trail struct {
	Name, Account, HomeRegion, ARN string
	S3BucketName, S3KeyPrefix      string
	IncludeGlobalServiceEvents     bool
	IsMultiRegionTrail             bool
	IsOrganizationTrail            bool
	OrgID                          string
	LogFileValidationEnabled       bool
	IsLogging                      bool
	StartLoggingTime               *time.Time
	StopLoggingTime                *time.Time
	Created                        time.Time
	Tags                           []Tag
	Delivery                       DeliveryStatus
}

// Tag is a trail's tag.
type Tag struct{ Key, Value string }

// TrailInput is what CreateTrail sets and UpdateTrail changes: a nil member is not set (Create's
// defaults) or left as it is (Update).
type TrailInput struct {
	S3BucketName, S3KeyPrefix  *string
	IncludeGlobalServiceEvents *bool
	IsMultiRegionTrail         *bool
	EnableLogFileValidation    *bool
	IsOrganizationTrail        *bool
	Tags                       []Tag
}

// TrailConfig is a logging trail as the log-file deliverer needs it (LoggingTrails), and
// DeliveryStatus what the deliverer reports back for GetTrailStatus (SetDeliveryStatus): the
// deliverer's own types (internal/trail/logfiles), so that its Config takes LoggingTrails and
// SetDeliveryStatus as they are.
type (
	TrailConfig    = logfiles.TrailConfig
	DeliveryStatus = logfiles.DeliveryStatus
)

type txn struct{ store.Txn }

// TrailARN is the ARN of account's trail name in region.
func TrailARN(region, account, name string) string {
	return arn.CloudTrail(region, account, "trail/"+name)
}

func (r *trailRecord) trail(account string) *Trail {
	t := &Trail{
		Name: r.Name, Account: account, HomeRegion: r.HomeRegion, ARN: TrailARN(r.HomeRegion, account, r.Name),
		S3BucketName: r.Bucket, S3KeyPrefix: r.KeyPrefix, IncludeGlobalServiceEvents: r.IncludeGlobal,
		IsMultiRegionTrail: r.MultiRegion, IsOrganizationTrail: r.Organization, OrgID: r.OrgID,
		LogFileValidationEnabled: r.Validation, IsLogging: r.Logging, StartLoggingTime: r.StartLogging,
		StopLoggingTime: r.StopLogging, Created: r.Created, Tags: r.tags(),
	}
	if d := r.Delivery; d != nil {
		t.Delivery = DeliveryStatus{LatestDeliveryTime: d.LatestDelivery, LatestDigestDeliveryTime: d.LatestDigest,
			LatestDeliveryError: d.LatestDeliveryError, LatestDigestDeliveryError: d.LatestDigestError}
	}
	return t
}

// ref is a trail a request names, resolved: its owner account and name.
type ref struct {
	owner, name, arn string
}

// notFound is TrailNotFoundException for the trail r names, in the words AWS uses ("Unknown
// trail: ARN for the user: ACCOUNT").
func notFound(r ref, account string) error {
	return awserr.New(awserr.CTTrailNotFound, "Unknown trail: %s for the user: %s", r.arn, account)
}

// parseRef reads a trail name or ARN of a request: a name is account's, in region; an ARN names
// its owner. Returns InvalidTrailNameException and CloudTrailARNInvalidException.
func parseRef(account, region, nameOrARN string) (ref, error) {
	if strings.HasPrefix(nameOrARN, "arn:") {
		a, err := arn.Parse(nameOrARN)
		name, ok := strings.CutPrefix(a.Resource, "trail/")
		if err != nil || a.Service != "cloudtrail" || !ok || !accountID(a.Account) || CheckTrailName(name) != nil {
			return ref{}, awserr.New(awserr.CTARNInvalid, "The ARN %s is not a valid trail ARN.", quote(nameOrARN))
		}
		if a.Region != region {
			// A trail of another region is not one Rootward has: it answers one region.
			return ref{a.Account, name, nameOrARN}, awserr.New(awserr.CTTrailNotFound, "Unknown trail: %s for the user: %s", nameOrARN, account)
		}
		return ref{a.Account, name, nameOrARN}, nil
	}
	if err := CheckTrailName(nameOrARN); err != nil {
		return ref{}, err
	}
	return ref{account, nameOrARN, TrailARN(region, account, nameOrARN)}, nil
}

func accountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// quote shortens what a request sent before an error message repeats it.
func quote(s string) string {
	if len(s) > 256 {
		return s[:256] + "…"
	}
	return s
}

// orgOf is account's organization, nil for none.
func (s *Service) orgOf(ctx context.Context, account string) (*orgs.Organization, error) {
	if s.orgs == nil {
		return nil, nil
	}
	return s.orgs.OrganizationOf(ctx, account)
}

// find returns the trail r names as account sees it, with its owner: account's own, or its
// organization's organization trail (which members see but cannot change), by its ARN or by name
// when account has no trail of that name. Returns TrailNotFoundException.
func (s *Service) find(ctx context.Context, account string, r ref) (*trailRecord, string, error) {
	get := func(owner string) (rec *trailRecord, err error) {
		err = store.View(ctx, s.st, func(t txn) (err error) {
			rec, _, err = trails.Get(t, owner, r.name)
			return err
		})
		return rec, err
	}
	rec, err := get(r.owner)
	if err != nil {
		return nil, "", err
	}
	if rec != nil && r.owner == account {
		return rec, account, nil
	}
	o, err := s.orgOf(ctx, account)
	if err != nil {
		return nil, "", err
	}
	if o == nil || o.MasterAccountID == account || (r.owner != account && r.owner != o.MasterAccountID) {
		return nil, "", notFound(r, account)
	}
	if r.owner == account {
		if rec, err = get(o.MasterAccountID); err != nil {
			return nil, "", err
		}
	}
	if rec == nil || !rec.Organization || rec.OrgID != o.ID {
		return nil, "", notFound(r, account)
	}
	return rec, o.MasterAccountID, nil
}

// owned resolves the trail an action that changes it names: an organization trail is changed only
// by its management account. Returns the name's errors, TrailNotFoundException and
// NotOrganizationMasterAccountException.
func (s *Service) owned(ctx context.Context, account, region, nameOrARN string) (ref, error) {
	r, err := parseRef(account, region, nameOrARN)
	if err != nil {
		return r, err
	}
	_, owner, err := s.find(ctx, account, r)
	if err != nil {
		return r, err
	}
	if owner != account {
		return r, notMaster(account)
	}
	return r, nil
}

func notMaster(account string) error {
	return awserr.New(awserr.CTNotOrganizationMaster, "Account %s is not the management account of the organization: only the management account can create or change an organization trail.", account)
}

// checkOrganizationTrail is what an organization trail of account needs (API Reference,
// CreateTrail "Errors"; User Guide, "Creating a trail for an organization"): an organization in
// all-features mode, account its management account, and trusted access for CloudTrail. It
// returns the organization's ID.
func (s *Service) checkOrganizationTrail(ctx context.Context, account string) (string, error) {
	o, err := s.orgOf(ctx, account)
	if err != nil {
		return "", err
	}
	switch {
	case o == nil:
		return "", awserr.New(awserr.CTOrganizationsNotInUse, "Account %s is not a member of an organization: an organization trail needs AWS Organizations.", account)
	case o.MasterAccountID != account:
		return "", notMaster(account)
	case o.FeatureSet != orgs.FeatureSetAll:
		return "", awserr.New(awserr.OrganizationNotInAllFeatures, "The organization %s does not have all features enabled: an organization trail needs all features.", o.ID)
	case !o.ServiceAccessEnabled(ServicePrincipal):
		return "", awserr.New(awserr.CTAccessNotEnabled, "Trusted access for cloudtrail.amazonaws.com is not enabled in the organization %s: enable it with organizations:EnableAWSServiceAccess first.", o.ID)
	}
	return o.ID, nil
}

// apply sets in's members on r, checking each; create says whether r is new (S3BucketName is then
// required).
func (s *Service) apply(ctx context.Context, account string, r *trailRecord, in *TrailInput, create bool) error {
	if in.S3BucketName != nil || create {
		b := ""
		if in.S3BucketName != nil {
			b = *in.S3BucketName
		}
		if err := CheckBucketName(b); err != nil {
			return err
		}
		r.Bucket = b
	}
	if in.S3KeyPrefix != nil {
		if err := CheckKeyPrefix(*in.S3KeyPrefix); err != nil {
			return err
		}
		r.KeyPrefix = *in.S3KeyPrefix
	}
	if in.IncludeGlobalServiceEvents != nil {
		r.IncludeGlobal = *in.IncludeGlobalServiceEvents
	}
	if in.IsMultiRegionTrail != nil {
		r.MultiRegion = *in.IsMultiRegionTrail
	}
	if in.EnableLogFileValidation != nil {
		r.Validation = *in.EnableLogFileValidation
	}
	if r.MultiRegion && !r.IncludeGlobal {
		// API Reference, CreateTrail IsMultiRegionTrail / InvalidParameterCombinationException.
		return awserr.New(awserr.CTInvalidParameterCombination, "Multi-Region trail must include global service events.")
	}
	if in.IsOrganizationTrail != nil {
		if *in.IsOrganizationTrail {
			id, err := s.checkOrganizationTrail(ctx, account)
			if err != nil {
				return err
			}
			r.Organization, r.OrgID = true, id
		} else {
			r.Organization, r.OrgID = false, ""
		}
	}
	if len(in.Tags) > 0 {
		tags, err := addTags(r.Tags, in.Tags)
		if err != nil {
			return err
		}
		r.Tags = tags
	}
	return nil
}

// CreateTrail creates account's trail name in region, not logging (StartLogging turns it on).
// Returns InvalidTrailNameException, InvalidS3BucketNameException, InvalidS3PrefixException,
// InvalidParameterCombinationException, the organization trail's errors
// (checkOrganizationTrail), InvalidTagParameterException, TagsLimitExceededException,
// MaximumNumberOfTrailsExceededException and TrailAlreadyExistsException.
func (s *Service) CreateTrail(ctx context.Context, account, region, name string, in TrailInput) (*Trail, error) {
	if err := CheckTrailName(name); err != nil {
		return nil, err
	}
	r := &trailRecord{Name: name, HomeRegion: region, IncludeGlobal: true, Created: s.now().UTC().Truncate(time.Second)}
	if err := s.apply(ctx, account, r, &in, true); err != nil {
		return nil, err
	}
	err := store.Update(ctx, s.st, func(t txn) error {
		if _, ok, err := trails.Get(t, account, name); err != nil {
			return err
		} else if ok {
			return awserr.New(awserr.CTTrailAlreadyExists, "Trail %s already exists for customer: %s", name, account)
		}
		n, err := t.Count(kindTrail, account, "")
		if err != nil {
			return err
		}
		if n >= maxTrails {
			return awserr.New(awserr.CTMaximumNumberOfTrails, "User: %s already has %d trails in %s.", account, n, region)
		}
		return trails.Insert(t, account, name, r)
	})
	if errors.Is(err, store.ErrExists) {
		err = awserr.New(awserr.CTTrailAlreadyExists, "Trail %s already exists for customer: %s", name, account)
	}
	if err != nil {
		return nil, err
	}
	return r.trail(account), nil
}

// change applies fn to the trail nameOrARN names, which account must own, in one transaction.
func (s *Service) change(ctx context.Context, account, region, nameOrARN string, fn func(r *trailRecord) error) (*Trail, error) {
	ref, err := s.owned(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	var out *Trail
	err = store.Update(ctx, s.st, func(t txn) error {
		r, ok, err := trails.Get(t, ref.owner, ref.name)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(ref, account)
		}
		if err := fn(r); err != nil {
			return err
		}
		out = r.trail(ref.owner)
		return trails.Put(t, ref.owner, ref.name, r)
	})
	return out, err
}

// UpdateTrail changes the members in sets. Returns CreateTrail's errors (but
// TrailAlreadyExistsException and the trail limit), TrailNotFoundException and
// NotOrganizationMasterAccountException.
func (s *Service) UpdateTrail(ctx context.Context, account, region, nameOrARN string, in TrailInput) (*Trail, error) {
	// A trail that is not there, or not the caller's, is refused before the organization checks,
	// which read Organizations and so run before the transaction. Tags are AddTags' to change.
	ref, err := s.owned(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	var probe trailRecord
	if err := s.apply(ctx, account, &probe, &TrailInput{IsOrganizationTrail: in.IsOrganizationTrail}, false); err != nil {
		return nil, err
	}
	return s.change(ctx, account, region, ref.arn, func(r *trailRecord) error {
		if err := s.apply(ctx, account, r, &TrailInput{S3BucketName: in.S3BucketName, S3KeyPrefix: in.S3KeyPrefix,
			IncludeGlobalServiceEvents: in.IncludeGlobalServiceEvents, IsMultiRegionTrail: in.IsMultiRegionTrail,
			EnableLogFileValidation: in.EnableLogFileValidation}, false); err != nil {
			return err
		}
		if in.IsOrganizationTrail != nil {
			r.Organization, r.OrgID = probe.Organization, probe.OrgID
		}
		return nil
	})
}

// GetTrail returns the trail nameOrARN names as account sees it. Returns InvalidTrailNameException,
// CloudTrailARNInvalidException and TrailNotFoundException.
func (s *Service) GetTrail(ctx context.Context, account, region, nameOrARN string) (*Trail, error) {
	r, err := parseRef(account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	rec, owner, err := s.find(ctx, account, r)
	if err != nil {
		return nil, err
	}
	return rec.trail(owner), nil
}

// Trails returns account's trails and, with shadow, the organization trail of its organization
// that another account (the management account) owns, by name.
func (s *Service) Trails(ctx context.Context, account string, shadow bool) ([]*Trail, error) {
	var out []*Trail
	var own []store.Entry[trailRecord]
	err := store.View(ctx, s.st, func(t txn) (err error) {
		own, err = trails.List(t, account, "", "", maxTrails*4)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, e := range own {
		out = append(out, e.Record.trail(account))
	}
	if shadow {
		o, err := s.orgOf(ctx, account)
		if err != nil {
			return nil, err
		}
		if o != nil && o.MasterAccountID != account {
			err := store.View(ctx, s.st, func(t txn) error {
				src := trails.IndexRange(t, "organization", o.MasterAccountID, o.ID)
				p, err := store.ReadPage(src, "", maxTrails*4, func(it store.Item) (*trailRecord, bool, error) {
					_, r, ok, err := trails.Resolve(t, o.MasterAccountID, it)
					return r, ok, err
				})
				for _, r := range p.Items {
					out = append(out, r.trail(o.MasterAccountID))
				}
				return err
			})
			if err != nil {
				return nil, err
			}
		}
	}
	slices.SortFunc(out, func(a, b *Trail) int { return strings.Compare(a.ARN, b.ARN) })
	return out, nil
}

// DescribeTrails returns the trails names lists (names or ARNs; all when empty) as account sees
// them; names that match no trail are left out, as AWS does. Returns InvalidTrailNameException
// and CloudTrailARNInvalidException.
func (s *Service) DescribeTrails(ctx context.Context, account, region string, names []string, shadow bool) ([]*Trail, error) {
	for _, n := range names {
		if _, err := parseRef(account, region, n); err != nil && !awserr.IsCode(err, awserr.CTTrailNotFound) {
			return nil, err
		}
	}
	all, err := s.Trails(ctx, account, shadow || len(names) > 0)
	if err != nil || len(names) == 0 {
		return all, err
	}
	var out []*Trail
	for _, t := range all {
		if slices.Contains(names, t.ARN) || slices.Contains(names, t.Name) {
			out = append(out, t)
		}
	}
	return out, nil
}

// DeleteTrail deletes account's trail. Returns TrailNotFoundException,
// NotOrganizationMasterAccountException and the name's errors.
func (s *Service) DeleteTrail(ctx context.Context, account, region, nameOrARN string) error {
	ref, err := s.owned(ctx, account, region, nameOrARN)
	if err != nil {
		return err
	}
	return store.Update(ctx, s.st, func(t txn) error {
		err := trails.Delete(t, ref.owner, ref.name)
		if errors.Is(err, store.ErrNotFound) {
			return notFound(ref, account)
		}
		return err
	})
}

// SetLogging starts or stops the trail's logging (StartLogging, StopLogging), recording when.
// Returns TrailNotFoundException, NotOrganizationMasterAccountException and the name's errors.
func (s *Service) SetLogging(ctx context.Context, account, region, nameOrARN string, on bool) error {
	now := s.now().UTC().Truncate(time.Second)
	_, err := s.change(ctx, account, region, nameOrARN, func(r *trailRecord) error {
		if on && !r.Logging {
			r.Logging, r.StartLogging = true, &now
		} else if !on && r.Logging {
			r.Logging, r.StopLogging = false, &now
		}
		return nil
	})
	return err
}

// LoggingTrails returns every trail whose logging is on, across accounts, for the log-file
// deliverer.
func (s *Service) LoggingTrails(ctx context.Context) ([]TrailConfig, error) {
	var out []TrailConfig
	err := s.st.View(ctx, func(tx store.Tx) error {
		var after *store.Object
		for {
			objs, err := tx.Scan(kindTrail, after, 256)
			if err != nil {
				return err
			}
			for i := range objs {
				r, err := trails.Decode(objs[i].Body)
				if err != nil {
					return err
				}
				if r.Logging {
					c := TrailConfig{ARN: TrailARN(r.HomeRegion, objs[i].Account, r.Name), Name: r.Name, Account: objs[i].Account,
						Region: r.HomeRegion, Bucket: r.Bucket, KeyPrefix: r.KeyPrefix, OrgID: r.OrgID,
						Organization: r.Organization, Validation: r.Validation, LoggingSince: r.Created}
					if r.StartLogging != nil {
						c.LoggingSince = *r.StartLogging
					}
					out = append(out, c)
				}
			}
			if len(objs) < 256 {
				return nil
			}
			after = &objs[len(objs)-1]
		}
	})
	return out, err
}

// SetDeliveryStatus records what the log-file deliverer last did for the trail of trailARN (its
// ARN as LoggingTrails gave it). Returns TrailNotFoundException for a trail that is gone.
func (s *Service) SetDeliveryStatus(ctx context.Context, trailARN string, st DeliveryStatus) error {
	a, err := arn.Parse(trailARN)
	name, ok := strings.CutPrefix(a.Resource, "trail/")
	if err != nil || !ok {
		return awserr.New(awserr.CTARNInvalid, "The ARN %s is not a valid trail ARN.", quote(trailARN))
	}
	return store.Update(ctx, s.st, func(t txn) error {
		r, ok, err := trails.Get(t, a.Account, name)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(ref{a.Account, name, trailARN}, a.Account)
		}
		r.Delivery = &deliveryRecord{st.LatestDeliveryTime, st.LatestDigestDeliveryTime, st.LatestDeliveryError, st.LatestDigestDeliveryError}
		return trails.Put(t, a.Account, name, r)
	})
}
