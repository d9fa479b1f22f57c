package iamapi

import (
	"strconv"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
)

// The access advisor (internal/accessadvisor): when the services an entity's policies allow were
// last used, computed from the trail (IAM API Reference, GenerateServiceLastAccessedDetails,
// GetServiceLastAccessedDetails, GetServiceLastAccessedDetailsWithEntities). A report is computed
// when read, so its job is COMPLETED from the start.

var (
	GenerateServiceLastAccessedDetails = api.Add(&ops, &api.Op[GenerateServiceLastAccessedDetailsInput, JobOutput]{
		Name:     "GenerateServiceLastAccessedDetails",
		Resource: func(_ *api.Call, in *GenerateServiceLastAccessedDetailsInput) string { return in.Arn },
		Run:      generateServiceLastAccessedDetails})
	GetServiceLastAccessedDetails = api.Add(&ops, &api.Op[GetServiceLastAccessedDetailsInput, ServiceLastAccessedOutput]{
		Name: "GetServiceLastAccessedDetails", Run: getServiceLastAccessedDetails})
	GetServiceLastAccessedDetailsWithEntities = api.Add(&ops, &api.Op[GetServiceLastAccessedDetailsWithEntitiesInput, EntitiesLastAccessedOutput]{
		Name: "GetServiceLastAccessedDetailsWithEntities", Run: getServiceLastAccessedDetailsWithEntities})
)

// GenerateServiceLastAccessedDetailsInput is GenerateServiceLastAccessedDetails' request.
type GenerateServiceLastAccessedDetailsInput struct {
	Arn         string `required:"true"`
	Granularity string
}

// JobOutput is GenerateServiceLastAccessedDetails' result.
type JobOutput struct {
	JobID string `xml:"JobId"`
}

func generateServiceLastAccessedDetails(c *api.Call, in *GenerateServiceLastAccessedDetailsInput) (*JobOutput, error) {
	id, err := c.AccessAdvisor.Generate(c.Ctx, c.Account(), in.Arn, in.Granularity)
	if err != nil {
		return nil, err
	}
	return &JobOutput{JobID: id}, nil
}

// GetServiceLastAccessedDetailsInput is GetServiceLastAccessedDetails' request.
type GetServiceLastAccessedDetailsInput struct {
	JobID string `query:"JobId" required:"true"`
	ListInput
}

// ServiceLastAccessed is the API's ServiceLastAccessed.
type ServiceLastAccessed struct {
	ServiceName                string     `xml:"ServiceName"`
	LastAuthenticated          *time.Time `xml:"LastAuthenticated,omitempty"`
	ServiceNamespace           string     `xml:"ServiceNamespace"`
	LastAuthenticatedEntity    string     `xml:"LastAuthenticatedEntity,omitempty"`
	LastAuthenticatedRegion    string     `xml:"LastAuthenticatedRegion,omitempty"`
	TotalAuthenticatedEntities int        `xml:"TotalAuthenticatedEntities"`
}

// ServiceLastAccessedOutput is GetServiceLastAccessedDetails' result.
type ServiceLastAccessedOutput struct {
	JobStatus            string                `xml:"JobStatus"`
	JobType              string                `xml:"JobType"`
	JobCreationDate      time.Time             `xml:"JobCreationDate"`
	ServicesLastAccessed []ServiceLastAccessed `xml:"ServicesLastAccessed>member"`
	JobCompletionDate    time.Time             `xml:"JobCompletionDate"`
	Paged
}

const jobCompleted = "COMPLETED"

