package iamapi

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// Identity providers: SAML providers and OpenID Connect providers, which AssumeRoleWithSAML and
// AssumeRoleWithWebIdentity trust (internal/api/stsapi). Each operation acts on the provider's
// ARN (the Service Authorization Reference's saml-provider and oidc-provider resource types), with
// the provider's tags as aws:ResourceTag/* (add), and the tags a request passes as
// aws:RequestTag/* and aws:TagKeys.

var CreateSAMLProvider = add(&api.Op[CreateSAMLProviderInput, CreateSAMLProviderOutput]{
	Name: "CreateSAMLProvider",
	Resource: func(c *api.Call, in *CreateSAMLProviderInput) string {
		return arn.SAMLProvider(c.Account(), in.Name)
	},
	Keys: func(c *api.Call, in *CreateSAMLProviderInput) (authz.Keys, error) {
		return tagRequestKeys(in.Tags), nil
	},
	Run: createSAMLProvider})

// CreateSAMLProviderInput is CreateSAMLProvider's request.
type CreateSAMLProviderInput struct {
	Name                 string `required:"true"`
	SAMLMetadataDocument string `required:"true"`
	Tags                 []iam.Tag
}

// CreateSAMLProviderOutput is the provider's ARN and tags.
type CreateSAMLProviderOutput struct {
	SAMLProviderArn string    `xml:"SAMLProviderArn"`
	Tags            []iam.Tag `xml:"Tags>member,omitempty"`
}

func createSAMLProvider(c *api.Call, in *CreateSAMLProviderInput) (*CreateSAMLProviderOutput, error) {
	p, err := c.IAM.CreateSAMLProvider(c.Ctx, c.Account(), in.Name, in.SAMLMetadataDocument, in.Tags)
	if err != nil {
		return nil, err
	}
	return &CreateSAMLProviderOutput{SAMLProviderArn: p.Arn, Tags: p.Tags}, nil
}

// SAMLProviderInput names a SAML provider by its ARN.
type SAMLProviderInput struct {
	SAMLProviderArn string `required:"true"`
}

func samlProviderARN(_ *api.Call, in *SAMLProviderInput) string { return in.SAMLProviderArn }

var GetSAMLProvider = add(&api.Op[SAMLProviderInput, GetSAMLProviderOutput]{
	Name: "GetSAMLProvider", Resource: samlProviderARN, Run: getSAMLProvider})

// GetSAMLProviderOutput is the provider's metadata document, dates and tags.
type GetSAMLProviderOutput struct {
	SAMLMetadataDocument string        `xml:"SAMLMetadataDocument"`
	CreateDate           awsproto.Time `xml:"CreateDate"`
	ValidUntil           awsproto.Time `xml:"ValidUntil"`
	Tags                 []iam.Tag     `xml:"Tags>member,omitempty"`
}

