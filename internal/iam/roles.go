package iam

import (
	"context"
	"errors"
	rwarn "github.com/rootward/rootward/internal/arn"
	"regexp"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/policy"
	"github.com/rootward/rootward/internal/store"
)

// CreateRoleInput are CreateRole's parameters.
type CreateRoleInput struct {
	RoleName, Path, AssumeRolePolicyDocument, Description, PermissionsBoundary string
	MaxSessionDuration                                                         int
	Tags                                                                       []Tag
}

func checkMaxSession(v int) error {
	if v < 3600 || v > 43200 {
		return invalid("MaxSessionDuration", itoa(v), "Member must have value between 3600 and 43200")
	}
	return nil
}

// roleDescriptionPattern is the role Description's pattern (IAM API reference, CreateRole and
// UpdateRole: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*): no NUL or other control character
// but tab, line feed and carriage return.
var roleDescriptionPattern = regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{7E}\x{A1}-\x{FF}]*$`)

func checkDescription(v string) error {
	if len(v) > 1000 {
		return invalid("Description", v, "Member must have length less than or equal to 1000")
	}
	if !roleDescriptionPattern.MatchString(v) {
		return invalid("Description", v, `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`)
	}
	return nil
}

// CreateRole creates a role with its trust policy. Returns EntityAlreadyExists,
// MalformedPolicyDocument, ValidationError, InvalidInput (a path AWS reserves).
func (s *Service) CreateRole(ctx context.Context, account string, in CreateRoleInput) (*Role, error) {
	return s.createRole(ctx, account, in, nil)
}

// serviceLinkedSetup is what a service-linked role gets beyond CreateRole: its mark and, in the
// same transaction, its policies.
type serviceLinkedSetup struct {
	policyARNs []string
}

// createRole creates a role; sl is nil for a caller's role and set for a service-linked role,
// which alone may live under /aws-service-role/.
func (s *Service) createRole(ctx context.Context, account string, in CreateRoleInput, sl *serviceLinkedSetup) (*Role, error) {
	if err := checkName("RoleName", in.RoleName, 64); err != nil {
		return nil, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if sl == nil && reservedPath(in.Path) == ServiceRolePath {
		// AWS's answer, as IAM gives it to CreateRole.
		return nil, awserr.New(awserr.InvalidInput, "Path prefix '%s' can only be used for AWS Service linked Roles", ServiceRolePath)
	}
	check := checkPath
	if sl != nil {
		check = checkPathSyntax
	}
	if err := check("Path", in.Path); err != nil {
		return nil, err
	}
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = 3600
	}
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if in.AssumeRolePolicyDocument == "" {
		return nil, missing("AssumeRolePolicyDocument")
	}
	trust, err := ValidateDocument(in.AssumeRolePolicyDocument, policy.KindTrust, policy.LimitTrust)
	if err != nil {
		return nil, err
	}
	ids, err := s.checkTrustPrincipals(ctx, trust)
	if err != nil {
		return nil, err
	}
	r := &Role{
		TrustPrincipalIDs: ids,
		Path:              in.Path, RoleName: in.RoleName, RoleID: newID("AROA", 17), Arn: rwarn.IAMEntity(account, "role", in.Path, in.RoleName),
		CreateDate: s.Now(), AssumeRolePolicyDocument: in.AssumeRolePolicyDocument, Description: in.Description,
		MaxSessionDuration: in.MaxSessionDuration, Tags: in.Tags, ServiceLinked: sl != nil,
	}
	err = s.update(ctx, account, func(t txn) error {
		if in.PermissionsBoundary != "" {
			if err := t.checkBoundary(account, in.PermissionsBoundary); err != nil {
				return err
			}
			r.PermissionsBoundary = &Boundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: in.PermissionsBoundary}
		}
		if err := roles.Insert(t, account, fold(in.RoleName), roleRecordOf(r)); err != nil {
			if errors.Is(err, store.ErrExists) && sl != nil {
				return awserr.New(awserr.InvalidInput, "Service role name %s has been taken in this account, please try a different suffix.", in.RoleName)
			}
			if errors.Is(err, store.ErrExists) {
				return awserr.New(awserr.EntityAlreadyExists, "Role with name %s already exists.", in.RoleName)
			}
			return err
		}
		if sl != nil {
			for _, arn := range sl.policyARNs {
				if err := t.attachPolicy(account, principalRoleT, in.RoleName, arn); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ServiceLinkedRoleInput describes a service-linked role.
type ServiceLinkedRoleInput struct {
	// AWSServiceName is the service principal that uses the role, e.g. organizations.amazonaws.com.
	// It is the only principal the role trusts.
	AWSServiceName string
	// RoleName is the service's role name, AWSServiceRoleFor… (each service names its own);
	// CustomSuffix, when set, is appended after an underscore, as IAM does.
	RoleName, CustomSuffix, Description string
	// PolicyARNs are the managed policies the role gets, attached with it (the service's
	// service-linked role policy).
	PolicyARNs []string
}

var serviceNamePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)

// CreateServiceLinkedRole creates a service-linked role: under /aws-service-role/SERVICE/, trusting
// only the service, and marked ServiceLinked. Only Rootward calls it, on behalf of a service (the
// API's iam:CreateServiceLinkedRole included); the mark is what exempts the role's sessions from
// SCPs ("SCPs don't affect service-linked roles", Organizations User Guide, "Service control
// policies") and protects the role from changes by callers (see protectedRole). Returns
// InvalidInput when the name is taken, ValidationError, NoSuchEntity for an unknown policy.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, account string, in ServiceLinkedRoleInput) (*Role, error) {
	if len(in.AWSServiceName) > 128 || !serviceNamePattern.MatchString(in.AWSServiceName) {
		return nil, invalid("AWSServiceName", in.AWSServiceName, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	name := in.RoleName
	if in.CustomSuffix != "" {
		name += "_" + in.CustomSuffix
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + in.AWSServiceName +
		`"},"Action":"sts:AssumeRole"}]}`
	return s.createRole(ctx, account, CreateRoleInput{
		RoleName: name, Path: ServiceRolePath + in.AWSServiceName + "/", AssumeRolePolicyDocument: trust, Description: in.Description,
	}, &serviceLinkedSetup{policyARNs: in.PolicyARNs})
}

