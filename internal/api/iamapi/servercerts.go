package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Server certificates: Upload/Get/List/Update/DeleteServerCertificate and their tags. The
// resource is arn:aws:iam::ACCOUNT:server-certificate/PATH/NAME, read with the certificate's path
// and tags (aws:ResourceTag/*); a certificate that cannot be read fails the call (cannotRead).

func serverCertARN(c *api.Call, name string) string {
	if name == "" {
		return arnOf(c, "server-certificate", "")
	}
	sc, err := c.IAM.GetServerCertificate(c.Ctx, c.Account(), name)
	if err != nil {
		if _, public := awserr.As(err); !public {
			cannotRead(c, err)
		}
		return arnOf(c, "server-certificate", name)
	}
	c.Facts = &iam.ResourceFacts{Kind: "server-certificate", ARN: sc.Arn, Tags: sc.Tags}
	return sc.Arn
}

// ServerCertificateMetadata is IAM's ServerCertificateMetadata.
type ServerCertificateMetadata struct {
	Path                  string        `xml:"Path"`
	ServerCertificateName string        `xml:"ServerCertificateName"`
	ServerCertificateID   string        `xml:"ServerCertificateId"`
	Arn                   string        `xml:"Arn"`
	UploadDate            awsproto.Time `xml:"UploadDate"`
	Expiration            awsproto.Time `xml:"Expiration"`
}

func serverCertMetadataOf(sc *iam.ServerCertificate) ServerCertificateMetadata {
	return ServerCertificateMetadata{sc.Path, sc.ServerCertificateName, sc.ServerCertificateID, sc.Arn,
		awsproto.Time(sc.UploadDate), awsproto.Time(sc.Expiration)}
}

var UploadServerCertificate = add(&api.Op[UploadServerCertificateInput, UploadServerCertificateOutput]{
	Name: "UploadServerCertificate",
	Resource: func(c *api.Call, in *UploadServerCertificateInput) string {
		return newEntityARN(c, "server-certificate", in.Path, in.ServerCertificateName)
	},
	Keys: func(c *api.Call, in *UploadServerCertificateInput) (authz.Keys, error) {
		return tagRequestKeys(in.Tags), nil
	},
	Run: func(c *api.Call, in *UploadServerCertificateInput) (*UploadServerCertificateOutput, error) {
		sc, err := c.IAM.UploadServerCertificate(c.Ctx, c.Account(), iam.UploadServerCertificateInput{
			Name: in.ServerCertificateName, Path: in.Path, Body: in.CertificateBody, PrivateKey: in.PrivateKey,
			Chain: in.CertificateChain, Tags: in.Tags})
		if err != nil {
			return nil, err
		}
		return &UploadServerCertificateOutput{Metadata: serverCertMetadataOf(sc), Tags: sc.Tags}, nil
	},
})

// UploadServerCertificateInput is UploadServerCertificate's request. PrivateKey is never shown in
// CloudTrail (internal/api/audit.go).
type UploadServerCertificateInput struct {
	ServerCertificateName string `required:"true"`
	Path                  string
	CertificateBody       string `required:"true"`
	PrivateKey            string `required:"true"`
	CertificateChain      string
	Tags                  []iam.Tag
}

// UploadServerCertificateOutput is the certificate's metadata and tags.
type UploadServerCertificateOutput struct {
	Metadata ServerCertificateMetadata `xml:"ServerCertificateMetadata"`
	Tags     iam.TagList               `xml:"Tags,omitempty"`
}

// ServerCertificateNameInput names a certificate.
type ServerCertificateNameInput struct {
	ServerCertificateName string `required:"true"`
}

var GetServerCertificate = add(&api.Op[ServerCertificateNameInput, GetServerCertificateOutput]{
	Name: "GetServerCertificate",
	Resource: func(c *api.Call, in *ServerCertificateNameInput) string {
		return serverCertARN(c, in.ServerCertificateName)
	},
	Run: func(c *api.Call, in *ServerCertificateNameInput) (*GetServerCertificateOutput, error) {
		sc, err := c.IAM.GetServerCertificate(c.Ctx, c.Account(), in.ServerCertificateName)
		if err != nil {
			return nil, err
		}
		out := &GetServerCertificateOutput{}
		out.ServerCertificate.Metadata = serverCertMetadataOf(sc)
		out.ServerCertificate.CertificateBody = sc.CertificateBody
		out.ServerCertificate.CertificateChain = sc.CertificateChain
		out.ServerCertificate.Tags = sc.Tags
		return out, nil
	},
})

// GetServerCertificateOutput is the certificate, its chain and tags; never its private key.
type GetServerCertificateOutput struct {
	ServerCertificate struct {
		Metadata         ServerCertificateMetadata `xml:"ServerCertificateMetadata"`
		CertificateBody  string                    `xml:"CertificateBody"`
		CertificateChain string                    `xml:"CertificateChain,omitempty"`
		Tags             iam.TagList               `xml:"Tags,omitempty"`
	} `xml:"ServerCertificate"`
}