func getSAMLProvider(c *api.Call, in *SAMLProviderInput) (*GetSAMLProviderOutput, error) {
	p, err := c.IAM.GetSAMLProvider(c.Ctx, c.Account(), in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	return &GetSAMLProviderOutput{p.Metadata, awsproto.Time(p.CreateDate), awsproto.Time(p.ValidUntil), p.Tags}, nil
}

var UpdateSAMLProvider = add(&api.Op[UpdateSAMLProviderInput, UpdateSAMLProviderOutput]{
	Name:     "UpdateSAMLProvider",
	Resource: func(_ *api.Call, in *UpdateSAMLProviderInput) string { return in.SAMLProviderArn },
	Run:      updateSAMLProvider})

// UpdateSAMLProviderInput replaces a provider's metadata document.
type UpdateSAMLProviderInput struct {
	SAMLProviderArn      string `required:"true"`
	SAMLMetadataDocument string `required:"true"`
}

// UpdateSAMLProviderOutput is the provider's ARN.
type UpdateSAMLProviderOutput struct {
	SAMLProviderArn string `xml:"SAMLProviderArn"`
}

func updateSAMLProvider(c *api.Call, in *UpdateSAMLProviderInput) (*UpdateSAMLProviderOutput, error) {
	p, err := c.IAM.UpdateSAMLProvider(c.Ctx, c.Account(), in.SAMLProviderArn, in.SAMLMetadataDocument)
	if err != nil {
		return nil, err
	}
	return &UpdateSAMLProviderOutput{p.Arn}, nil
}

var DeleteSAMLProvider = add(&api.Op[SAMLProviderInput, struct{}]{
	Name: "DeleteSAMLProvider", Resource: samlProviderARN,
	Run: func(c *api.Call, in *SAMLProviderInput) (*struct{}, error) {
		return nil, c.IAM.DeleteSAMLProvider(c.Ctx, c.Account(), in.SAMLProviderArn)
	}})

// ListSAMLProviders and ListOpenIDConnectProviders act on "*" (Service Authorization Reference:
// no resource type), as AWS authorizes them.
var ListSAMLProviders = add(&api.Op[struct{}, ListSAMLProvidersOutput]{Name: "ListSAMLProviders", Run: listSAMLProviders})

// SAMLProviderListEntry is one provider of ListSAMLProviders.
type SAMLProviderListEntry struct {
	Arn        string        `xml:"Arn"`
	ValidUntil awsproto.Time `xml:"ValidUntil"`
	CreateDate awsproto.Time `xml:"CreateDate"`
}

// ListSAMLProvidersOutput is every SAML provider of the account.
type ListSAMLProvidersOutput struct {
	SAMLProviderList []SAMLProviderListEntry `xml:"SAMLProviderList>member"`
}

func listSAMLProviders(c *api.Call, _ *struct{}) (*ListSAMLProvidersOutput, error) {
	ps, err := c.IAM.ListSAMLProviders(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	out := &ListSAMLProvidersOutput{SAMLProviderList: make([]SAMLProviderListEntry, len(ps))}
	for i, p := range ps {
		out.SAMLProviderList[i] = SAMLProviderListEntry{p.Arn, awsproto.Time(p.ValidUntil), awsproto.Time(p.CreateDate)}
	}
	return out, nil
}

var TagSAMLProvider = add(&api.Op[TagSAMLProviderInput, struct{}]{
	Name:     "TagSAMLProvider",
	Resource: func(_ *api.Call, in *TagSAMLProviderInput) string { return in.SAMLProviderArn },
	Keys:     func(_ *api.Call, in *TagSAMLProviderInput) (authz.Keys, error) { return tagRequestKeys(in.Tags), nil },
	Run: func(c *api.Call, in *TagSAMLProviderInput) (*struct{}, error) {
		return nil, c.IAM.TagSAMLProvider(c.Ctx, c.Account(), in.SAMLProviderArn, in.Tags)
	}})

// TagSAMLProviderInput is TagSAMLProvider's request.
type TagSAMLProviderInput struct {
	SAMLProviderArn string `required:"true"`
	Tags            []iam.Tag
}

var UntagSAMLProvider = add(&api.Op[UntagSAMLProviderInput, struct{}]{
	Name:     "UntagSAMLProvider",
	Resource: func(_ *api.Call, in *UntagSAMLProviderInput) string { return in.SAMLProviderArn },
	Keys:     func(_ *api.Call, in *UntagSAMLProviderInput) (authz.Keys, error) { return untagKeys(in.TagKeys), nil },
	Run: func(c *api.Call, in *UntagSAMLProviderInput) (*struct{}, error) {
		return nil, c.IAM.UntagSAMLProvider(c.Ctx, c.Account(), in.SAMLProviderArn, in.TagKeys)
	}})

// UntagSAMLProviderInput is UntagSAMLProvider's request.
type UntagSAMLProviderInput struct {
	SAMLProviderArn string `required:"true"`
	TagKeys         []string
}

var ListSAMLProviderTags = add(&api.Op[ListSAMLProviderTagsInput, TagsOutput]{
	Name:     "ListSAMLProviderTags",
	Resource: func(_ *api.Call, in *ListSAMLProviderTagsInput) string { return in.SAMLProviderArn },
	Run: func(c *api.Call, in *ListSAMLProviderTagsInput) (*TagsOutput, error) {
		p, err := c.IAM.GetSAMLProvider(c.Ctx, c.Account(), in.SAMLProviderArn)
		if err != nil {
			return nil, err
		}
		return tagsPage(p.Tags, in.ListInput)
	}})

// ListSAMLProviderTagsInput is ListSAMLProviderTags' request.
type ListSAMLProviderTagsInput struct {
	SAMLProviderArn string `required:"true"`
	ListInput
}

// oidcProviderARN is the resource of CreateOpenIDConnectProvider: the ARN the provider will have,
// or oidc-provider/* for a URL IAM will refuse once authorized.
func oidcProviderARN(c *api.Call, url string) string {
	key, err := iam.ParseOIDCURL(url)
	if err != nil {
		return arnOf(c, "oidc-provider", "")
	}
	return arn.OIDCProvider(c.Account(), key)
}

var CreateOpenIDConnectProvider = add(&api.Op[CreateOpenIDConnectProviderInput, CreateOpenIDConnectProviderOutput]{
	Name:     "CreateOpenIDConnectProvider",
	Resource: func(c *api.Call, in *CreateOpenIDConnectProviderInput) string { return oidcProviderARN(c, in.URL) },
	Keys: func(_ *api.Call, in *CreateOpenIDConnectProviderInput) (authz.Keys, error) {
		return tagRequestKeys(in.Tags), nil
	},
	Run: createOpenIDConnectProvider})

// CreateOpenIDConnectProviderInput is CreateOpenIDConnectProvider's request. ThumbprintList is
// optional: IAM no longer needs it for providers whose certificates a trusted CA signed (IAM API
// reference, CreateOpenIDConnectProvider).
type CreateOpenIDConnectProviderInput struct {
	URL            string `query:"Url" required:"true"`
	ClientIDList   []string
	ThumbprintList []string
	Tags           []iam.Tag
}

// CreateOpenIDConnectProviderOutput is the provider's ARN and tags.
type CreateOpenIDConnectProviderOutput struct {
	OpenIDConnectProviderArn string    `xml:"OpenIDConnectProviderArn"`
	Tags                     []iam.Tag `xml:"Tags>member,omitempty"`
}

func createOpenIDConnectProvider(c *api.Call, in *CreateOpenIDConnectProviderInput) (*CreateOpenIDConnectProviderOutput, error) {
	p, err := c.IAM.CreateOIDCProvider(c.Ctx, c.Account(), iam.CreateOIDCProviderInput{
		URL: in.URL, ClientIDs: in.ClientIDList, Thumbprints: in.ThumbprintList, Tags: in.Tags})
	if err != nil {
		return nil, err
	}
	return &CreateOpenIDConnectProviderOutput{OpenIDConnectProviderArn: p.Arn, Tags: p.Tags}, nil
}

// OIDCProviderInput names an OpenID Connect provider by its ARN.
type OIDCProviderInput struct {
	OpenIDConnectProviderArn string `required:"true"`
}

func oidcInputARN(_ *api.Call, in *OIDCProviderInput) string { return in.OpenIDConnectProviderArn }

var GetOpenIDConnectProvider = add(&api.Op[OIDCProviderInput, GetOpenIDConnectProviderOutput]{
	Name: "GetOpenIDConnectProvider", Resource: oidcInputARN, Run: getOpenIDConnectProvider})

// GetOpenIDConnectProviderOutput is the provider as IAM describes it (Url without its scheme).
type GetOpenIDConnectProviderOutput struct {
	URL            string        `xml:"Url"`
	ClientIDList   []string      `xml:"ClientIDList>member"`
	ThumbprintList []string      `xml:"ThumbprintList>member"`
	CreateDate     awsproto.Time `xml:"CreateDate"`
	Tags           []iam.Tag     `xml:"Tags>member,omitempty"`
}

func getOpenIDConnectProvider(c *api.Call, in *OIDCProviderInput) (*GetOpenIDConnectProviderOutput, error) {
	p, err := c.IAM.GetOIDCProvider(c.Ctx, c.Account(), in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	return &GetOpenIDConnectProviderOutput{p.URL, p.ClientIDs, p.Thumbprints, awsproto.Time(p.CreateDate), p.Tags}, nil
}

var DeleteOpenIDConnectProvider = add(&api.Op[OIDCProviderInput, struct{}]{
	Name: "DeleteOpenIDConnectProvider", Resource: oidcInputARN,
	Run: func(c *api.Call, in *OIDCProviderInput) (*struct{}, error) {
		return nil, c.IAM.DeleteOIDCProvider(c.Ctx, c.Account(), in.OpenIDConnectProviderArn)
	}})

var ListOpenIDConnectProviders = add(&api.Op[struct{}, ListOpenIDConnectProvidersOutput]{
	Name: "ListOpenIDConnectProviders", Run: listOpenIDConnectProviders})

// OIDCProviderListEntry is one provider of ListOpenIDConnectProviders.
type OIDCProviderListEntry struct {
	Arn string `xml:"Arn"`
}

// ListOpenIDConnectProvidersOutput is every OpenID Connect provider of the account.
type ListOpenIDConnectProvidersOutput struct {
	OpenIDConnectProviderList []OIDCProviderListEntry `xml:"OpenIDConnectProviderList>member"`
}

func listOpenIDConnectProviders(c *api.Call, _ *struct{}) (*ListOpenIDConnectProvidersOutput, error) {
	ps, err := c.IAM.ListOIDCProviders(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	out := &ListOpenIDConnectProvidersOutput{OpenIDConnectProviderList: make([]OIDCProviderListEntry, len(ps))}
	for i, p := range ps {
		out.OpenIDConnectProviderList[i] = OIDCProviderListEntry{p.Arn}
	}
	return out, nil
}

var UpdateOpenIDConnectProviderThumbprint = add(&api.Op[UpdateOIDCThumbprintInput, struct{}]{
	Name:     "UpdateOpenIDConnectProviderThumbprint",
	Resource: func(_ *api.Call, in *UpdateOIDCThumbprintInput) string { return in.OpenIDConnectProviderArn },
	Run: func(c *api.Call, in *UpdateOIDCThumbprintInput) (*struct{}, error) {
		tps := in.ThumbprintList
		if tps == nil {
			tps = []string{}
		}
		return nil, c.IAM.UpdateOIDCThumbprints(c.Ctx, c.Account(), in.OpenIDConnectProviderArn, tps)
	}})

// UpdateOIDCThumbprintInput replaces a provider's thumbprints.
type UpdateOIDCThumbprintInput struct {
	OpenIDConnectProviderArn string `required:"true"`
	ThumbprintList           []string
}

// OIDCClientIDInput names a provider and a client ID.
type OIDCClientIDInput struct {
	OpenIDConnectProviderArn string `required:"true"`
	ClientID                 string `required:"true"`
}

func oidcClientARN(_ *api.Call, in *OIDCClientIDInput) string { return in.OpenIDConnectProviderArn }

var AddClientIDToOpenIDConnectProvider = add(&api.Op[OIDCClientIDInput, struct{}]{
	Name: "AddClientIDToOpenIDConnectProvider", Resource: oidcClientARN,
	Run: func(c *api.Call, in *OIDCClientIDInput) (*struct{}, error) {
		return nil, c.IAM.AddOIDCClientID(c.Ctx, c.Account(), in.OpenIDConnectProviderArn, in.ClientID)
	}})

var RemoveClientIDFromOpenIDConnectProvider = add(&api.Op[OIDCClientIDInput, struct{}]{
	Name: "RemoveClientIDFromOpenIDConnectProvider", Resource: oidcClientARN,
	Run: func(c *api.Call, in *OIDCClientIDInput) (*struct{}, error) {
		return nil, c.IAM.RemoveOIDCClientID(c.Ctx, c.Account(), in.OpenIDConnectProviderArn, in.ClientID)
	}})

var TagOpenIDConnectProvider = add(&api.Op[TagOIDCProviderInput, struct{}]{
	Name:     "TagOpenIDConnectProvider",
	Resource: func(_ *api.Call, in *TagOIDCProviderInput) string { return in.OpenIDConnectProviderArn },
	Keys:     func(_ *api.Call, in *TagOIDCProviderInput) (authz.Keys, error) { return tagRequestKeys(in.Tags), nil },
	Run: func(c *api.Call, in *TagOIDCProviderInput) (*struct{}, error) {
		return nil, c.IAM.TagOIDCProvider(c.Ctx, c.Account(), in.OpenIDConnectProviderArn, in.Tags)
	}})

// TagOIDCProviderInput is TagOpenIDConnectProvider's request.
type TagOIDCProviderInput struct {
	OpenIDConnectProviderArn string `required:"true"`
	Tags                     []iam.Tag
}

var UntagOpenIDConnectProvider = add(&api.Op[UntagOIDCProviderInput, struct{}]{
	Name:     "UntagOpenIDConnectProvider",
	Resource: func(_ *api.Call, in *UntagOIDCProviderInput) string { return in.OpenIDConnectProviderArn },
	Keys:     func(_ *api.Call, in *UntagOIDCProviderInput) (authz.Keys, error) { return untagKeys(in.TagKeys), nil },
	Run: func(c *api.Call, in *UntagOIDCProviderInput) (*struct{}, error) {
		return nil, c.IAM.UntagOIDCProvider(c.Ctx, c.Account(), in.OpenIDConnectProviderArn, in.TagKeys)
	}})

// UntagOIDCProviderInput is UntagOpenIDConnectProvider's request.
type UntagOIDCProviderInput struct {
	OpenIDConnectProviderArn string `required:"true"`
	TagKeys                  []string
}

var ListOpenIDConnectProviderTags = add(&api.Op[ListOIDCProviderTagsInput, TagsOutput]{
	Name:     "ListOpenIDConnectProviderTags",
	Resource: func(_ *api.Call, in *ListOIDCProviderTagsInput) string { return in.OpenIDConnectProviderArn },
	Run: func(c *api.Call, in *ListOIDCProviderTagsInput) (*TagsOutput, error) {
		p, err := c.IAM.GetOIDCProvider(c.Ctx, c.Account(), in.OpenIDConnectProviderArn)
		if err != nil {
			return nil, err
		}
		return tagsPage(p.Tags, in.ListInput)
	}})

// ListOIDCProviderTagsInput is ListOpenIDConnectProviderTags' request.
type ListOIDCProviderTagsInput struct {
	OpenIDConnectProviderArn string `required:"true"`
	ListInput
}
