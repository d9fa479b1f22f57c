// Package accountapi is AWS Account Management over restJson1 (AWS Account Management API
// Reference, https://docs.aws.amazon.com/accounts/latest/reference/API_Operations.html): an
// account's primary contact information and alternate contacts (contacts.go), its name, and its
// primary (root) email (account.go), with the HTTP bindings, member names, constraints and error
// shapes of aws-sdk-go-v2 service/account's model. The records are internal/rootuser's — the same
// ones the console's account page and the root user's recovery flows read — and the account name
// and root email internal/iam's.
//
// AccountId. Without it an operation acts on the caller's own account. With it, the caller acts on
// a member account of its organization, which AWS allows only to the management account or the
// delegated administrator for account.amazonaws.com, once the organization (all features) has
// trusted access for account.amazonaws.com enabled, and never to the management account naming
// itself ("Enabling trusted access for AWS Account Management",
// https://docs.aws.amazon.com/accounts/latest/reference/using-orgs-trusted-access.html). AWS answers
// every such refusal with AccessDeniedException in IAM's words.
//
// Authorization: each action is account:<Operation> on the resource the Service Authorization
// Reference gives it ("Actions, resources, and condition keys for AWS Account Management",
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsaccountmanagement.html):
// arn:aws:account::ACCOUNT:account for the caller's own account, and
// arn:aws:account::MANAGEMENT:account/o-ORG/MEMBER for a member; the alternate contact actions with
// account:AlternateContactTypes, the primary email updates with account:EmailTargetDomain. A
// refusal is AccessDeniedException, HTTP 403.
package accountapi

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/orgs"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/rootuser"
)

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns AWS Account Management's descriptor with every operation.
func Service() *api.Service {
	return &api.Service{
		Name: "account", Protocol: awsproto.RestJSON1, Ops: ops,
		// What the decoder and the rate limiter raise, in Account Management's shapes; the
		// operations translate the domain's own codes (domainError).
		Codes: map[awserr.Code]awserr.Code{
			awserr.ValidationError: awserr.AcctValidation,
			awserr.Throttling:      awserr.AcctTooManyRequests,
		},
		InternalCode: awserr.AcctInternalServer,
		// The members whose shapes the model marks sensitive (contact details, addresses, the
		// one-time code): CloudTrail records hide them. AccountId, AlternateContactType and
		// AccountName are shown.
		Sensitive: map[string]bool{"ContactInformation": true, "EmailAddress": true, "Name": true, "PhoneNumber": true,
			"Title": true, "Otp": true, "PrimaryEmail": true},
	}
}

// ServicePrincipal is Account Management's service principal, which trusted access names.
const ServicePrincipal = "account.amazonaws.com"

// Empty is the output of operations that answer an empty object.
type Empty struct{}

// root is the root-user service of the call; an internal error when the server has none.
func root(c *api.Call) (*rootuser.Service, error) { return api.Wired(c.Root, "root-user service") }

// Target is the AccountId member of every operation and the account it names once authorization
// resolved it: the caller's own when AccountId is absent.
type Target struct {
	AccountID string `json:"AccountId,omitempty"`
	account   string
}

func (t *Target) target() *Target { return t }

// Account is the account the operation acts on (set by authorization).
func (t *Target) Account() string { return t.account }

// AccountInput is the input of the reads that take AccountId alone, which names the account (none:
// the caller's): GetContactInformation, GetAccountInformation.
type AccountInput struct{ Target }

// Validate checks AccountId's pattern.
func (in *AccountInput) Validate() error {
	var v checker
	v.accountID(&in.Target, false)
	return v.err()
}

// targeted is an input with an AccountId.
type targeted interface{ target() *Target }

// authorizeOn authorizes account:<Action> on the account the input names, with the action's own
// condition keys (nil: none), after checking that the caller may name that account at all.
// required says AccountId must name a member (the primary email operations).
func authorizeOn[In any](required bool, keys func(in *In) authz.Keys) func(c *api.Call, in *In) error {
	return func(c *api.Call, in *In) error {
		t := any(in).(targeted).target()
		resource, err := resolve(c, t, required)
		if err != nil {
			return err
		}
		c.Resource = resource
		var k authz.Keys
		if keys != nil {
			k = keys(in)
		}
		return api.Forbidden(c.Authorize(c.Service+":"+c.Action, resource, k))
	}
}

// resolve sets t.account to the account the call acts on and returns the resource ARN its action
// is authorized on. Returns AccessDeniedException when the caller may not act on the account
// AccountId names.
func resolve(c *api.Call, t *Target, required bool) (string, error) {
	caller := c.Account()
	if t.AccountID == "" {
		t.account = caller
		return arn.Account(caller, "account"), nil
	}
	refuse := func() error {
		return api.AccessDeniedException("User: " + c.Caller.ARN + " is not authorized to perform: " + c.Service + ":" + c.Action)
	}
	if c.Orgs == nil {
		return "", refuse()
	}
	o, err := c.Orgs.OrganizationOf(c.Ctx, caller)
	if err != nil {
		return "", err
	}
	if o == nil || o.FeatureSet != orgs.FeatureSetAll || !o.ServiceAccessEnabled(ServicePrincipal) ||
		(caller != o.MasterAccountID && !o.DelegatedAdmin(caller, ServicePrincipal)) ||
		t.AccountID == o.MasterAccountID {
		// Including the management account naming itself: it must call in standalone context,
		// without AccountId (AWS Account Management API Reference, e.g. GetContactInformation).
		return "", refuse()
	}
	to, err := c.Orgs.OrganizationOf(c.Ctx, t.AccountID)
	if err != nil {
		return "", err
	}
	if to == nil || to.ID != o.ID {
		return "", refuse()
	}
	t.account = t.AccountID
	return arn.Account(o.MasterAccountID, "account/"+o.ID+"/"+t.AccountID), nil
}

