package accessadvisor

import (
	"context"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// The organizations access report (IAM API Reference, GenerateOrganizationsAccessReport,
// GetOrganizationsAccessReport; IAM User Guide, "Viewing last accessed information for
// Organizations"): for an entity of the organization — its root, an OU or an account — the
// services the SCPs in effect there allow (or one SCP allows, when the report names it), and when
// a principal of an account below the entity last used each. As the entity reports, it is
// computed from the evidence when read, so its job is COMPLETED from the start; an entity that no
// longer exists when the report is read makes the job FAILED with an ErrorDetails.
//
// The evidence is that of IAM users and roles (Observe): the root user's calls are not counted.

// OrgJob is a requested organizations access report.
type OrgJob struct {
	EntityPath string    `json:"path"`
	PolicyID   string    `json:"policy,omitempty"`
	Created    time.Time `json:"created"`
}

var orgJobs = store.Define(store.Kind[OrgJob]{Name: "accessadvisor.orgjob", Version: 1})

// GenerateOrganizations stores a report request on entityPath (already resolved by
// orgs.AccessReportScope) and returns its job ID.
func (s *Service) GenerateOrganizations(ctx context.Context, account, entityPath, policyID string) (string, error) {
	id, err := newJobID()
	if err != nil {
		return "", err
	}
	j := &OrgJob{EntityPath: entityPath, PolicyID: policyID, Created: s.now().UTC().Truncate(time.Second)}
	return id, s.st.Update(ctx, func(tx store.Tx) error { return orgJobs.Put(tx, account, id, j) })
}

// OrganizationsJob reads a report request; NoSuchEntity for an unknown job ID.
func (s *Service) OrganizationsJob(ctx context.Context, account, jobID string) (*OrgJob, error) {
	var j *OrgJob
	err := s.st.View(ctx, func(tx store.Tx) error {
		var ok bool
		var err error
		if j, ok, err = orgJobs.Get(tx, account, jobID); err == nil && !ok {
			err = errNoJob
		}
		return err
	})
	return j, err
}

// OrgAccess is one service of an organizations access report.
type OrgAccess struct {
	ServiceName, ServiceNamespace string
	// LastAuthenticated, Region and EntityPath are those of the most recent use, nil and empty
	// when no principal below the entity used the service.
	LastAuthenticated *time.Time
	Region            string
	EntityPath        string
	// TotalAuthenticatedEntities is the number of accounts whose principals used the service.
	TotalAuthenticatedEntities int
}

// Sort keys of an organizations access report (sortKeyType).
const (
	SortNamespaceAscending  = "SERVICE_NAMESPACE_ASCENDING"
	SortNamespaceDescending = "SERVICE_NAMESPACE_DESCENDING"
	SortTimeAscending       = "LAST_AUTHENTICATED_TIME_ASCENDING"
	SortTimeDescending      = "LAST_AUTHENTICATED_TIME_DESCENDING"
)

// OrganizationsReport computes the report of scope, sorted by sortKey (namespace ascending when
// empty; services never used come last in either time order, Rootward's choice: AWS's order for
// them is not documented).
func (s *Service) OrganizationsReport(ctx context.Context, scope *orgs.AccessScope, sortKey string) ([]OrgAccess, error) {
	if err := s.Flush(ctx); err != nil {
		return nil, err
	}
	allowed := scopeNamespaces(scope.Levels)
	out := make([]OrgAccess, len(allowed))
	index := map[string]int{}
	for i, ns := range allowed {
		out[i] = OrgAccess{ServiceName: serviceName(ns), ServiceNamespace: ns}
		index[ns] = i
	}
	err := s.st.View(ctx, func(tx store.Tx) error {
		for _, a := range scope.Accounts {
			used, err := accountUses(tx, a.ID)
			if err != nil {
				return err
			}
			for ns, last := range used {
				i, ok := index[ns]
				if !ok {
					continue
				}
				o := &out[i]
				o.TotalAuthenticatedEntities++
				if o.LastAuthenticated == nil || last.Last.After(*o.LastAuthenticated) {
					t := last.Last
					o.LastAuthenticated, o.Region, o.EntityPath = &t, last.Region, a.Path
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortOrgAccess(out, sortKey)
	return out, nil
}

func sortOrgAccess(out []OrgAccess, sortKey string) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch sortKey {
		case SortNamespaceDescending:
			return a.ServiceNamespace > b.ServiceNamespace
		case SortTimeAscending, SortTimeDescending:
			switch {
			case a.LastAuthenticated == nil:
				return false
			case b.LastAuthenticated == nil:
				return true
			case sortKey == SortTimeAscending:
				return a.LastAuthenticated.Before(*b.LastAuthenticated)
			}
			return a.LastAuthenticated.After(*b.LastAuthenticated)
		}
		return a.ServiceNamespace < b.ServiceNamespace
	})
}

// accountUses is the latest use of each service by any user or role of the account.
func accountUses(tx store.Tx, account string) (map[string]access, error) {
	out := map[string]access{}
	return out, eachUse(tx, account, "", func(ns string, a *access) {
		if cur, ok := out[ns]; !ok || a.Last.After(cur.Last) {
			out[ns] = *a
		}
	})
}

// scopeNamespaces are the services every level allows: an SCP level allows what any of its
// documents allows, and a request must be allowed at every level (Organizations User Guide,
// "SCP evaluation").
func scopeNamespaces(levels [][]string) []string {
	var out []string
	for i, level := range levels {
		ns := allowedNamespaces(level)
		if i == 0 {
			out = ns
			continue
		}
		out = slices.DeleteFunc(out, func(n string) bool { _, found := slices.BinarySearch(ns, n); return !found })
	}
	return out
}

// GrantsService reports whether a policy document has an Allow statement whose actions (or
// NotAction) can match an action of the service namespace ns (ListPoliciesGrantingServiceAccess).
func GrantsService(document, ns string) bool {
	p, err := policy.Parse(document, policy.KindIdentity)
	if err != nil {
		return false
	}
	ns = strings.ToLower(ns)
	for _, st := range p.Statements {
		if st.Effect != "Allow" {
			continue
		}
		if st.NotAction != nil {
			// NotAction allows every action it does not name: the service is granted unless
			// NotAction names all of its actions ("*", "sts:*").
			if !excludesService(st.NotAction, ns) {
				return true
			}
			continue
		}
		for _, a := range st.Action {
			pat, _, _ := strings.Cut(strings.ToLower(a), ":")
			if ok, _ := path.Match(pat, ns); ok {
				return true
			}
		}
	}
	return false
}

// excludesService reports whether a NotAction list names every action of namespace ns.
func excludesService(notActions []string, ns string) bool {
	for _, a := range notActions {
		a = strings.ToLower(a)
		if a == "*" {
			return true
		}
		pat, rest, _ := strings.Cut(a, ":")
		if ok, _ := path.Match(pat, ns); ok && strings.Trim(rest, "*") == "" {
			return true
		}
	}
	return false
}
