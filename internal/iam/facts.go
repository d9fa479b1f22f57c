package iam

import (
	"context"
	rwarn "github.com/rootward/rootward/internal/arn"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// ResourceFacts is what an IAM resource contributes to the request context of an action on it:
// its tags (aws:ResourceTag/*, and iam:ResourceTag/* for a user or role) and a user's or role's
// current permissions boundary (iam:PermissionsBoundary of the actions that change what the
// entity may do). Service Authorization Reference, "Actions, resources, and condition keys for
// AWS Identity and Access Management (IAM)".
type ResourceFacts struct {
	// Kind is "user", "group", "role", "policy", "mfa", "saml-provider" or "oidc-provider".
	Kind string
	// ARN is the resource's ARN, a user's, group's or role's with its path.
	ARN      string
	Tags     []Tag
	Boundary string // permissions boundary ARN of a user or role, "" when none
	// user is what a user's facts were read from (User).
	user *User
}

// User returns the user the facts were read from when Kind is "user" and EntityFacts read it, nil
// otherwise: an operation that answers with the user it was authorized on (GetUser) answers with
// this one, read once.
func (f *ResourceFacts) User() *User {
	if f == nil {
		return nil
	}
	return f.user
}

// ResourceFacts returns the facts of the user, group, role, customer managed policy, virtual MFA
// device or identity provider (SAML or OpenID Connect) whose ARN is arn in account, or nil when arn names none of these there (another kind of
// resource, an AWS managed policy, the root user, a malformed ARN, or an entity that does not
// exist under exactly that ARN: a user of that name on another path is not that user). Only a
// failure to read the store is an error, so that an authorization never proceeds without the
// facts of a resource that exists.
func (s *Service) ResourceFacts(ctx context.Context, account, arn string) (*ResourceFacts, error) {
	rest, ok := strings.CutPrefix(arn, rwarn.IAMPrefix(account))
	if !ok {
		return nil, nil
	}
	kind, path, ok := strings.Cut(rest, "/")
	if !ok || path == "" {
		return nil, nil
	}
	name := path[strings.LastIndexByte(path, '/')+1:]
	var f *ResourceFacts
	err := s.view(ctx, func(t txn) error {
		var err error
		switch kind {
		case "user", "role", "group":
			// An entity of that name on another path is not the one the ARN names.
			if f, err = t.entityFacts(account, kind, name); f != nil && f.ARN != arn {
				f = nil
			}
		case "policy":
			var p *ManagedPolicy
			if p, err = t.managedPolicy(account, arn); err == nil {
				f = &ResourceFacts{Kind: kind, ARN: arn, Tags: p.Tags}
			}
		case "saml-provider":
			var p *SAMLProvider
			if p, err = t.samlProvider(account, arn); err == nil {
				f = &ResourceFacts{Kind: kind, ARN: arn, Tags: p.Tags}
			}
		case "oidc-provider":
			var p *OIDCProvider
			if p, err = t.oidcProvider(account, arn); err == nil {
				f = &ResourceFacts{Kind: kind, ARN: arn, Tags: p.Tags}
			}
		case "mfa":
			var d *VirtualMFADevice
			if d, _, err = t.device(account, arn); err == nil {
				f = &ResourceFacts{Kind: kind, ARN: arn, Tags: d.Tags}
			}
		}
		return noneIfPublic(err)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// EntityFacts returns the facts of the user, group or role (kind) named name in account, with its
// ARN, in one read of the store: what authorizing an action on an entity named by the request
// needs, its ARN with the path the entity has and its tags and boundary. It returns nil when there
// is no such entity (or name is one IAM would refuse); only a failure to read the store is an
// error.
func (s *Service) EntityFacts(ctx context.Context, account, kind, name string) (*ResourceFacts, error) {
	var f *ResourceFacts
	err := s.view(ctx, func(t txn) error {
		var err error
		f, err = t.entityFacts(account, kind, name)
		return noneIfPublic(err)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// entityFacts reads the user, group or role named name; nil for another kind.
func (t txn) entityFacts(account, kind, name string) (*ResourceFacts, error) {
	switch kind {
	case "user":
		u, err := t.user(account, name)
		if err != nil {
			return nil, err
		}
		return &ResourceFacts{Kind: kind, ARN: u.Arn, Tags: u.Tags, Boundary: boundaryARN(u.PermissionsBoundary), user: u}, nil
	case "role":
		r, err := t.role(account, name)
		if err != nil {
			return nil, err
		}
		return &ResourceFacts{Kind: kind, ARN: r.Arn, Tags: r.Tags, Boundary: boundaryARN(r.PermissionsBoundary)}, nil
	case "group":
		g, err := t.group(account, name)
		if err != nil {
			return nil, err
		}
		return &ResourceFacts{Kind: kind, ARN: g.Arn}, nil
	}
	return nil, nil
}

// noneIfPublic is nil for an error a client may see — NoSuchEntity, or a name IAM would refuse: no
// such resource, no facts — and err otherwise (the store could not be read).
func noneIfPublic(err error) error {
	if _, public := awserr.As(err); public {
		return nil
	}
	return err
}

func boundaryARN(b *Boundary) string {
	if b == nil {
		return ""
	}
	return b.PermissionsBoundaryArn
}