func getServiceLastAccessedDetails(c *api.Call, in *GetServiceLastAccessedDetailsInput) (*ServiceLastAccessedOutput, error) {
	r, err := c.AccessAdvisor.Get(c.Ctx, c.Account(), in.JobID)
	if err != nil {
		return nil, err
	}
	start, end, paged, err := slicePage(len(r.Services), in.ListInput)
	if err != nil {
		return nil, err
	}
	out := &ServiceLastAccessedOutput{JobStatus: jobCompleted, JobType: r.JobType, JobCreationDate: r.Created,
		JobCompletionDate: r.Completed, ServicesLastAccessed: []ServiceLastAccessed{}, Paged: paged}
	for _, s := range r.Services[start:end] {
		out.ServicesLastAccessed = append(out.ServicesLastAccessed, ServiceLastAccessed{s.ServiceName, s.LastAuthenticated,
			s.ServiceNamespace, s.LastAuthenticatedEntity, s.LastAuthenticatedRegion, s.TotalAuthenticatedEntities})
	}
	return out, nil
}

// GetServiceLastAccessedDetailsWithEntitiesInput is GetServiceLastAccessedDetailsWithEntities'
// request.
type GetServiceLastAccessedDetailsWithEntitiesInput struct {
	JobID            string `query:"JobId" required:"true"`
	ServiceNamespace string `required:"true"`
	ListInput
}

// EntityInfo is the API's EntityInfo.
type EntityInfo struct {
	Arn  string `xml:"Arn"`
	Name string `xml:"Name"`
	Type string `xml:"Type"`
	ID   string `xml:"Id"`
	Path string `xml:"Path,omitempty"`
}

// EntityDetails is the API's EntityDetails.
type EntityDetails struct {
	EntityInfo        EntityInfo `xml:"EntityInfo"`
	LastAuthenticated *time.Time `xml:"LastAuthenticated,omitempty"`
}

// EntitiesLastAccessedOutput is GetServiceLastAccessedDetailsWithEntities' result.
type EntitiesLastAccessedOutput struct {
	JobStatus         string          `xml:"JobStatus"`
	JobCreationDate   time.Time       `xml:"JobCreationDate"`
	JobCompletionDate time.Time       `xml:"JobCompletionDate"`
	EntityDetailsList []EntityDetails `xml:"EntityDetailsList>member"`
	Paged
}

func getServiceLastAccessedDetailsWithEntities(c *api.Call, in *GetServiceLastAccessedDetailsWithEntitiesInput) (*EntitiesLastAccessedOutput, error) {
	r, err := c.AccessAdvisor.Get(c.Ctx, c.Account(), in.JobID)
	if err != nil {
		return nil, err
	}
	known := false
	for _, s := range r.Services {
		known = known || s.ServiceNamespace == in.ServiceNamespace
	}
	if !known {
		return nil, awserr.New(awserr.InvalidInput, "The service namespace %s is not among the services the report's policies allow.", in.ServiceNamespace)
	}
	ents := r.Entities(in.ServiceNamespace)
	start, end, paged, err := slicePage(len(ents), in.ListInput)
	if err != nil {
		return nil, err
	}
	out := &EntitiesLastAccessedOutput{JobStatus: jobCompleted, JobCreationDate: r.Created, JobCompletionDate: r.Completed,
		EntityDetailsList: []EntityDetails{}, Paged: paged}
	for _, e := range ents[start:end] {
		out.EntityDetailsList = append(out.EntityDetailsList, EntityDetails{
			EntityInfo: EntityInfo{e.ARN, e.Name, e.Type, e.ID, e.Path}, LastAuthenticated: e.LastAuthenticated})
	}
	return out, nil
}

// slicePage pages a list computed whole: the marker is the index of the page's first item (the
// Runner seals it). MaxItems defaults to 100.
func slicePage(n int, in ListInput) (start, end int, p Paged, err error) {
	if in.Marker != "" {
		start, err = strconv.Atoi(in.Marker)
		if err != nil || start < 0 || start > n {
			return 0, 0, p, awserr.New(awserr.InvalidInput, "Invalid Marker.")
		}
	}
	size := in.MaxItems
	if size == 0 {
		size = 100
	}
	end = min(start+size, n)
	if end < n {
		p = Paged{IsTruncated: true, Marker: strconv.Itoa(end)}
	}
	return start, end, p, nil
}