// protectedRole refuses a caller's change to a service-linked role: only the service that uses it
// may change or delete it (IAM API Reference, UnmodifiableEntity). The message is IAM's.
func protectedRole(r *Role) error {
	if !r.ServiceLinked && r.ManagedBy == "" {
		return nil
	}
	return awserr.New(awserr.UnmodifiableEntity, "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.RoleName)
}

func (t txn) role(account, name string) (*Role, error) {
	rec, ok, err := roles.Get(t, account, fold(name))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("RoleName", name, 64, "role")
	}
	return rec.role(), nil
}

// GetRole returns a role. Returns NoSuchEntity.
func (s *Service) GetRole(ctx context.Context, account, name string) (*Role, error) {
	if err := checkName("RoleName", name, 64); err != nil {
		return nil, err
	}
	var r *Role
	err := s.view(ctx, func(t txn) (err error) {
		if r, err = t.role(account, name); err != nil {
			return err
		}
		return t.effectiveTrust(r)
	})
	return r, err
}

// RoleARN returns a role's ARN (with its path) without reading its trust policy's principals, for
// callers that only need to name the role, such as the resource of every role operation's
// authorization. Returns NoSuchEntity.
func (s *Service) RoleARN(ctx context.Context, account, name string) (string, error) {
	var arn string
	err := s.view(ctx, func(t txn) error {
		r, err := t.role(account, name)
		if err == nil {
			arn = r.Arn
		}
		return err
	})
	return arn, err
}

// effectiveTrust puts in r's trust policy the unique ID in place of each user or role principal
// that no longer is the entity the policy named when it was saved — deleted, or deleted and
// created again (a new unique ID) — as IAM does: IAM keeps a trust policy's principals by unique ID
// and shows the ID of a deleted one, so a new entity of the same name is not trusted until the
// policy names it again ("IAM role principals", IAM User Guide). The policy engine lets such an ID
// match no one. Every reader of a role (GetRole, ListRoles, GetAccountAuthorizationDetails and
// AssumeRole's trust check, which goes through GetRole) sees this form; the stored role keeps the
// document as written.
func (t txn) effectiveTrust(r *Role) error {
	stale := map[string]string{}
	for a, id := range r.TrustPrincipalIDs {
		cur, _, err := t.principalEntity(a)
		if err != nil && !awserr.IsCode(err, awserr.NoSuchEntity) {
			return err
		}
		if cur != id {
			stale[a] = id
		}
	}
	if len(stale) == 0 {
		return nil
	}
	p, err := policy.Parse(r.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		return err
	}
	_, doc, err := p.WithPrincipals(stale)
	if err != nil {
		return err
	}
	if doc != "" {
		r.AssumeRolePolicyDocument = doc
	}
	return nil
}

