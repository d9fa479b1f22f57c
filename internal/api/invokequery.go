package api

import (
	"net/http"

	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/awsproto"
)

// InvokeQueryAs runs op of an awsQuery service as id, a caller already authenticated — a privileged
// root session that a console action opened and acts through (stsapi.DeleteRootCredentials) — with
// awsQuery parameters, decoded as an API request's would be, then authorized, run, and recorded in
// CloudTrail and the metrics. The result is the operation's output (nil for none); errors are
// *awserr.Error as an API caller would get them.
func (r *Runner) InvokeQueryAs(req *http.Request, id *authz.Identity, op Operation, params awsproto.Params) (any, error) {
	svc, ok := r.owner[op]
	if !ok {
		panic("api: operation " + op.opName() + " belongs to no service of this runner")
	}
	c := r.NewCall(req)
	c.Route(svc, op)
	c.Caller = id
	return r.runQuery(c, op, params)
}

func (r *Runner) runQuery(c *Call, op Operation, params awsproto.Params) (out any, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, r.Recover(c, v)
		}
		r.Finish(c, &err)
	}()
	if c.svc.Protocol != awsproto.AWSQuery {
		return nil, awserr.New(awserr.InvalidAction, "%s is not an awsQuery service.", c.svc.Name)
	}
	q := awsproto.Params{"Action": op.opName()}
	for k, v := range params {
		q[k] = v
	}
	c.Query = q
	in, err := Decode(c.svc, op, q, c.HTTP, nil, nil)
	if err != nil {
		return nil, err
	}
	return r.Run(c, op, in)
}
