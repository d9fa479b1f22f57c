package iamapi

import (
	"errors"
	"regexp"
	"time"

	"github.com/rootward/rootward/internal/accessadvisor"
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/orgs"
)

// The organizations access report (internal/accessadvisor/orgreport.go): the management account
// asks for an entity of its organization (IAM API Reference, GenerateOrganizationsAccessReport:
// "you must be signed in to the management account in your organization. SCPs must be enabled for
// your organization root"), and reads the report with GetOrganizationsAccessReport. Both are
// authorized on "*": Rootward's authorizer knows no access-report resource type.

var (
	GenerateOrganizationsAccessReport = add(&api.Op[GenerateOrganizationsAccessReportInput, JobOutput]{
		Name: "GenerateOrganizationsAccessReport", Run: generateOrganizationsAccessReport})
	GetOrganizationsAccessReport = add(&api.Op[GetOrganizationsAccessReportInput, OrganizationsAccessReportOutput]{
		Name: "GetOrganizationsAccessReport", Run: getOrganizationsAccessReport})
)

// The patterns of organizationsEntityPathType and organizationsPolicyIdType (IAM API Reference,
// GenerateOrganizationsAccessReport).
var (
	entityPathPattern = regexp.MustCompile(`^o-[0-9a-z]{10,32}/r-[0-9a-z]{4,32}[0-9a-z-/]*$`)
	orgPolicyPattern  = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
)

// GenerateOrganizationsAccessReportInput is GenerateOrganizationsAccessReport's request.
type GenerateOrganizationsAccessReportInput struct {
	EntityPath            string `required:"true"`
	OrganizationsPolicyID string `query:"OrganizationsPolicyId"`
}

// Validate checks the members' lengths and patterns (19–427 characters for the path).
func (in *GenerateOrganizationsAccessReportInput) Validate() error {
	if len(in.EntityPath) < 19 || len(in.EntityPath) > 427 || !entityPathPattern.MatchString(in.EntityPath) {
		return patternError(in.EntityPath, "entityPath", entityPathPattern)
	}
	if in.OrganizationsPolicyID != "" && !orgPolicyPattern.MatchString(in.OrganizationsPolicyID) {
		return patternError(in.OrganizationsPolicyID, "organizationsPolicyId", orgPolicyPattern)
	}
	return nil
}

// patternError is AWS's validation message for a member that fails its pattern.
func patternError(value, member string, re *regexp.Regexp) error {
	return awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", value, member, re.String())
}

// orgScopeError turns orgs.AccessReportScope's errors into IAM's. AWS documents the conditions
// but not the errors' text; the codes and messages are Rootward's choice: AccessDenied (403) when
// the caller is not a management account, InvalidInput for the rest.
func orgScopeError(err error, in *GenerateOrganizationsAccessReportInput) error {
	switch {
	case errors.Is(err, orgs.ErrNotManagement):
		return awserr.New(awserr.AccessDenied, "Organizations access reports can be generated only from the management account of an organization.")
	case errors.Is(err, orgs.ErrSCPsDisabled):
		return awserr.New(awserr.InvalidInput, "Service control policies must be enabled for the organization root to generate an organizations access report.")
	case errors.Is(err, orgs.ErrBadEntityPath):
		return awserr.New(awserr.InvalidInput, "The entity path %s does not name an entity of your organization.", in.EntityPath)
	case errors.Is(err, orgs.ErrNoSuchSCP):
		return awserr.New(awserr.InvalidInput, "The policy %s is not a service control policy of your organization.", in.OrganizationsPolicyID)
	}
	return err
}

func generateOrganizationsAccessReport(c *api.Call, in *GenerateOrganizationsAccessReportInput) (*JobOutput, error) {
	if _, err := c.Orgs.AccessReportScope(c.Ctx, c.Account(), in.EntityPath, in.OrganizationsPolicyID); err != nil {
		return nil, orgScopeError(err, in)
	}
	id, err := c.AccessAdvisor.GenerateOrganizations(c.Ctx, c.Account(), in.EntityPath, in.OrganizationsPolicyID)
	if err != nil {
		return nil, err
	}
	return &JobOutput{JobID: id}, nil
}

// GetOrganizationsAccessReportInput is GetOrganizationsAccessReport's request.
type GetOrganizationsAccessReportInput struct {
	JobID   string `query:"JobId" required:"true"`
	SortKey string
	ListInput
}

