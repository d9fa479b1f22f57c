package accessadvisor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// IAM is what the reports read of IAM: the entity, its policies, and the members of a group or
// the principals a policy is attached to. *iam.Service implements it.
type IAM interface {
	GetUser(ctx context.Context, account, name string) (*iam.User, error)
	GetRole(ctx context.Context, account, name string) (*iam.Role, error)
	GetGroup(ctx context.Context, account, name string, o iam.ListOpts) (*iam.Group, iam.Page[iam.User], error)
	GetPolicy(ctx context.Context, account, arn string) (*iam.ManagedPolicy, error)
	GetPolicyVersion(ctx context.Context, account, arn, versionID string) (*iam.PolicyVersion, error)
	PrincipalPolicies(ctx context.Context, account, ptype, name, id string) (*iam.PrincipalPolicies, error)
	ListEntitiesForPolicy(ctx context.Context, account, arn, entityFilter string) (*iam.PolicyEntities, error)
}

// job is a requested report: GenerateServiceLastAccessedDetails stores it and the Get operations
// compute it from the evidence when read, so a job is COMPLETED as soon as it exists.
type job struct {
	ARN         string    `json:"arn"`
	Granularity string    `json:"granularity"`
	Created     time.Time `json:"created"`
}

var jobs = store.Define(store.Kind[job]{Name: kindJob, Version: 1})

// Granularities of a report (AccessAdvisorUsageGranularityType).
const (
	ServiceLevel = "SERVICE_LEVEL"
	ActionLevel  = "ACTION_LEVEL"
)

// Generate starts a report on a user, group, role or managed policy and returns its job ID.
// Returns NoSuchEntity for an entity that does not exist and InvalidInput for an ARN that names no
// such entity.
func (s *Service) Generate(ctx context.Context, account, arn, granularity string) (string, error) {
	if granularity == "" {
		granularity = ServiceLevel
	}
	if granularity != ServiceLevel && granularity != ActionLevel {
		return "", awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at 'granularity' failed to satisfy constraint: Member must satisfy enum value set: [SERVICE_LEVEL, ACTION_LEVEL]", granularity)
	}
	if _, err := s.resolve(ctx, account, arn); err != nil {
		return "", err
	}
	id, err := newJobID()
	if err != nil {
		return "", err
	}
	j := &job{ARN: arn, Granularity: granularity, Created: s.now().UTC().Truncate(time.Second)}
	return id, s.st.Update(ctx, func(tx store.Tx) error { return jobs.Put(tx, account, id, j) })
}

// newJobID is a random job ID in the UUID form AWS's job IDs have.
func newJobID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:4]) + "-" + hex.EncodeToString(b[4:6]) + "-" + hex.EncodeToString(b[6:8]) + "-" + hex.EncodeToString(b[8:10]) + "-" + hex.EncodeToString(b[10:16]), nil
}

// entity is a report's subject: its policies, and the users and roles whose use counts for it.
type entity struct {
	docs    []string
	members []Entity
}

// Entity is a user, role or group that used a service.
type Entity struct {
	ARN, Name, Type, ID, Path string
}

// resolve reads the subject of a report.
func (s *Service) resolve(ctx context.Context, account, arn string) (*entity, error) {
	bad := awserr.New(awserr.InvalidInput, "ARN %s is not valid.", arn)
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return nil, bad
	}
	owner, res, ok := strings.Cut(rest, ":")
	if !ok || (owner != account && !(owner == "aws" && strings.HasPrefix(res, "policy/"))) {
		return nil, bad
	}
	typ, _, _ := strings.Cut(res, "/")
	name := res[strings.LastIndexByte(res, '/')+1:]
	out := &entity{}
	docsOf := func(ptype, id string) error {
		pp, err := s.iam.PrincipalPolicies(ctx, account, ptype, name, id)
		if err != nil {
			return err
		}
		for _, d := range pp.Identity {
			out.docs = append(out.docs, d.Document)
		}
		return nil
	}
	switch typ {
	case "user":
		u, err := s.iam.GetUser(ctx, account, name)
		if err != nil {
			return nil, err
		}
		out.members = []Entity{{u.Arn, u.UserName, "USER", u.UserID, u.Path}}
		return out, docsOf("user", u.UserID)
	case "role":
		r, err := s.iam.GetRole(ctx, account, name)
		if err != nil {
			return nil, err
		}
		out.members = []Entity{{r.Arn, r.RoleName, "ROLE", r.RoleID, r.Path}}
		return out, docsOf("role", r.RoleID)
	case "group":
		g, users, err := s.iam.GetGroup(ctx, account, name, iam.ListOpts{MaxItems: 1000})
		if err != nil {
			return nil, err
		}
		for _, u := range users.Items {
			out.members = append(out.members, Entity{u.Arn, u.UserName, "USER", u.UserID, u.Path})
		}
		return out, docsOf("group", g.GroupID)
	case "policy":
		p, err := s.iam.GetPolicy(ctx, account, arn)
		if err != nil {
			return nil, err
		}
		v, err := s.iam.GetPolicyVersion(ctx, account, arn, p.DefaultVersionID)
		if err != nil {
			return nil, err
		}
		out.docs = []string{v.Document}
		ents, err := s.iam.ListEntitiesForPolicy(ctx, account, arn, "")
		if err != nil {
			return nil, err
		}
		for _, n := range ents.Users {
			if u, err := s.iam.GetUser(ctx, account, n); err == nil {
				out.members = append(out.members, Entity{u.Arn, u.UserName, "USER", u.UserID, u.Path})
			}
		}
		for _, n := range ents.Roles {
			if r, err := s.iam.GetRole(ctx, account, n); err == nil {
				out.members = append(out.members, Entity{r.Arn, r.RoleName, "ROLE", r.RoleID, r.Path})
			}
		}
		for _, n := range ents.Groups {
			if _, users, err := s.iam.GetGroup(ctx, account, n, iam.ListOpts{MaxItems: 1000}); err == nil {
				for _, u := range users.Items {
					out.members = append(out.members, Entity{u.Arn, u.UserName, "USER", u.UserID, u.Path})
				}
			}
		}
		return out, nil
	}
	return nil, bad
}

