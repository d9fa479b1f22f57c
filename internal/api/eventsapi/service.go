// Package eventsapi is Amazon EventBridge over awsJson 1.1 (X-Amz-Target AWSEvents.<Op>): rules,
// targets and tags of each account's default event bus, and TestEventPattern, one typed operation
// per action over internal/eventbridge. Member names and shapes follow the EventBridge API
// Reference and aws-sdk-go-v2 service/eventbridge/types. Only the default bus exists: any other
// EventBusName is answered ResourceNotFoundException, as AWS answers a bus that does not exist.
package eventsapi

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/eventbridge"
)

// TargetPrefix is the X-Amz-Target prefix of EventBridge's operations.
const TargetPrefix = "AWSEvents"

// ops is the table every operation of the package adds itself to (api.Add).
var ops api.Table

// Service returns EventBridge's descriptor with every operation. Its signing name, "events", is
// also the prefix of its actions and of its CloudTrail event source (events.amazonaws.com).
func Service() *api.Service {
	return &api.Service{
		Name: "events", Protocol: awsproto.AWSJSON11, TargetPrefix: TargetPrefix,
		Codes: map[awserr.Code]awserr.Code{
			awserr.AccessDenied:    eventbridge.CodeAccessDenied,
			awserr.ValidationError: eventbridge.CodeValidation,
		},
		InvalidPageToken: func() error {
			return awserr.New(eventbridge.CodeInvalidToken, "The NextToken provided is not valid.")
		},
		Ops: ops,
	}
}

// eb is the EventBridge service of the call; unset Deps are a wiring fault, answered as an
// internal error.
func eb(c *api.Call) (*eventbridge.Service, error) {
	if c.EventBridge == nil {
		return nil, errNotWired
	}
	return c.EventBridge, nil
}

var errNotWired = errors.New("eventsapi: no EventBridge service in api.Deps")

// Constraints of the members (EventBridge API Reference, the data types and request parameters
// of each action).
var (
	namePattern  = regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)
	busPattern   = regexp.MustCompile(`^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus/)?[/\.\-_A-Za-z0-9]+$`)
	prefixChars  = regexp.MustCompile(`^[\.\-_A-Za-z0-9]+$`)
	ruleStates   = []string{eventbridge.StateEnabled, eventbridge.StateDisabled, eventbridge.StateEnabledAll}
	statesString = "[" + strings.Join(ruleStates, ", ") + "]"
)

const (
	maxRuleName     = 64
	maxBusName      = 1600
	maxDescription  = 512
	maxEventPattern = 4096
	maxARN          = 1600
	maxInput        = 8192
	maxInputPath    = 256
	maxTagKey       = 128
	maxTagValue     = 256
	maxLimit        = 100
	// defaultLimit is the page size of a list without Limit. AWS does not document it; Rootward
	// answers the largest page a caller may ask for.
	defaultLimit = 100
)

// violations collects the constraint violations of a request, reported together as AWS's JSON
// services report them: "2 validation errors detected: Value 'x y' at 'name' failed to satisfy
// constraint: Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+; …".
type violations []string

func (v *violations) add(member, value, constraint string) {
	shown := "null"
	if value != "\x00" {
		shown = "'" + value + "'"
	}
	*v = append(*v, "Value "+shown+" at '"+member+"' failed to satisfy constraint: "+constraint)
}

// required notes a missing required member.
func (v *violations) required(member string, present bool) {
	if !present {
		v.add(member, "\x00", "Member must not be null")
	}
}

// length checks a string's length in characters.
func (v *violations) length(member, s string, min, max int) {
	n := len([]rune(s))
	switch {
	case n < min:
		v.add(member, s, "Member must have length greater than or equal to "+strconv.Itoa(min))
	case n > max:
		v.add(member, s, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
}

func (v *violations) pattern(member, s string, re *regexp.Regexp, text string) {
	if !re.MatchString(s) {
		v.add(member, s, "Member must satisfy regular expression pattern: "+text)
	}
}

// name checks a rule or target name: 1–64 of [\.\-_A-Za-z0-9].
func (v *violations) name(member string, s *string) {
	v.required(member, s != nil)
	if s == nil {
		return
	}
	v.length(member, *s, 1, maxRuleName)
	if *s != "" {
		v.pattern(member, *s, namePattern, `[\.\-_A-Za-z0-9]+`)
	}
}

// arn checks a required ARN member: 1–1600 characters.
func (v *violations) arn(member string, s *string) {
	v.required(member, s != nil)
	if s != nil {
		v.length(member, *s, 1, maxARN)
	}
}

// bus checks an EventBusName.
func (v *violations) bus(s *string) {
	if s == nil {
		return
	}
	v.length("eventBusName", *s, 1, maxBusName)
	if *s != "" {
		v.pattern("eventBusName", *s, busPattern, `(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+`)
	}
}

// limit checks a page size, 1–100.
func (v *violations) limit(n *int) {
	if n == nil {
		return
	}
	switch {
	case *n < 1:
		v.add("limit", strconv.Itoa(*n), "Member must have value greater than or equal to 1")
	case *n > maxLimit:
		v.add("limit", strconv.Itoa(*n), "Member must have value less than or equal to 100")
	}
}

func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	noun := "errors"
	if len(v) == 1 {
		noun = "error"
	}
	return awserr.New(eventbridge.CodeValidation, "%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))
}

// onDefaultBus refuses a bus other than the caller's default one: by name "default", or by the
// default bus's ARN in the caller's account and the server's region.
func onDefaultBus(c *api.Call, name *string) error {
	if name == nil || *name == eventbridge.DefaultBus {
		return nil
	}
	if a, err := arn.Parse(*name); err == nil && a.Resource == "event-bus/"+eventbridge.DefaultBus &&
		a.Account == c.Account() && a.Region == c.Region {
		return nil
	}
	shown := *name
	if a, err := arn.Parse(*name); err == nil {
		shown = strings.TrimPrefix(a.Resource, "event-bus/")
	}
	return awserr.New(eventbridge.CodeResourceNotFound, "Event bus %s does not exist.", shown)
}

// busOf is the EventBridge service for a call on the bus named name (the default one when nil),
// or ResourceNotFoundException for any other bus.
func busOf(c *api.Call, name *string) (*eventbridge.Service, error) {
	svc, err := eb(c)
	if err != nil {
		return nil, err
	}
	if err := onDefaultBus(c, name); err != nil {
		return nil, err
	}
	return svc, nil
}

// ListInput is the paging members of the list operations: NextToken is the token of the page
// before (the Runner hands the operation the position inside it), Limit the page size.
type ListInput struct {
	NextToken string `json:",omitempty" page:"token"`
	Limit     *int   `json:",omitempty" page:"size"`
}

func (l ListInput) size() int {
	if l.Limit == nil {
		return defaultLimit
	}
	return *l.Limit
}

// Paged is the tail of a list result: the position after the page, which the Runner seals into
// the token sent; absent on the last page.
type Paged struct {
	NextToken *string `json:",omitempty" page:"token"`
}

func pagedOf(next string) Paged {
	if next == "" {
		return Paged{}
	}
	return Paged{NextToken: &next}
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