// Validate checks SortKey against sortKeyType.
func (in *GetOrganizationsAccessReportInput) Validate() error {
	switch in.SortKey {
	case "", accessadvisor.SortNamespaceAscending, accessadvisor.SortNamespaceDescending, accessadvisor.SortTimeAscending, accessadvisor.SortTimeDescending:
		return nil
	}
	return awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at 'sortKey' failed to satisfy constraint: Member must satisfy enum value set: [SERVICE_NAMESPACE_ASCENDING, SERVICE_NAMESPACE_DESCENDING, LAST_AUTHENTICATED_TIME_ASCENDING, LAST_AUTHENTICATED_TIME_DESCENDING]", in.SortKey)
}

// AccessDetail is the API's AccessDetail.
type AccessDetail struct {
	ServiceName                string     `xml:"ServiceName"`
	ServiceNamespace           string     `xml:"ServiceNamespace"`
	Region                     string     `xml:"Region,omitempty"`
	EntityPath                 string     `xml:"EntityPath,omitempty"`
	LastAuthenticatedTime      *time.Time `xml:"LastAuthenticatedTime,omitempty"`
	TotalAuthenticatedEntities int        `xml:"TotalAuthenticatedEntities"`
}

// ErrorDetails is the API's ErrorDetails: why a job FAILED.
type ErrorDetails struct {
	Message string `xml:"Message"`
	Code    string `xml:"Code"`
}

// OrganizationsAccessReportOutput is GetOrganizationsAccessReport's result.
type OrganizationsAccessReportOutput struct {
	JobStatus                   string         `xml:"JobStatus"`
	JobCreationDate             time.Time      `xml:"JobCreationDate"`
	JobCompletionDate           *time.Time     `xml:"JobCompletionDate,omitempty"`
	NumberOfServicesAccessible  *int           `xml:"NumberOfServicesAccessible,omitempty"`
	NumberOfServicesNotAccessed *int           `xml:"NumberOfServicesNotAccessed,omitempty"`
	AccessDetails               []AccessDetail `xml:"AccessDetails>member,omitempty"`
	Paged
	ErrorDetails *ErrorDetails `xml:"ErrorDetails,omitempty"`
}

func getOrganizationsAccessReport(c *api.Call, in *GetOrganizationsAccessReportInput) (*OrganizationsAccessReportOutput, error) {
	j, err := c.AccessAdvisor.OrganizationsJob(c.Ctx, c.Account(), in.JobID)
	if err != nil {
		return nil, err
	}
	created := j.Created
	out := &OrganizationsAccessReportOutput{JobCreationDate: created, JobCompletionDate: &created}
	scope, err := c.Orgs.AccessReportScope(c.Ctx, c.Account(), j.EntityPath, j.PolicyID)
	if err != nil {
		// The organization changed since the report was asked for: the job failed, as AWS's
		// ErrorDetails say (the code is the IAM error the request would answer now).
		var ae *awserr.Error
		if errors.As(orgScopeError(err, &GenerateOrganizationsAccessReportInput{EntityPath: j.EntityPath, OrganizationsPolicyID: j.PolicyID}), &ae) {
			out.JobStatus, out.ErrorDetails = "FAILED", &ErrorDetails{Message: ae.Message, Code: string(ae.Code)}
			return out, nil
		}
		return nil, err
	}
	report, err := c.AccessAdvisor.OrganizationsReport(c.Ctx, scope, in.SortKey)
	if err != nil {
		return nil, err
	}
	// NumberOfServicesAccessible counts the services the SCPs allow, NumberOfServicesNotAccessed
	// those of them no principal used (IAM API Reference, GetOrganizationsAccessReport).
	accessible, notAccessed := len(report), 0
	for _, a := range report {
		if a.LastAuthenticated == nil {
			notAccessed++
		}
	}
	out.JobStatus, out.NumberOfServicesAccessible, out.NumberOfServicesNotAccessed = jobCompleted, &accessible, &notAccessed
	start, end, paged, err := slicePage(len(report), in.ListInput)
	if err != nil {
		return nil, err
	}
	out.Paged = paged
	for _, a := range report[start:end] {
		out.AccessDetails = append(out.AccessDetails, AccessDetail{ServiceName: a.ServiceName, ServiceNamespace: a.ServiceNamespace,
			Region: a.Region, EntityPath: a.EntityPath, LastAuthenticatedTime: a.LastAuthenticated, TotalAuthenticatedEntities: a.TotalAuthenticatedEntities})
	}
	return out, nil
}