// ListRoles lists roles by path prefix: in name order without a prefix, else by path, then name
// (listPrincipals).
func (s *Service) ListRoles(ctx context.Context, account, pathPrefix string, o ListOpts) (Page[Role], error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return Page[Role]{}, err
	}
	var p Page[Role]
	err := s.view(ctx, func(t txn) (err error) {
		p, err = listPrincipals(t, roles, account, pathPrefix, o, func(r *roleRecord) Role { return *r.role() })
		if err != nil {
			return err
		}
		for i := range p.Items {
			if err := t.effectiveTrust(&p.Items[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return p, err
}

// modifyRole loads a role, applies fn and stores it.
func (s *Service) modifyRole(ctx context.Context, account, name string, fn func(t txn, r *Role) error) error {
	return s.update(ctx, account, func(t txn) error {
		r, err := t.role(account, name)
		if err != nil {
			return err
		}
		if err := fn(t, r); err != nil {
			return err
		}
		return roles.Put(t, account, fold(name), roleRecordOf(r))
	})
}

// UpdateRole changes a role's description and maximum session duration; zero values leave them.
func (s *Service) UpdateRole(ctx context.Context, account, name string, description *string, maxSession int) error {
	if description != nil {
		if err := checkDescription(*description); err != nil {
			return err
		}
	}
	if maxSession != 0 {
		if err := checkMaxSession(maxSession); err != nil {
			return err
		}
	}
	return s.modifyRole(ctx, account, name, func(_ txn, r *Role) error {
		if maxSession != 0 {
			// A service-linked role's description may change, nothing else (IAM User Guide,
			// "Editing a service-linked role").
			if err := protectedRole(r); err != nil {
				return err
			}
		}
		if description != nil {
			r.Description = *description
		}
		if maxSession != 0 {
			r.MaxSessionDuration = maxSession
		}
		return nil
	})
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, account, name, doc string) error {
	trust, err := ValidateDocument(doc, policy.KindTrust, policy.LimitTrust)
	if err != nil {
		return err
	}
	ids, err := s.checkTrustPrincipals(ctx, trust)
	if err != nil {
		return err
	}
	return s.modifyRole(ctx, account, name, func(_ txn, r *Role) error {
		if err := protectedRole(r); err != nil {
			return err
		}
		r.AssumeRolePolicyDocument, r.TrustPrincipalIDs = doc, ids
		return nil
	})
}

// TagRole adds or overwrites tags on a role.
func (s *Service) TagRole(ctx context.Context, account, name string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.modifyRole(ctx, account, name, func(_ txn, r *Role) (err error) {
		r.Tags, err = mergeTags(r.Tags, tags, "TagsPerRole")
		return err
	})
}

// UntagRole removes tag keys from a role.
func (s *Service) UntagRole(ctx context.Context, account, name string, keys []string) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.modifyRole(ctx, account, name, func(_ txn, r *Role) error {
		r.Tags = removeTags(r.Tags, keys)
		return nil
	})
}

// PutRolePermissionsBoundary sets a role's permissions boundary.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, account, name, arn string) error {
	return s.modifyRole(ctx, account, name, func(t txn, r *Role) error {
		if err := protectedRole(r); err != nil {
			return err
		}
		if err := t.checkBoundary(account, arn); err != nil {
			return err
		}
		r.PermissionsBoundary = &Boundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: arn}
		return nil
	})
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, account, name string) error {
	return s.modifyRole(ctx, account, name, func(t txn, r *Role) error {
		if err := protectedRole(r); err != nil {
			return err
		}
		if r.PermissionsBoundary == nil {
			return awserr.New(awserr.NoSuchEntity, "The role %s has no permissions boundary.", name)
		}
		r.PermissionsBoundary = nil
		return nil
	})
}

// DeleteRole deletes a role without policies that is in no instance profile. Returns
// DeleteConflict.
func (s *Service) DeleteRole(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(t txn) error {
		r, err := t.role(account, name)
		if err != nil {
			return err
		}
		if err := protectedRole(r); err != nil {
			return err
		}
		key := fold(name)
		// IAM checks the instance profiles first: Terraform's aws_iam_role removes the role from
		// its profiles (ListInstanceProfilesForRole) before it deletes it.
		if in, err := t.roleInInstanceProfile(account, key); err != nil || in {
			if err == nil {
				err = awserr.New(awserr.DeleteConflict, "Cannot delete entity, must remove roles from instance profile first.")
			}
			return err
		}
		for _, c := range []struct{ kind, prefix, msg string }{
			{kindInline, principalRoleT + sep + key + sep, "Cannot delete entity, must delete policies first."},
			{kindAttached, principalRoleT + sep + key + sep, "Cannot delete entity, must detach all policies first."},
		} {
			n, err := t.Count(c.kind, account, c.prefix)
			if err != nil {
				return err
			}
			if n > 0 {
				return awserr.New(awserr.DeleteConflict, "%s", c.msg)
			}
		}
		return roles.DeleteIfExists(t, account, key)
	})
}

