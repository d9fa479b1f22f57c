package mpa

import (
	"context"
	"errors"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// sourceRecord is an identity source: an Identity Center instance whose users may be approvers.
type sourceRecord struct {
	InstanceARN    string            `json:"instance_arn"`
	InstanceRegion string            `json:"instance_region"`
	Created        time.Time         `json:"created"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// sources are the identity sources of each account, keyed by ID; an instance is an account's
// identity source once.
var sources = store.Define(store.Kind[sourceRecord]{
	Name: "mpa.identitysource", Version: 1,
	Indexes: []store.Index[sourceRecord]{
		{Name: "instance", Unique: true, Values: func(_ string, r *sourceRecord) []string { return []string{r.InstanceARN} }},
	},
})

// Source is an identity source.
type Source struct {
	ARN            string
	InstanceARN    string
	InstanceRegion string
	Created        time.Time
	// PortalURL is the approval portal its users vote in.
	PortalURL string
	Tags      map[string]string
}

func (s *Service) source(account, id string, r *sourceRecord) *Source {
	return &Source{ARN: s.sourceARN(account, id), InstanceARN: r.InstanceARN, InstanceRegion: r.InstanceRegion,
		Created: r.Created, PortalURL: s.cfg.PortalURL, Tags: r.Tags}
}

// CreateIdentitySource makes the Identity Center instance instanceARN an identity source of
// account. It returns ResourceNotFoundException when there is no such instance (or no Identity
// Center), AccessDeniedException when the instance belongs to an account outside account's
// organization, ConflictException when the instance is already an identity source of the account,
// and ServiceQuotaExceededException past MaxSources.
func (s *Service) CreateIdentitySource(ctx context.Context, account, instanceARN, region string, tags map[string]string) (*Source, error) {
	inst, err := s.instance(ctx, instanceARN)
	if err != nil {
		return nil, err
	}
	if inst.Account != account {
		same, err := s.sameOrganization(ctx, account, inst.Account)
		if err != nil {
			return nil, err
		}
		if !same {
			return nil, AccessDenied("The IAM Identity Center instance %s belongs to an account outside your organization.", instanceARN)
		}
	}
	if region == "" {
		region = inst.Region
	}
	if region != inst.Region {
		return nil, validation("The IAM Identity Center instance %s is in Region %s, not %s.", instanceARN, inst.Region, region)
	}
	id := newID()
	r := &sourceRecord{InstanceARN: inst.ARN, InstanceRegion: inst.Region, Created: s.cfg.Now().UTC(), Tags: tags}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		n, err := tx.Count(sources.Name, account, "")
		if err != nil {
			return err
		}
		if n >= MaxSources {
			return awsQuota("You can have at most %d identity sources.", MaxSources)
		}
		return sources.Insert(tx, account, id, r)
	})
	if errors.Is(err, store.ErrExists) {
		return nil, conflict("The IAM Identity Center instance %s is already an identity source.", instanceARN)
	}
	if err != nil {
		return nil, err
	}
	return s.source(account, id, r), nil
}

// MaxSources is how many identity sources an account may have (AWS's quota is not documented;
// Rootward chose 5).
const MaxSources = 5

func (s *Service) instance(ctx context.Context, instanceARN string) (Instance, error) {
	if s.cfg.Directory == nil {
		return Instance{}, notFound("IAM Identity Center instance %s was not found.", instanceARN)
	}
	inst, ok, err := s.cfg.Directory.Instance(ctx, instanceARN)
	if err != nil {
		return Instance{}, err
	}
	if !ok {
		return Instance{}, notFound("IAM Identity Center instance %s was not found.", instanceARN)
	}
	return inst, nil
}

// sameOrganization reports whether accounts a and b are in one organization.
func (s *Service) sameOrganization(ctx context.Context, a, b string) (bool, error) {
	if s.cfg.Orgs == nil {
		return false, nil
	}
	oa, err := s.cfg.Orgs.OrganizationOf(ctx, a)
	if err != nil || oa == nil {
		return false, err
	}
	ob, err := s.cfg.Orgs.OrganizationOf(ctx, b)
	if err != nil || ob == nil {
		return false, err
	}
	return oa.ID == ob.ID, nil
}

// IdentitySource returns the account's identity source id; ResourceNotFoundException when none.
func (s *Service) IdentitySource(ctx context.Context, account, id string) (*Source, error) {
	var r *sourceRecord
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		r, ok, err = sources.Get(tx, account, id)
		if err == nil && !ok {
			err = notFound("Identity source %s was not found.", s.sourceARN(account, id))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.source(account, id, r), nil
}

// IdentitySources pages the account's identity sources by ID.
func (s *Service) IdentitySources(ctx context.Context, account, after string, limit int) (store.Page[*Source], error) {
	var p store.Page[*Source]
	err := s.cfg.Store.View(ctx, func(tx store.Tx) (err error) {
		p, err = store.ReadPage(sources.Range(tx, account, ""), after, limit, func(it store.Item) (*Source, bool, error) {
			r, err := sources.Decode(it.Body)
			if err != nil {
				return nil, false, err
			}
			return s.source(account, it.Key, r), true, nil
		})
		return err
	})
	return p, err
}

// DeleteIdentitySource removes the account's identity source id. It returns
// ResourceNotFoundException when there is none, ConflictException while a team of the account has
// an approver from it.
func (s *Service) DeleteIdentitySource(ctx context.Context, account, id string) error {
	src := s.sourceARN(account, id)
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if _, ok, err := sources.Get(tx, account, id); err != nil {
			return err
		} else if !ok {
			return notFound("Identity source %s was not found.", src)
		}
		items, err := tx.List(teams.Name, account, "", "", maxTeams+1)
		if err != nil {
			return err
		}
		for _, it := range items {
			t, err := teams.Decode(it.Body)
			if err != nil {
				return err
			}
			if t.usesSource(src) {
				return conflict("Identity source %s has approvers in approval team %s.", src, t.Name)
			}
		}
		return sources.Delete(tx, account, id)
	})
}

// sourceInstance returns the instance of the identity source ARN names, which must be account's.
func (s *Service) sourceInstance(tx store.Tx, account, sourceARN string) (string, error) {
	res, ok := s.ParseARN(sourceARN)
	if !ok || res.Type != "identity-source" || res.Account != account {
		return "", validation("PrimaryIdentitySourceArn %s is not an identity source of this account.", sourceARN)
	}
	r, ok, err := sources.Get(tx, account, res.ID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", notFound("Identity source %s was not found.", sourceARN)
	}
	return r.InstanceARN, nil
}
