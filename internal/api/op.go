// Package api is what every AWS service Rootward serves is written against: an operation is a
// typed input, the resource it acts on, and a function that runs it (Op); a service is a flat
// table of them with its wire protocol (Service); Runner authorizes and runs an operation for a
// caller — an authenticated SigV4 request from internal/server, or a console principal calling
// Invoke — and records the call in the trail and the metrics. Each service lives in its own
// package under internal/api (iamapi, stsapi, orgsapi, …) and internal/server only decodes,
// authenticates and encodes around it.
package api

import (
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awsproto"
)

// Op is one operation of a service. In is its input, decoded from the request by the service's
// protocol (awsproto.DecodeQuery, DecodeJSON or DecodeREST, by the field tags); Out is its output,
// encoded likewise (nil Out: the operation answers no result element).
//
// Authorization is the service's action "<service>:<Name>" on Resource (nil: "*"), then on each of
// More, each with Keys (the action's own condition keys). Authorize, when set, replaces all of that
// (an action whose check is not an identity policy: AssumeRole's trust policy, GetCallerIdentity's
// none).
type Op[In, Out any] struct {
	Name string
	// HTTP is a restJson1 operation's binding, "METHOD /path/{Label}"; unused by other protocols.
	HTTP string
	// Resource returns the ARN the action acts on; nil means "*".
	Resource func(c *Call, in *In) string
	// More returns further resources the action must also be allowed on, each in turn with the
	// same keys (UpdateUser acts on the user under its old and its new name).
	More func(c *Call, in *In) []string
	// Keys returns the action's own condition keys for this request. It may look things up (a
	// resource's tags); an error fails the call before anything is authorized or run.
	Keys func(c *Call, in *In) (authz.Keys, error)
	// Authorize replaces the default authorization; it calls c.Authorize itself.
	Authorize func(c *Call, in *In) error
	Run       func(c *Call, in *In) (*Out, error)
	// Refused marks an operation Rootward answers only with a documented refusal (its Run says
	// why); docs/operations.md lists it as refused, not served.
	Refused bool
}

// Operation is an Op of any input and output, as a service's table holds them.
type Operation interface {
	opName() string
	refused() bool
	route() *awsproto.Route
	newInput() any
	authorize(c *Call, in any) error
	run(c *Call, in any) (any, error)
}

func (o *Op[In, Out]) opName() string { return o.Name }

func (o *Op[In, Out]) refused() bool { return o.Refused }

func (o *Op[In, Out]) route() *awsproto.Route {
	if o.HTTP == "" {
		return nil
	}
	r := awsproto.ParseRoute(o.HTTP)
	return &r
}

func (o *Op[In, Out]) newInput() any { return new(In) }

func (o *Op[In, Out]) authorize(c *Call, in any) error {
	typed := in.(*In)
	if o.Authorize != nil {
		return o.Authorize(c, typed)
	}
	c.Resource = "*"
	if o.Resource != nil {
		c.Resource = o.Resource(c, typed)
	}
	var keys authz.Keys
	if o.Keys != nil {
		var err error
		if keys, err = o.Keys(c, typed); err != nil {
			return err
		}
	}
	action := c.Service + ":" + o.Name
	if err := c.Authorize(action, c.Resource, keys); err != nil {
		return err
	}
	if o.More != nil {
		for _, r := range o.More(c, typed) {
			if err := c.Authorize(action, r, keys); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *Op[In, Out]) run(c *Call, in any) (any, error) {
	out, err := o.Run(c, in.(*In))
	if _, empty := any(out).(*Empty); empty && out == nil && err == nil {
		return &Empty{}, nil
	}
	if out == nil {
		// No typed nil in the interface: the encoders write no result for a nil output.
		return nil, err
	}
	return out, err
}

// Empty is the output of an operation whose output shape is an empty structure: it answers its
// empty result element (<NAMEResult></NAMEResult> in awsQuery), which the SDKs read and without
// which aws-sdk-go-v2 fails ("deserialization failed, EOF") although the operation succeeded. An
// operation without output (smithy.api#Unit) has Out struct{} and returns nil: no result element.
// A Run of an Empty operation may return nil; the runner answers the element.
type Empty struct{}

// Validator is an input that checks itself after decoding, before authorization: constraints that
// the field tags cannot say (one of two members, a pattern).
type Validator interface {
	Validate() error
}

// Table is a service's operations, collected as its package declares them: each operation is one
// declaration, `var CreateUser = api.Add(&ops, &api.Op[...]{...})`, in the file of its entity.
type Table []Operation

// Add appends o to t and returns it.
func Add[In, Out any](t *Table, o *Op[In, Out]) *Op[In, Out] {
	*t = append(*t, o)
	return o
}