// checkTrustPrincipals refuses a trust policy naming an IAM user or role that does not exist in an
// account this installation holds, as IAM does, and returns the unique ID of each user and role it
// names, by ARN: IAM resolves each principal ARN to the entity's unique ID when the policy is saved
// and answers MalformedPolicyDocument "Invalid principal in policy" for one it cannot resolve (IAM
// User Guide, "AWS JSON policy elements: Principal"). A unique ID written as a principal is refused
// the same way: IAM only ever shows one, for a deleted principal, and a policy saved with it is
// "Invalid principal in policy" ("Why is there an unknown principal format in my IAM
// resource-based policy?", AWS Knowledge Center). Principals of accounts Rootward does not hold,
// account roots and wildcards are accepted.
func (s *Service) checkTrustPrincipals(ctx context.Context, p *policy.Policy) (map[string]string, error) {
	var ids map[string]string
	err := s.view(ctx, func(t txn) error {
		for _, st := range p.Statements {
			for _, el := range []*policy.PrincipalElement{st.Principal, st.NotPrincipal} {
				if el == nil {
					continue
				}
				for _, a := range el.AWS {
					if policy.IsUniqueID(a) {
						return awserr.New(awserr.MalformedPolicyDocument, "Invalid principal in policy: \"AWS\":\"%s\"", a)
					}
					id, held, err := t.principalEntity(a)
					if awserr.IsCode(err, awserr.NoSuchEntity) {
						return awserr.New(awserr.MalformedPolicyDocument, "Invalid principal in policy: \"AWS\":\"%s\"", a)
					}
					if err != nil {
						return err
					}
					if held && id != "" {
						if ids == nil {
							ids = map[string]string{}
						}
						ids[a] = id
					}
				}
			}
		}
		return nil
	})
	return ids, err
}

// principalEntity resolves a principal ARN naming an IAM user or role of an account this
// installation holds (held) to the entity's unique ID; id is "" when the ARN names no user or role
// of a held account, or names one under another path (such an ARN matches no caller). It answers
// NoSuchEntity when the account is held but has no user or role of that name.
func (t txn) principalEntity(a string) (id string, held bool, err error) {
	acct, kind, name, ok := splitPrincipalARN(a)
	if !ok {
		return "", false, nil
	}
	if _, err := t.account(acct); err != nil {
		if awserr.IsCode(err, awserr.NoSuchEntity) {
			return "", false, nil
		}
		return "", false, err
	}
	var entityARN string
	switch kind {
	case "user":
		var u *User
		if u, err = t.user(acct, name); err == nil {
			entityARN, id = u.Arn, u.UserID
		}
	default:
		var r *Role
		if r, err = t.role(acct, name); err == nil {
			entityARN, id = r.Arn, r.RoleID
		}
	}
	if err != nil {
		return "", true, err
	}
	if entityARN != a {
		return "", true, nil
	}
	return id, true, nil
}

// splitPrincipalARN splits arn:aws:iam::ACCT:user/path/NAME or …:role/path/NAME.
func splitPrincipalARN(a string) (account, kind, name string, ok bool) {
	rest, found := strings.CutPrefix(a, rwarn.IAMServicePrefix)
	if !found {
		return "", "", "", false
	}
	account, res, found := strings.Cut(rest, ":")
	if !found || len(account) != 12 {
		return "", "", "", false
	}
	kind, path, found := strings.Cut(res, "/")
	if !found || (kind != "user" && kind != "role") || strings.ContainsAny(path, "*?") {
		return "", "", "", false
	}
	return account, kind, path[strings.LastIndexByte(path, '/')+1:], true
}