// ServiceAccess is one service of a report.
type ServiceAccess struct {
	ServiceName, ServiceNamespace string
	LastAuthenticated             *time.Time
	LastAuthenticatedEntity       string
	LastAuthenticatedRegion       string
	TotalAuthenticatedEntities    int
}

// Report is a job's result.
type Report struct {
	JobType   string
	Created   time.Time
	Completed time.Time
	Services  []ServiceAccess
	// users is every member's evidence, for GetServiceLastAccessedDetailsWithEntities.
	members []Entity
	uses    []map[string]access
}

var errNoJob = awserr.New(awserr.NoSuchEntity, "No such job exists.")

// Get computes a job's report. Returns NoSuchEntity for an unknown job ID or an entity deleted
// since.
func (s *Service) Get(ctx context.Context, account, jobID string) (*Report, error) {
	if err := s.Flush(ctx); err != nil {
		return nil, err
	}
	var j *job
	err := s.st.View(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		if j, ok, err = jobs.Get(tx, account, jobID); err == nil && !ok {
			err = errNoJob
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	ent, err := s.resolve(ctx, account, j.ARN)
	if err != nil {
		return nil, err
	}
	r := &Report{JobType: j.Granularity, Created: j.Created, Completed: j.Created, members: ent.members}
	err = s.st.View(ctx, func(tx store.Tx) error {
		for _, m := range ent.members {
			u, err := lastUses(tx, account, m.ARN)
			if err != nil {
				return err
			}
			r.uses = append(r.uses, u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, ns := range allowedNamespaces(ent.docs) {
		sa := ServiceAccess{ServiceName: serviceName(ns), ServiceNamespace: ns}
		for i, m := range ent.members {
			a, ok := r.uses[i][ns]
			if !ok {
				continue
			}
			sa.TotalAuthenticatedEntities++
			if sa.LastAuthenticated == nil || a.Last.After(*sa.LastAuthenticated) {
				t := a.Last
				sa.LastAuthenticated, sa.LastAuthenticatedEntity, sa.LastAuthenticatedRegion = &t, m.ARN, a.Region
			}
		}
		r.Services = append(r.Services, sa)
	}
	return r, nil
}

// EntityAccess is one entity's last use of a service (GetServiceLastAccessedDetailsWithEntities).
type EntityAccess struct {
	Entity
	LastAuthenticated *time.Time
}

// Entities lists the report's users and roles with their last use of the service namespace, most
// recent first, those that never used it last.
func (r *Report) Entities(namespace string) []EntityAccess {
	out := make([]EntityAccess, 0, len(r.members))
	for i, m := range r.members {
		ea := EntityAccess{Entity: m}
		if a, ok := r.uses[i][namespace]; ok {
			t := a.Last
			ea.LastAuthenticated = &t
		}
		out = append(out, ea)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].LastAuthenticated, out[j].LastAuthenticated
		switch {
		case a == nil:
			return false
		case b == nil:
			return true
		}
		return a.After(*b)
	})
	return out
}

// allowedNamespaces are the service namespaces an Allow statement of docs names, sorted: a
// wildcard namespace ("*", "s*") stands for every service it matches in the catalogue.
func allowedNamespaces(docs []string) []string {
	set := map[string]bool{}
	for _, d := range docs {
		p, err := policy.Parse(d, policy.KindIdentity)
		if err != nil {
			continue
		}
		for _, st := range p.Statements {
			if st.Effect != "Allow" {
				continue
			}
			actions := st.Action
			if st.NotAction != nil {
				actions = []string{"*"}
			}
			for _, a := range actions {
				ns, _, _ := strings.Cut(strings.ToLower(a), ":")
				if strings.ContainsAny(ns, "*?") {
					for known := range serviceNames {
						if ok, _ := path.Match(ns, known); ok {
							set[known] = true
						}
					}
					continue
				}
				set[ns] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for ns := range set {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}
