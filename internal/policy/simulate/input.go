package simulate

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
)

// InvalidParam is a request member that breaks its modelled constraint (a length, an enum): the
// wire layer reports it as its protocol's validation error (awsproto.Invalid for the query
// protocol). Name is the member as the query protocol names it, e.g. "ActionNames" or
// "ContextEntries.member.1.ContextKeyType"; Value is the value to echo.
type InvalidParam struct {
	Name, Value, Constraint string
}

func (e *InvalidParam) Error() string {
	return "simulate: " + e.Name + ": " + e.Constraint
}

// checkActionName enforces ActionNameType (length 3–128) and the simulator's rule that actions
// are named exactly: "Each operation must include the service identifier, such as
// iam:CreateUser. This operation does not support using wildcards (*) in an action name."
func checkActionName(a string) error {
	if len(a) < 3 || len(a) > 128 {
		return &InvalidParam{"ActionNames", a, "Member must have length between 3 and 128"}
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" || strings.ContainsAny(a, "*?") || strings.Contains(name, ":") {
		// [U] IAM's wording for a malformed action name is not documented.
		return awserr.New(awserr.InvalidInput, "Action name %s is not valid: it must be a service prefix and an action, without wildcards.", a)
	}
	return nil
}

// checkResourceName accepts "*" or an ARN of at most 2,048 characters (ResourceNameType).
func checkResourceName(param, r string) error {
	if len(r) < 1 || len(r) > 2048 {
		return &InvalidParam{param, r, "Member must have length between 1 and 2048"}
	}
	if r == "*" {
		return nil
	}
	if _, err := arn.Parse(r); err != nil {
		return awserr.New(awserr.InvalidInput, "ARN %s is not valid.", r)
	}
	return nil
}

func accountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ownerAccount reads ResourceOwner: an account ID, or an ARN naming one (arn:aws:iam::ID:root).
func ownerAccount(s string) (string, bool) {
	if accountID(s) {
		return s, true
	}
	a, err := arn.Parse(s)
	if err != nil || !accountID(a.Account) {
		return "", false
	}
	return a.Account, true
}

// ContextEntry is one ContextEntries member: a condition key, its values and its declared type
// ("" when absent: the values are then not checked).
type ContextEntry struct {
	Name, Type string
	Values     []string
}

// contextKeyTypes maps each ContextKeyType to whether it takes several values and the condition
// operator whose parser validates its values. Validating a value by compiling it as a policy value
// of that operator makes the simulator accept exactly what the engine can compare.
var contextKeyTypes = map[string]struct {
	list     bool
	operator string
}{
	"string": {false, ""}, "stringList": {true, ""},
	"numeric": {false, "NumericEquals"}, "numericList": {true, "NumericEquals"},
	"boolean": {false, "Bool"}, "booleanList": {true, "Bool"},
	"ip": {false, ""}, "ipList": {true, ""},
	"binary": {false, "BinaryEquals"}, "binaryList": {true, "BinaryEquals"},
	"date": {false, "DateEquals"}, "dateList": {true, "DateEquals"},
}

const contextKeyTypeEnum = "[string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList]"

// contextOf puts the entries into ctx, refusing values that do not parse as their declared type.
func contextOf(entries []ContextEntry, ctx *policy.Context) error {
	for i, e := range entries {
		member := "ContextEntries.member." + strconv.Itoa(i+1) + "."
		if len(e.Name) < 5 || len(e.Name) > 256 {
			return &InvalidParam{member + "ContextKeyName", e.Name, "Member must have length between 5 and 256"}
		}
		if e.Type != "" {
			kt, ok := contextKeyTypes[e.Type]
			if !ok {
				return &InvalidParam{member + "ContextKeyType", e.Type, "Member must satisfy enum value set: " + contextKeyTypeEnum}
			}
			if !kt.list && len(e.Values) > 1 {
				return awserr.New(awserr.InvalidInput, "Context key %s of type %s takes a single value, not %d.", e.Name, e.Type, len(e.Values))
			}
			if !validContextValues(e.Type, kt.operator, e.Values) {
				// The value is not echoed: context values are caller data of unknown sensitivity.
				return awserr.New(awserr.InvalidInput, "Invalid value for context key %s of type %s.", e.Name, e.Type)
			}
		}
		ctx.Set(e.Name, e.Values...)
	}
	return nil
}

func validContextValues(typ, operator string, values []string) bool {
	if len(values) == 0 {
		return true
	}
	if strings.HasPrefix(typ, "ip") {
		// A request carries one address (aws:SourceIp), not a block: the engine parses the
		// request side with netip.ParseAddr.
		for _, v := range values {
			if _, err := netip.ParseAddr(v); err != nil {
				return false
			}
		}
		return true
	}
	if operator == "" {
		return true
	}
	vs, err := json.Marshal(values)
	if err != nil {
		return false
	}
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sim:Validate","Resource":"*","Condition":{"` +
		operator + `":{"sim:value":` + string(vs) + `}}}}`
	_, err = policy.Parse(doc, policy.KindIdentity)
	return err == nil
}

// Source is the user, group or role that SimulatePrincipalPolicy's PolicySourceArn names.
type Source struct {
	ARN       string
	Partition string
	Account   string
	Kind      string // "user", "group" or "role"
	Name      string // without its path
}

// ParseSource reads a PolicySourceArn. Returns InvalidInput unless it is the ARN of an IAM user,
// group or role; it does not say whether that entity exists, or is in the caller's account.
func ParseSource(s string) (Source, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || !accountID(a.Account) {
		return Source{}, awserr.New(awserr.InvalidInput, "ARN %s is not valid.", s)
	}
	kind, path, ok := strings.Cut(a.Resource, "/")
	name := path[strings.LastIndexByte(path, '/')+1:]
	if !ok || name == "" || (kind != "user" && kind != "group" && kind != "role") {
		return Source{}, awserr.New(awserr.InvalidInput, "ARN %s is not valid: the policy source must be an IAM user, group or role.", s)
	}
	return Source{ARN: s, Partition: a.Partition, Account: a.Account, Kind: kind, Name: name}, nil
}
