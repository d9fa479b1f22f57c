// Package snsapi is Amazon SNS over awsQuery (xmlns http://sns.amazonaws.com/doc/2010-03-31/):
// one typed operation per API action, declared in the file of the entity it acts on (topics.go,
// subscriptions.go, publish.go, tags.go), over internal/sns. Member names and shapes follow the
// SNS API Reference and the aws-sdk-go-v2 service/sns model.
//
// Authorization (authz.go) is the action "sns:<Op>" with the resources and condition keys of the
// Service Authorization Reference, "Actions, resources, and condition keys for Amazon SNS"
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html): the
// topic ARN for the actions on a topic, evaluated with the topic's access policy as the
// resource-based policy (same-account and cross-account rules), "*" for the others. Denials are
// SNS's AuthorizationError.
package snsapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/sns"
)

// Namespace is the XML namespace of SNS's answers.
const Namespace = sns.Namespace

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns SNS's descriptor with every operation. SNS's internal error stays the
// registered InternalFailure (500) until SNS's codes join the wire registry (AWS's is
// InternalError).
func Service() *api.Service {
	return &api.Service{
		Name: "sns", Protocol: awsproto.AWSQuery, XMLNamespace: Namespace,
		// SNS documents no error for a NextToken it did not issue; Rootward answers InvalidParameter
		// naming the member, the form of SNS's other member errors.
		InvalidPageToken: func() error { return sns.Errorf(sns.CodeInvalidParameter, "Invalid parameter: NextToken") },
		Ops:              ops,
	}
}

// Paged is the tail of SNS's list results: the position after the page, which the Runner seals
// into the NextToken sent; absent on the last page.
type Paged struct {
	NextToken string `xml:"NextToken,omitempty" page:"token"`
}

// ListInput is the paging member of SNS's list actions (100 items a page, not settable).
type ListInput struct {
	NextToken string `page:"token"`
}

// Attributes is an attribute map as awsQuery encodes it: <entry><key/><value/></entry>.
type Attributes struct {
	Entries []AttributeEntry `xml:"entry"`
}

// AttributeEntry is one entry of Attributes.
type AttributeEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func attributesOf(m map[string]string) Attributes {
	out := Attributes{Entries: make([]AttributeEntry, 0, len(m))}
	for _, k := range sortedKeys(m) {
		out.Entries = append(out.Entries, AttributeEntry{k, m[k]})
	}
	return out
}

// Tag is a tag as SNS's requests and answers carry it.
type Tag struct {
	Key   string `xml:"Key" required:"true"`
	Value string `xml:"Value"`
}

func domainTags(tags []Tag) []sns.Tag {
	out := make([]sns.Tag, len(tags))
	for i, t := range tags {
		out[i] = sns.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func wireTags(tags []sns.Tag) []Tag {
	out := make([]Tag, len(tags))
	for i, t := range tags {
		out[i] = Tag{Key: t.Key, Value: t.Value}
	}
	return out
}
