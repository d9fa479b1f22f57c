package iamapi

import (
	"regexp"
	"strings"

	"github.com/rootward/rootward/internal/accessadvisor"
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
)

// ListPoliciesGrantingServiceAccess lists, for each service namespace asked, the policies of a
// user (its groups' included), group or role that allow an action of that service (IAM API
// Reference, ListPoliciesGrantingServiceAccess): a managed policy by name and ARN, an inline one
// by name and the entity it is attached to. The whole answer is one page: the operation has no
// MaxItems, and at most 200 namespaces are asked.
var ListPoliciesGrantingServiceAccess = api.Add(&ops, &api.Op[ListPoliciesGrantingServiceAccessInput, PoliciesGrantingServiceAccessOutput]{
	Name:     "ListPoliciesGrantingServiceAccess",
	Resource: func(_ *api.Call, in *ListPoliciesGrantingServiceAccessInput) string { return in.Arn },
	Run:      listPoliciesGrantingServiceAccess})

// ListPoliciesGrantingServiceAccessInput is ListPoliciesGrantingServiceAccess' request.
type ListPoliciesGrantingServiceAccessInput struct {
	Arn               string   `required:"true"`
	ServiceNamespaces []string `required:"true"`
	Marker            string   `page:"token"`
}

// serviceNamespacePattern is serviceNamespaceType's (1–64 characters).
var serviceNamespacePattern = regexp.MustCompile(`^[\w-]*$`)

// Validate checks the namespaces: 1–200 of them, each 1–64 characters of serviceNamespaceType.
func (in *ListPoliciesGrantingServiceAccessInput) Validate() error {
	if n := len(in.ServiceNamespaces); n < 1 || n > 200 {
		return awserr.New(awserr.ValidationError, "1 validation error detected: Value at 'serviceNamespaces' failed to satisfy constraint: Member must have length less than or equal to 200 and greater than or equal to 1")
	}
	for _, ns := range in.ServiceNamespaces {
		if ns == "" || len(ns) > 64 || !serviceNamespacePattern.MatchString(ns) {
			return patternError(ns, "serviceNamespaces", serviceNamespacePattern)
		}
	}
	return nil
}

// PolicyGrantingServiceAccess is the API's PolicyGrantingServiceAccess.
type PolicyGrantingServiceAccess struct {
	PolicyName string `xml:"PolicyName"`
	PolicyType string `xml:"PolicyType"`
	PolicyArn  string `xml:"PolicyArn,omitempty"`
	EntityType string `xml:"EntityType,omitempty"`
	EntityName string `xml:"EntityName,omitempty"`
}

// ServicePolicies is the API's ListPoliciesGrantingServiceAccessEntry.
type ServicePolicies struct {
	ServiceNamespace string                        `xml:"ServiceNamespace"`
	Policies         []PolicyGrantingServiceAccess `xml:"Policies>member"`
}

// PoliciesGrantingServiceAccessOutput is ListPoliciesGrantingServiceAccess' result.
type PoliciesGrantingServiceAccessOutput struct {
	PoliciesGrantingServiceAccess []ServicePolicies `xml:"PoliciesGrantingServiceAccess>member"`
	Paged
}

func listPoliciesGrantingServiceAccess(c *api.Call, in *ListPoliciesGrantingServiceAccessInput) (*PoliciesGrantingServiceAccessOutput, error) {
	bad := awserr.New(awserr.InvalidInput, "ARN %s is not valid.", in.Arn)
	rest, ok := strings.CutPrefix(in.Arn, arn.IAMPrefix(c.Account()))
	if !ok {
		return nil, bad
	}
	typ, _, _ := strings.Cut(rest, "/")
	if typ != "user" && typ != "group" && typ != "role" || !strings.Contains(rest, "/") {
		return nil, bad
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	policies, err := c.IAM.PoliciesApplying(c.Ctx, c.Account(), typ, name)
	if err != nil {
		return nil, err
	}
	out := &PoliciesGrantingServiceAccessOutput{PoliciesGrantingServiceAccess: []ServicePolicies{}}
	for _, ns := range in.ServiceNamespaces {
		entry := ServicePolicies{ServiceNamespace: ns, Policies: []PolicyGrantingServiceAccess{}}
		seen := map[string]bool{} // a managed policy attached to the user and one of its groups is listed once
		for _, p := range policies {
			if !accessadvisor.GrantsService(p.Document, ns) || (p.Arn != "" && seen[p.Arn]) {
				continue
			}
			seen[p.Arn] = p.Arn != ""
			g := PolicyGrantingServiceAccess{PolicyName: p.Name, PolicyType: "MANAGED", PolicyArn: p.Arn}
			if p.Arn == "" {
				g.PolicyType, g.EntityType, g.EntityName = "INLINE", strings.ToUpper(p.EntityType), p.EntityName
			}
			entry.Policies = append(entry.Policies, g)
		}
		out.PoliciesGrantingServiceAccess = append(out.PoliciesGrantingServiceAccess, entry)
	}
	return out, nil
}