// domainError translates the codes of internal/rootuser and internal/iam into Account
// Management's: NoSuchEntity is ResourceNotFoundException (404), InvalidInput ValidationException,
// EntityAlreadyExists ConflictException, Throttling TooManyRequestsException.
func domainError(err error, field string) error {
	e, ok := awserr.As(err)
	if !ok {
		return err
	}
	switch e.Code {
	case awserr.NoSuchEntity:
		return &awserr.Error{Code: awserr.AcctResourceNotFound, Message: e.Message, Status: http.StatusNotFound}
	case awserr.InvalidInput, awserr.ValidationError:
		return invalidFields(awserr.Field{Name: field, Message: e.Message})
	case awserr.EntityAlreadyExists:
		return awserr.New(awserr.AcctConflict, e.Message)
	case awserr.Throttling:
		return awserr.New(awserr.AcctTooManyRequests, e.Message)
	case awserr.AccessDenied:
		return api.AccessDeniedException(e.Message)
	}
	return err
}

// condKey returns the keys of one single-valued condition key.
func condKey(name, value string) authz.Keys {
	return func(ctx *policy.Context) { ctx.Set(name, value) }
}

// The constraints of the model's shapes (aws-sdk-go-v2 service/account; the API Reference's data
// types).
var (
	accountIDPattern    = regexp.MustCompile(`^\d{12}$`)
	emailPattern        = regexp.MustCompile(`^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$`)
	phonePattern        = regexp.MustCompile(`^[\s0-9()+-]+$`)
	contactPhonePattern = regexp.MustCompile(`^[+][\s0-9()-]+$`)
	otpPattern          = regexp.MustCompile(`^[a-zA-Z0-9]{6}$`)
	// accountNamePattern is AccountName's: printable ASCII but "<" and ">".
	accountNamePattern = regexp.MustCompile(`^[ -;=?-~]+$`)
)

// checker collects the invalid members of an input, as ValidationException's fieldList names them.
type checker struct{ fields []awserr.Field }

// str checks a string member: present when required, its length within [lo, hi] characters, and
// matching pattern (nil: any). Members absent and not required are not checked.
func (v *checker) str(name, val string, required bool, lo, hi int, pattern *regexp.Regexp) {
	switch n := len([]rune(val)); {
	case val == "":
		if required {
			v.add(name, "Member must not be null")
		}
	case n < lo:
		v.add(name, "Member must have length greater than or equal to "+strconv.Itoa(lo))
	case n > hi:
		v.add(name, "Member must have length less than or equal to "+strconv.Itoa(hi))
	case pattern != nil && !pattern.MatchString(val):
		v.add(name, "Member must satisfy regular expression pattern: "+pattern.String())
	}
}

// accountID checks the AccountId member.
func (v *checker) accountID(t *Target, required bool) {
	if t.AccountID == "" && required {
		v.add("accountId", "Member must not be null")
	} else if t.AccountID != "" && !accountIDPattern.MatchString(t.AccountID) {
		v.add("accountId", "Member must satisfy regular expression pattern: "+accountIDPattern.String())
	}
}

// contactType checks an AlternateContactType member.
func (v *checker) contactType(typ string) {
	switch typ {
	case "":
		v.add("alternateContactType", "Member must not be null")
	case rootuser.ContactBilling, rootuser.ContactOperations, rootuser.ContactSecurity:
	default:
		v.add("alternateContactType", "Member must satisfy enum value set: ["+strings.Join(rootuser.ContactTypes, ", ")+"]")
	}
}

func (v *checker) add(name, msg string) {
	v.fields = append(v.fields, awserr.Field{Name: name, Message: msg})
}

// err is the ValidationException of the invalid members, nil when there are none.
func (v *checker) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return invalidFields(v.fields...)
}

// invalidFields is ValidationException (reason fieldValidationFailed) naming fields. Its message
// follows the form AWS's services share ("1 validation error detected: Value at 'name' failed to
// satisfy constraint: …"); the values are left out, as the model marks them sensitive. AWS documents
// no message for Account Management: the form is Rootward's choice.
func invalidFields(fields ...awserr.Field) error {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "Value at '" + f.Name + "' failed to satisfy constraint: " + f.Message
	}
	n := strconv.Itoa(len(fields)) + " validation error"
	if len(fields) > 1 {
		n += "s"
	}
	return &awserr.Error{Code: awserr.AcctValidation, Message: n + " detected: " + strings.Join(parts, "; "),
		Fields: map[string]string{"reason": "fieldValidationFailed"}, FieldList: fields}
}
