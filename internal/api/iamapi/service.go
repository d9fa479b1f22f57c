// Package iamapi is AWS Identity and Access Management over awsQuery: one typed operation per IAM
// API action, declared in the file of the entity it acts on (users.go, roles.go, …). Shapes follow
// the IAM API Reference and the aws-sdk-go-v2 service/iam deserializers (e.g.
// awsAwsquery_deserializeOpDocumentCreateUserOutput).
package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Namespace is the XML namespace of IAM's responses (the xmlNamespace trait of the IAM Smithy
// model; Smithy, "AWS query protocol", https://smithy.io/2.0/aws/protocols/aws-query-protocol.html).
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns IAM's descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "iam", Protocol: awsproto.AWSQuery, XMLNamespace: Namespace, InternalCode: awserr.ServiceFailure,
		// IAM documents no error for a bad Marker; it answers "Invalid Marker." (AWS's wording as
		// reported by users, e.g. trek10inc/awsets#21, where a ListUsers Marker given to
		// ListAccessKeys was refused), with the code InvalidInput, Rootward's choice: the exact
		// code is not documented.
		InvalidPageToken: func() error { return awserr.New(awserr.InvalidInput, "Invalid Marker.") },
		Ops:              ops,
	}
}

// ListInput is the paging members of IAM's list operations: MaxItems is 1–1000 (IAM API
// reference, maxItemsType); Marker is the token of the page before.
type ListInput struct {
	Marker   string `page:"token"`
	MaxItems int    `page:"size" min:"1" max:"1000"`
}

// Opts is the paging request for internal/iam.
func (l ListInput) Opts() iam.ListOpts { return iam.ListOpts{Marker: l.Marker, MaxItems: l.MaxItems} }

// Paged is the common tail of IAM list results.
type Paged struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty" page:"token"`
}

// writeXML writes p as encoding/xml marshals it, for a result that writes itself
// (awsproto.ResultWriter).
func (p Paged) writeXML(w *awsproto.XMLWriter) {
	w.Bool("IsTruncated", p.IsTruncated)
	if p.Marker != "" {
		w.String("Marker", p.Marker)
	}
}

// PageOf is the tail of a page of results.
func PageOf[T any](p iam.Page[T]) Paged { return Paged{IsTruncated: p.IsTruncated, Marker: p.Marker} }