var ListServerCertificates = add(&api.Op[ListServerCertificatesInput, ListServerCertificatesOutput]{
	Name: "ListServerCertificates",
	Run: func(c *api.Call, in *ListServerCertificatesInput) (*ListServerCertificatesOutput, error) {
		p, err := c.IAM.ListServerCertificates(c.Ctx, c.Account(), in.PathPrefix, in.Opts())
		if err != nil {
			return nil, err
		}
		out := &ListServerCertificatesOutput{List: make([]ServerCertificateMetadata, len(p.Items)), Paged: PageOf(p)}
		for i := range p.Items {
			out.List[i] = serverCertMetadataOf(&p.Items[i])
		}
		return out, nil
	},
})

// ListServerCertificatesInput is ListServerCertificates' request.
type ListServerCertificatesInput struct {
	PathPrefix string
	ListInput
}

// ListServerCertificatesOutput is a page of certificates' metadata.
type ListServerCertificatesOutput struct {
	List []ServerCertificateMetadata `xml:"ServerCertificateMetadataList>member"`
	Paged
}

var UpdateServerCertificate = add(&api.Op[UpdateServerCertificateInput, struct{}]{
	Name: "UpdateServerCertificate",
	Resource: func(c *api.Call, in *UpdateServerCertificateInput) string {
		return serverCertARN(c, in.ServerCertificateName)
	},
	Run: func(c *api.Call, in *UpdateServerCertificateInput) (*struct{}, error) {
		return nil, c.IAM.UpdateServerCertificate(c.Ctx, c.Account(), in.ServerCertificateName, in.NewServerCertificateName, in.NewPath)
	},
})

// UpdateServerCertificateInput renames or moves a certificate.
type UpdateServerCertificateInput struct {
	ServerCertificateName    string `required:"true"`
	NewServerCertificateName string
	NewPath                  string
}

var DeleteServerCertificate = add(&api.Op[ServerCertificateNameInput, struct{}]{
	Name: "DeleteServerCertificate",
	Resource: func(c *api.Call, in *ServerCertificateNameInput) string {
		return serverCertARN(c, in.ServerCertificateName)
	},
	Run: func(c *api.Call, in *ServerCertificateNameInput) (*struct{}, error) {
		return nil, c.IAM.DeleteServerCertificate(c.Ctx, c.Account(), in.ServerCertificateName)
	},
})

var TagServerCertificate = add(&api.Op[TagServerCertificateInput, struct{}]{
	Name: "TagServerCertificate",
	Resource: func(c *api.Call, in *TagServerCertificateInput) string {
		return serverCertARN(c, in.ServerCertificateName)
	},
	Keys: func(c *api.Call, in *TagServerCertificateInput) (authz.Keys, error) {
		return tagRequestKeys(in.Tags), nil
	},
	Run: func(c *api.Call, in *TagServerCertificateInput) (*struct{}, error) {
		return nil, c.IAM.TagServerCertificate(c.Ctx, c.Account(), in.ServerCertificateName, in.Tags)
	},
})

// TagServerCertificateInput is TagServerCertificate's request.
type TagServerCertificateInput struct {
	ServerCertificateName string    `required:"true"`
	Tags                  []iam.Tag `required:"true"`
}

var UntagServerCertificate = add(&api.Op[UntagServerCertificateInput, struct{}]{
	Name: "UntagServerCertificate",
	Resource: func(c *api.Call, in *UntagServerCertificateInput) string {
		return serverCertARN(c, in.ServerCertificateName)
	},
	Keys: func(c *api.Call, in *UntagServerCertificateInput) (authz.Keys, error) {
		return untagKeys(in.TagKeys), nil
	},
	Run: func(c *api.Call, in *UntagServerCertificateInput) (*struct{}, error) {
		return nil, c.IAM.UntagServerCertificate(c.Ctx, c.Account(), in.ServerCertificateName, in.TagKeys)
	},
})

// UntagServerCertificateInput is UntagServerCertificate's request.
type UntagServerCertificateInput struct {
	ServerCertificateName string   `required:"true"`
	TagKeys               []string `required:"true"`
}

var ListServerCertificateTags = add(&api.Op[ListServerCertificateTagsInput, TagsOutput]{
	Name: "ListServerCertificateTags",
	Resource: func(c *api.Call, in *ListServerCertificateTagsInput) string {
		return serverCertARN(c, in.ServerCertificateName)
	},
	Run: func(c *api.Call, in *ListServerCertificateTagsInput) (*TagsOutput, error) {
		sc, err := c.IAM.GetServerCertificate(c.Ctx, c.Account(), in.ServerCertificateName)
		if err != nil {
			return nil, err
		}
		return tagsPage(sc.Tags, in.ListInput)
	},
})

// ListServerCertificateTagsInput is ListServerCertificateTags' request.
type ListServerCertificateTagsInput struct {
	ServerCertificateName string `required:"true"`
	ListInput
}
