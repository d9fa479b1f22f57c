package iamapi

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/awserr"
)

// Account properties (IAM API Reference, GetAccountProperties, PutAccountProperties): settings
// of account-wide IAM features "such as Role Manager", as Namespace/PropertyName keys. AWS
// publishes no list of the properties; the only feature named, Role Manager, Rootward does not
// offer (AcquireRole and GetRoleTemplateVersion answer RoleTemplateDisabled, refused.go). So an
// account has no properties: GetAccountProperties answers an empty map, and PutAccountProperties,
// after checking the keys and values as the model constrains them, refuses every key with
// InvalidInput (the code AWS documents for "an invalid or out-of-range value"; the message is
// Rootward's). Nothing is stored.

var GetAccountProperties = add(&api.Op[struct{}, AccountPropertiesOutput]{
	Name: "GetAccountProperties",
	Run: func(*api.Call, *struct{}) (*AccountPropertiesOutput, error) {
		return &AccountPropertiesOutput{Properties: []PropertyEntry{}}, nil
	}})

var PutAccountProperties = add(&api.Op[PutAccountPropertiesInput, api.Empty]{
	Name: "PutAccountProperties", Refused: true, Run: putAccountProperties})

// PropertyEntry is one entry of accountPropertiesMapType.
type PropertyEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// AccountPropertiesOutput is GetAccountProperties' result.
type AccountPropertiesOutput struct {
	Properties []PropertyEntry `xml:"Properties>entry"`
}

// PutAccountPropertiesInput is PutAccountProperties' request.
type PutAccountPropertiesInput struct {
	Properties map[string]string `required:"true"`
}

// accountPropertyKeyPattern is accountPropertyKeyType's pattern (1–50 characters).
var accountPropertyKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9/_-]*$`)

// Validate checks the map as the model and the API reference constrain it: keys of 1–50
// characters matching the pattern, with exactly one "/" that neither starts nor ends them, all in
// one namespace; values of 1–1024 characters.
func (in *PutAccountPropertiesInput) Validate() error {
	if len(in.Properties) == 0 {
		return awserr.New(awserr.ValidationError, "1 validation error detected: Value at 'properties' failed to satisfy constraint: Member must not be null")
	}
	keys := slices.Sorted(maps.Keys(in.Properties))
	namespace := ""
	for _, k := range keys {
		if len(k) > 50 || !accountPropertyKeyPattern.MatchString(k) {
			return patternError(k, "properties", accountPropertyKeyPattern)
		}
		ns, name, _ := strings.Cut(k, "/")
		if strings.Count(k, "/") != 1 || ns == "" || name == "" {
			return awserr.New(awserr.InvalidInput, "The property key %s must have the form Namespace/PropertyName.", k)
		}
		if namespace != "" && ns != namespace {
			return awserr.New(awserr.InvalidInput, "All properties in a request must belong to the same namespace: %s and %s differ.", namespace, ns)
		}
		namespace = ns
		if v := in.Properties[k]; v == "" || len(v) > 1024 {
			return awserr.New(awserr.ValidationError, "1 validation error detected: Value at 'properties' failed to satisfy constraint: Map value must have length less than or equal to 1024 and greater than or equal to 1")
		}
	}
	return nil
}

func putAccountProperties(_ *api.Call, in *PutAccountPropertiesInput) (*api.Empty, error) {
	keys := slices.Sorted(maps.Keys(in.Properties))
	return nil, awserr.New(awserr.InvalidInput, "The account property %s is not supported: Rootward offers no account-level IAM features with properties.", keys[0])
}
