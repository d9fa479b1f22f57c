package server

import (
	"encoding/xml"
	"net/url"
	"strings"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// IAM operations over awsQuery. Shapes follow the IAM API reference and the aws-sdk-go-v2
// service/iam deserializers (e.g. awsAwsquery_deserializeOpDocumentCreateUserOutput).

func listOpts(c *call) (iam.ListOpts, error) {
	n, err := c.params.Int("MaxItems", 0, 1, 1000)
	return iam.ListOpts{Marker: c.params.Get("Marker"), MaxItems: n}, err
}

func tagsParam(c *call, name string) []iam.Tag {
	var out []iam.Tag
	for _, m := range c.params.Structs(name, "Key", "Value") {
		out = append(out, iam.Tag{Key: m["Key"], Value: m["Value"]})
	}
	return out
}

// encodeDoc percent-encodes a policy document as IAM returns documents (RFC 3986; IAM API
// reference, GetUserPolicy: "The policy document returned in this structure is URL-encoded").
func encodeDoc(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// paged is the common tail of IAM list results.
type paged struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

func pageOf[T any](p iam.Page[T]) paged { return paged{IsTruncated: p.IsTruncated, Marker: p.Marker} }

func arnOf(c *call, kind, name string) string {
	if name == "" {
		return arn.IAM(c.Account(), kind+"/*")
	}
	return arn.IAM(c.Account(), kind+"/"+name)
}

// userName is the UserName parameter, defaulting to the calling user as IAM does for GetUser,
// access keys and the like ("If you do not specify a user name, IAM determines the user name
// implicitly based on the AWS access key ID used to sign the request").
func userName(c *call) string {
	if n := c.params.Get("UserName"); n != "" {
		return n
	}
	return c.Caller.UserName
}

func userRes(c *call) string {
	n := userName(c)
	if n == "" && c.Caller.Type == iam.PrincipalRoot {
		return c.Caller.ARN
	}
	if u, err := c.s.iam.GetUser(c.Ctx, c.Account(), n); err == nil {
		return u.Arn
	}
	return arnOf(c, "user", n)
}

func groupRes(c *call) string {
	if a, err := c.s.iam.GroupARN(c.Ctx, c.Account(), c.params.Get("GroupName")); err == nil {
		return a
	}
	return arnOf(c, "group", c.params.Get("GroupName"))
}

// newRes is the resource of a Create* operation: the ARN the new entity will have, with the Path
// the caller asks for, so that a policy scoped to a path ("arn:aws:iam::*:role/app/*", or a Deny
// on "user/admins/*") decides on the path the entity gets.
func newRes(kind, nameParam string) func(c *call) string {
	return func(c *call) string {
		p := c.params.Get("Path")
		if p == "" {
			p = "/"
		}
		return arn.IAMEntity(c.Account(), kind, p, c.params.Get(nameParam))
	}
}

// renamedRes is the second resource of UpdateUser and UpdateGroup: the entity under its new name
// or path. "To change a user name, the requester must have appropriate permissions on both the
// source object and the target object" (IAM API Reference, UpdateUser; UpdateGroup alike).
func renamedRes(kind, nameParam, newNameParam string, current func(c *call) string) func(c *call) []string {
	return func(c *call) []string {
		newName, newPath := c.params.Get(newNameParam), c.params.Get("NewPath")
		if newName == "" && newPath == "" {
			return nil
		}
		cur, err := arn.Parse(current(c))
		if err != nil {
			return nil
		}
		// The resource is KIND/PATH/NAME, PATH possibly empty.
		_, rest, _ := strings.Cut(cur.Resource, "/")
		i := strings.LastIndexByte(rest, '/')
		path, name := "/"+rest[:i+1], rest[i+1:]
		if newName != "" {
			name = newName
		}
		if newPath != "" {
			path = newPath
		}
		return []string{arn.IAMEntity(c.Account(), kind, path, name)}
	}
}

func roleRes(c *call) string {
	if a, err := c.s.iam.RoleARN(c.Ctx, c.Account(), c.params.Get("RoleName")); err == nil {
		return a
	}
	return arnOf(c, "role", c.params.Get("RoleName"))
}

func policyRes(c *call) string {
	if a := c.params.Get("PolicyArn"); a != "" {
		return a
	}
	return arnOf(c, "policy", c.params.Get("PolicyName"))
}

// needUser returns the target user name, or a ValidationError when neither the parameter nor the
// caller names one (a root or role caller must name the user).
func needUser(c *call) (string, error) {
	n := userName(c)
	if n == "" {
		return "", awsproto.MissingParam("UserName")
	}
	return n, nil
}

type userResult struct {
	User *iam.User `xml:"User"`
}

type roleOut struct {
	*iam.Role
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
}

func roleXML(r *iam.Role) roleOut {
	return roleOut{Role: r, AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicyDocument)}
}

type policyVersionOut struct {
	Document         string        `xml:"Document,omitempty"`
	VersionID        string        `xml:"VersionId"`
	IsDefaultVersion bool          `xml:"IsDefaultVersion"`
	CreateDate       awsproto.Time `xml:"CreateDate"`
}

func versionXML(v iam.PolicyVersion) policyVersionOut {
	out := policyVersionOut{VersionID: v.VersionID, IsDefaultVersion: v.IsDefaultVersion, CreateDate: awsproto.Time(v.CreateDate)}
	if v.Document != "" {
		out.Document = encodeDoc(v.Document)
	}
	return out
}

type accessKeyMeta struct {
	UserName    string        `xml:"UserName"`
	AccessKeyID string        `xml:"AccessKeyId"`
	Status      string        `xml:"Status"`
	CreateDate  awsproto.Time `xml:"CreateDate"`
}

func iamOps() map[string]*op {
	ops := map[string]*op{
		// Users.
		"CreateUser": {resource: newRes("user", "UserName"), keys: createEntityKeys, run: func(c *call) (any, error) {
			u, err := c.s.iam.CreateUser(c.Ctx, c.Account(), iam.CreateUserInput{
				UserName: c.params.Get("UserName"), Path: c.params.Get("Path"),
				PermissionsBoundary: c.params.Get("PermissionsBoundary"), Tags: tagsParam(c, "Tags"),
			})
			return userResult{u}, err
		}},
		"GetUser": {resource: userRes, run: func(c *call) (any, error) {
			if userName(c) == "" && c.Caller.Type == iam.PrincipalRoot {
				return rootUser(c)
			}
			n, err := needUser(c)
			if err != nil {
				return nil, err
			}
			u, err := c.s.iam.GetUser(c.Ctx, c.Account(), n)
			return userResult{u}, err
		}},
		"ListUsers": {run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			p, err := c.s.iam.ListUsers(c.Ctx, c.Account(), c.params.Get("PathPrefix"), o)
			return struct {
				Users []iam.User `xml:"Users>member"`
				paged
			}{p.Items, pageOf(p)}, err
		}},
		"UpdateUser": {resource: userRes, moreResources: renamedRes("user", "UserName", "NewUserName", userRes), run: func(c *call) (any, error) {
			n, err := c.params.Required("UserName")
			if err != nil {
				return nil, err
			}
			return nil, c.s.iam.UpdateUser(c.Ctx, c.Account(), n, c.params.Get("NewUserName"), c.params.Get("NewPath"))
		}},
		"DeleteUser": {resource: userRes, run: func(c *call) (any, error) {
			n, err := c.params.Required("UserName")
			if err != nil {
				return nil, err
			}
			return nil, c.s.iam.DeleteUser(c.Ctx, c.Account(), n)
		}},
		"TagUser": {resource: userRes, keys: tagRequestKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.TagUser(c.Ctx, c.Account(), c.params.Get("UserName"), tagsParam(c, "Tags"))
		}},
		"UntagUser": {resource: userRes, keys: untagKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.UntagUser(c.Ctx, c.Account(), c.params.Get("UserName"), c.params.List("TagKeys"))
		}},
		"ListUserTags": {resource: userRes, run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			u, err := c.s.iam.GetUser(c.Ctx, c.Account(), c.params.Get("UserName"))
			if err != nil {
				return nil, err
			}
			page, err := iam.PageTags(u.Tags, o)
			return struct {
				Tags []iam.Tag `xml:"Tags>member"`
				paged
			}{page.Items, pageOf(page)}, err
		}},
		"PutUserPermissionsBoundary": {resource: userRes, keys: newBoundaryKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.PutUserPermissionsBoundary(c.Ctx, c.Account(), c.params.Get("UserName"), c.params.Get("PermissionsBoundary"))
		}},
		"DeleteUserPermissionsBoundary": {resource: userRes, keys: currentBoundaryKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.DeleteUserPermissionsBoundary(c.Ctx, c.Account(), c.params.Get("UserName"))
		}},

		// Groups.
		"CreateGroup": {resource: newRes("group", "GroupName"), run: func(c *call) (any, error) {
			g, err := c.s.iam.CreateGroup(c.Ctx, c.Account(), c.params.Get("GroupName"), c.params.Get("Path"))
			return struct {
				Group *iam.Group `xml:"Group"`
			}{g}, err
		}},
		"GetGroup": {resource: groupRes, run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			g, p, err := c.s.iam.GetGroup(c.Ctx, c.Account(), c.params.Get("GroupName"), o)
			return struct {
				Group *iam.Group `xml:"Group"`
				Users []iam.User `xml:"Users>member"`
				paged
			}{g, p.Items, pageOf(p)}, err
		}},
		"ListGroups": {run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			p, err := c.s.iam.ListGroups(c.Ctx, c.Account(), c.params.Get("PathPrefix"), o)
			return struct {
				Groups []iam.Group `xml:"Groups>member"`
				paged
			}{p.Items, pageOf(p)}, err
		}},
		"ListGroupsForUser": {resource: userRes, run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			p, err := c.s.iam.ListGroupsForUser(c.Ctx, c.Account(), c.params.Get("UserName"), o)
			return struct {
				Groups []iam.Group `xml:"Groups>member"`
				paged
			}{p.Items, pageOf(p)}, err
		}},
		"UpdateGroup": {resource: groupRes, moreResources: renamedRes("group", "GroupName", "NewGroupName", groupRes), run: func(c *call) (any, error) {
			return nil, c.s.iam.UpdateGroup(c.Ctx, c.Account(), c.params.Get("GroupName"), c.params.Get("NewGroupName"), c.params.Get("NewPath"))
		}},
		"DeleteGroup": {resource: groupRes, run: func(c *call) (any, error) {
			return nil, c.s.iam.DeleteGroup(c.Ctx, c.Account(), c.params.Get("GroupName"))
		}},
		"AddUserToGroup": {resource: groupRes, run: func(c *call) (any, error) {
			return nil, c.s.iam.AddUserToGroup(c.Ctx, c.Account(), c.params.Get("GroupName"), c.params.Get("UserName"))
		}},
		"RemoveUserFromGroup": {resource: groupRes, run: func(c *call) (any, error) {
			return nil, c.s.iam.RemoveUserFromGroup(c.Ctx, c.Account(), c.params.Get("GroupName"), c.params.Get("UserName"))
		}},

		// Roles.
		"CreateRole": {resource: newRes("role", "RoleName"), keys: createEntityKeys, run: func(c *call) (any, error) {
			maxS, err := c.params.Int("MaxSessionDuration", 0, 3600, 43200)
			if err != nil {
				return nil, err
			}
			r, err := c.s.iam.CreateRole(c.Ctx, c.Account(), iam.CreateRoleInput{
				RoleName: c.params.Get("RoleName"), Path: c.params.Get("Path"),
				AssumeRolePolicyDocument: c.params.Get("AssumeRolePolicyDocument"), Description: c.params.Get("Description"),
				PermissionsBoundary: c.params.Get("PermissionsBoundary"), MaxSessionDuration: maxS, Tags: tagsParam(c, "Tags"),
			})
			if err != nil {
				return nil, err
			}
			return struct {
				Role roleOut `xml:"Role"`
			}{roleXML(r)}, nil
		}},
		"GetRole": {resource: roleRes, run: func(c *call) (any, error) {
			r, err := c.s.iam.GetRole(c.Ctx, c.Account(), c.params.Get("RoleName"))
			if err != nil {
				return nil, err
			}
			return struct {
				Role roleOut `xml:"Role"`
			}{roleXML(r)}, nil
		}},
		"ListRoles": {run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			p, err := c.s.iam.ListRoles(c.Ctx, c.Account(), c.params.Get("PathPrefix"), o)
			out := make([]roleOut, len(p.Items))
			for i := range p.Items {
				out[i] = roleXML(&p.Items[i])
			}
			return struct {
				Roles []roleOut `xml:"Roles>member"`
				paged
			}{out, pageOf(p)}, err
		}},
		"UpdateRole": {resource: roleRes, run: func(c *call) (any, error) {
			maxS, err := c.params.Int("MaxSessionDuration", 0, 3600, 43200)
			if err != nil {
				return nil, err
			}
			var desc *string
			if c.params.Has("Description") {
				d := c.params.Get("Description")
				desc = &d
			}
			return nil, c.s.iam.UpdateRole(c.Ctx, c.Account(), c.params.Get("RoleName"), desc, maxS)
		}},
		"UpdateRoleDescription": {resource: roleRes, run: func(c *call) (any, error) {
			d := c.params.Get("Description")
			if err := c.s.iam.UpdateRole(c.Ctx, c.Account(), c.params.Get("RoleName"), &d, 0); err != nil {
				return nil, err
			}
			r, err := c.s.iam.GetRole(c.Ctx, c.Account(), c.params.Get("RoleName"))
			if err != nil {
				return nil, err
			}
			return struct {
				Role roleOut `xml:"Role"`
			}{roleXML(r)}, nil
		}},
		"UpdateAssumeRolePolicy": {resource: roleRes, run: func(c *call) (any, error) {
			return nil, c.s.iam.UpdateAssumeRolePolicy(c.Ctx, c.Account(), c.params.Get("RoleName"), c.params.Get("PolicyDocument"))
		}},
		"DeleteRole": {resource: roleRes, run: func(c *call) (any, error) {
			return nil, c.s.iam.DeleteRole(c.Ctx, c.Account(), c.params.Get("RoleName"))
		}},
		"TagRole": {resource: roleRes, keys: tagRequestKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.TagRole(c.Ctx, c.Account(), c.params.Get("RoleName"), tagsParam(c, "Tags"))
		}},
		"UntagRole": {resource: roleRes, keys: untagKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.UntagRole(c.Ctx, c.Account(), c.params.Get("RoleName"), c.params.List("TagKeys"))
		}},
		"ListRoleTags": {resource: roleRes, run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			r, err := c.s.iam.GetRole(c.Ctx, c.Account(), c.params.Get("RoleName"))
			if err != nil {
				return nil, err
			}
			page, err := iam.PageTags(r.Tags, o)
			return struct {
				Tags []iam.Tag `xml:"Tags>member"`
				paged
			}{page.Items, pageOf(page)}, err
		}},
		"PutRolePermissionsBoundary": {resource: roleRes, keys: newBoundaryKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.PutRolePermissionsBoundary(c.Ctx, c.Account(), c.params.Get("RoleName"), c.params.Get("PermissionsBoundary"))
		}},
		"DeleteRolePermissionsBoundary": {resource: roleRes, keys: currentBoundaryKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.DeleteRolePermissionsBoundary(c.Ctx, c.Account(), c.params.Get("RoleName"))
		}},

		// Managed policies.
		"CreatePolicy": {resource: newRes("policy", "PolicyName"), keys: tagRequestKeys, run: func(c *call) (any, error) {
			p, err := c.s.iam.CreatePolicy(c.Ctx, c.Account(), iam.CreatePolicyInput{
				PolicyName: c.params.Get("PolicyName"), Path: c.params.Get("Path"), PolicyDocument: c.params.Get("PolicyDocument"),
				Description: c.params.Get("Description"), Tags: tagsParam(c, "Tags"),
			})
			return struct {
				Policy *iam.ManagedPolicy `xml:"Policy"`
			}{p}, err
		}},
		"GetPolicy": {resource: policyRes, run: func(c *call) (any, error) {
			p, err := c.s.iam.GetPolicy(c.Ctx, c.Account(), c.params.Get("PolicyArn"))
			return struct {
				Policy *iam.ManagedPolicy `xml:"Policy"`
			}{p}, err
		}},
		"DeletePolicy": {resource: policyRes, run: func(c *call) (any, error) {
			return nil, c.s.iam.DeletePolicy(c.Ctx, c.Account(), c.params.Get("PolicyArn"))
		}},
		"ListPolicies": {run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			only, err := c.params.Bool("OnlyAttached", false)
			if err != nil {
				return nil, err
			}
			p, err := c.s.iam.ListPolicies(c.Ctx, c.Account(), iam.ListPoliciesInput{
				Scope: c.params.Get("Scope"), OnlyAttached: only, PathPrefix: c.params.Get("PathPrefix"),
				PolicyUsageFilter: c.params.Get("PolicyUsageFilter"),
			}, o)
			return struct {
				Policies []iam.ManagedPolicy `xml:"Policies>member"`
				paged
			}{p.Items, pageOf(p)}, err
		}},
		"CreatePolicyVersion": {resource: policyRes, run: func(c *call) (any, error) {
			def, err := c.params.Bool("SetAsDefault", false)
			if err != nil {
				return nil, err
			}
			v, err := c.s.iam.CreatePolicyVersion(c.Ctx, c.Account(), c.params.Get("PolicyArn"), c.params.Get("PolicyDocument"), def)
			if err != nil {
				return nil, err
			}
			v.Document = ""
			return struct {
				PolicyVersion policyVersionOut `xml:"PolicyVersion"`
			}{versionXML(*v)}, nil
		}},
		"GetPolicyVersion": {resource: policyRes, run: func(c *call) (any, error) {
			v, err := c.s.iam.GetPolicyVersion(c.Ctx, c.Account(), c.params.Get("PolicyArn"), c.params.Get("VersionId"))
			if err != nil {
				return nil, err
			}
			return struct {
				PolicyVersion policyVersionOut `xml:"PolicyVersion"`
			}{versionXML(*v)}, nil
		}},
		"ListPolicyVersions": {resource: policyRes, run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			p, err := c.s.iam.ListPolicyVersions(c.Ctx, c.Account(), c.params.Get("PolicyArn"), o)
			out := make([]policyVersionOut, len(p.Items))
			for i, v := range p.Items {
				out[i] = versionXML(v)
			}
			return struct {
				Versions []policyVersionOut `xml:"Versions>member"`
				paged
			}{out, pageOf(p)}, err
		}},
		"DeletePolicyVersion": {resource: policyRes, run: func(c *call) (any, error) {
			return nil, c.s.iam.DeletePolicyVersion(c.Ctx, c.Account(), c.params.Get("PolicyArn"), c.params.Get("VersionId"))
		}},
		"SetDefaultPolicyVersion": {resource: policyRes, run: func(c *call) (any, error) {
			return nil, c.s.iam.SetDefaultPolicyVersion(c.Ctx, c.Account(), c.params.Get("PolicyArn"), c.params.Get("VersionId"))
		}},
		"TagPolicy": {resource: policyRes, keys: tagRequestKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.TagPolicy(c.Ctx, c.Account(), c.params.Get("PolicyArn"), tagsParam(c, "Tags"))
		}},
		"UntagPolicy": {resource: policyRes, keys: untagKeys, run: func(c *call) (any, error) {
			return nil, c.s.iam.UntagPolicy(c.Ctx, c.Account(), c.params.Get("PolicyArn"), c.params.List("TagKeys"))
		}},
		"ListPolicyTags": {resource: policyRes, run: func(c *call) (any, error) {
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			p, err := c.s.iam.GetPolicy(c.Ctx, c.Account(), c.params.Get("PolicyArn"))
			if err != nil {
				return nil, err
			}
			page, err := iam.PageTags(p.Tags, o)
			return struct {
				Tags []iam.Tag `xml:"Tags>member"`
				paged
			}{page.Items, pageOf(page)}, err
		}},
		"ListEntitiesForPolicy": {resource: policyRes, run: func(c *call) (any, error) {
			e, err := c.s.iam.ListEntitiesForPolicy(c.Ctx, c.Account(), c.params.Get("PolicyArn"), c.params.Get("EntityFilter"))
			if err != nil {
				return nil, err
			}
			type pu struct {
				UserName string `xml:"UserName"`
			}
			type pg struct {
				GroupName string `xml:"GroupName"`
			}
			type pr struct {
				RoleName string `xml:"RoleName"`
			}
			out := struct {
				PolicyGroups []pg `xml:"PolicyGroups>member"`
				PolicyUsers  []pu `xml:"PolicyUsers>member"`
				PolicyRoles  []pr `xml:"PolicyRoles>member"`
				paged
			}{}
			for _, n := range e.Users {
				out.PolicyUsers = append(out.PolicyUsers, pu{n})
			}
			for _, n := range e.Groups {
				out.PolicyGroups = append(out.PolicyGroups, pg{n})
			}
			for _, n := range e.Roles {
				out.PolicyRoles = append(out.PolicyRoles, pr{n})
			}
			return out, nil
		}},

		// Access keys.
		"CreateAccessKey": {resource: userRes, run: func(c *call) (any, error) {
			n, err := needUser(c)
			if err != nil {
				return nil, err
			}
			k, err := c.s.iam.CreateAccessKey(c.Ctx, c.Account(), n)
			if err != nil {
				return nil, err
			}
			return struct {
				AccessKey struct {
					accessKeyMeta
					SecretAccessKey string `xml:"SecretAccessKey"`
				} `xml:"AccessKey"`
			}{struct {
				accessKeyMeta
				SecretAccessKey string `xml:"SecretAccessKey"`
			}{accessKeyMeta{k.UserName, k.AccessKeyID, k.Status, awsproto.Time(k.CreateDate)}, k.Secret}}, nil
		}},
		"UpdateAccessKey": {resource: userRes, run: func(c *call) (any, error) {
			n, err := credUser(c)
			if err != nil {
				return nil, err
			}
			return nil, c.s.iam.UpdateAccessKey(c.Ctx, c.Account(), n, c.params.Get("AccessKeyId"), c.params.Get("Status"))
		}},
		"DeleteAccessKey": {resource: userRes, run: func(c *call) (any, error) {
			n, err := credUser(c)
			if err != nil {
				return nil, err
			}
			return nil, c.s.iam.DeleteAccessKey(c.Ctx, c.Account(), n, c.params.Get("AccessKeyId"))
		}},
		"ListAccessKeys": {resource: userRes, run: func(c *call) (any, error) {
			n, err := credUser(c)
			if err != nil {
				return nil, err
			}
			o, err := listOpts(c)
			if err != nil {
				return nil, err
			}
			p, err := c.s.iam.ListAccessKeys(c.Ctx, c.Account(), n, o)
			out := make([]accessKeyMeta, len(p.Items))
			for i, k := range p.Items {
				out[i] = accessKeyMeta{k.UserName, k.AccessKeyID, k.Status, awsproto.Time(k.CreateDate)}
			}
			return struct {
				AccessKeyMetadata []accessKeyMeta `xml:"AccessKeyMetadata>member"`
				paged
			}{out, pageOf(p)}, err
		}},
		"GetAccessKeyLastUsed": {resource: keyOwnerRes, run: func(c *call) (any, error) {
			id, err := c.params.Required("AccessKeyId")
			if err != nil {
				return nil, err
			}
			k, err := c.s.iam.GetAccessKeyLastUsed(c.Ctx, c.Account(), id)
			if err != nil {
				return nil, err
			}
			type lastUsed struct {
				LastUsedDate *awsproto.Time `xml:"LastUsedDate,omitempty"`
				ServiceName  string         `xml:"ServiceName"`
				Region       string         `xml:"Region"`
			}
			lu := lastUsed{ServiceName: "N/A", Region: "N/A"}
			if k.LastUsed != nil {
				t := awsproto.Time(*k.LastUsed)
				lu = lastUsed{&t, k.LastService, k.LastRegion}
			}
			return struct {
				UserName          string   `xml:"UserName,omitempty"`
				AccessKeyLastUsed lastUsed `xml:"AccessKeyLastUsed"`
			}{k.UserName, lu}, nil
		}},

		// Account alias.
		"CreateAccountAlias": {run: func(c *call) (any, error) {
			return nil, c.s.iam.CreateAccountAlias(c.Ctx, c.Account(), c.params.Get("AccountAlias"))
		}},
		"DeleteAccountAlias": {run: func(c *call) (any, error) {
			return nil, c.s.iam.DeleteAccountAlias(c.Ctx, c.Account(), c.params.Get("AccountAlias"))
		}},
		"ListAccountAliases": {run: func(c *call) (any, error) {
			a, err := c.s.iam.GetAccount(c.Ctx, c.Account())
			if err != nil {
				return nil, err
			}
			var aliases []string
			if a.Alias != "" {
				aliases = []string{a.Alias}
			}
			return struct {
				AccountAliases []string `xml:"AccountAliases>member"`
				paged
			}{AccountAliases: aliases}, nil
		}},
	}
	for _, pt := range []struct{ prefix, ptype, param string }{{"User", "user", "UserName"}, {"Group", "group", "GroupName"}, {"Role", "role", "RoleName"}} {
		addPrincipalPolicyOps(ops, pt.prefix, pt.ptype, pt.param)
	}
	addCredentialOps(ops)
	addSimulatorOps(ops)
	addContextKeyOps(ops)
	addCredentialReportOps(ops)
	addRootAccessOps(ops)
	for _, o := range ops {
		withResourceKeys(o)
	}
	return ops
}

// addPrincipalPolicyOps registers the eight per-principal policy operations (Attach/Detach/
// ListAttached…Policies, Put/Get/Delete/List…Policy) for users, groups or roles: the three families
// differ only in the parameter that names the principal.
func addPrincipalPolicyOps(ops map[string]*op, prefix, ptype, param string) {
	// Attach/Detach carry iam:PolicyARN; on a user or role they and Put/Delete of an inline policy
	// also carry the entity's current iam:PermissionsBoundary (a group has none).
	attach, change := attachKeys, currentBoundaryKeys
	if ptype == "group" {
		attach, change = groupAttachKeys, nil
	}
	res := func(c *call) string {
		switch ptype {
		case "user":
			return userRes(c)
		case "role":
			return roleRes(c)
		}
		return groupRes(c)
	}
	name := func(c *call) (string, error) { return c.params.Required(param) }
	ops["Attach"+prefix+"Policy"] = &op{resource: res, keys: attach, run: func(c *call) (any, error) {
		n, err := name(c)
		if err != nil {
			return nil, err
		}
		return nil, c.s.iam.AttachPolicy(c.Ctx, c.Account(), ptype, n, c.params.Get("PolicyArn"))
	}}
	ops["Detach"+prefix+"Policy"] = &op{resource: res, keys: attach, run: func(c *call) (any, error) {
		n, err := name(c)
		if err != nil {
			return nil, err
		}
		return nil, c.s.iam.DetachPolicy(c.Ctx, c.Account(), ptype, n, c.params.Get("PolicyArn"))
	}}
	ops["ListAttached"+prefix+"Policies"] = &op{resource: res, run: func(c *call) (any, error) {
		n, err := name(c)
		if err != nil {
			return nil, err
		}
		o, err := listOpts(c)
		if err != nil {
			return nil, err
		}
		p, err := c.s.iam.ListAttachedPolicies(c.Ctx, c.Account(), ptype, n, c.params.Get("PathPrefix"), o)
		return struct {
			AttachedPolicies []iam.AttachedPolicy `xml:"AttachedPolicies>member"`
			paged
		}{p.Items, pageOf(p)}, err
	}}
	ops["Put"+prefix+"Policy"] = &op{resource: res, keys: change, run: func(c *call) (any, error) {
		n, err := name(c)
		if err != nil {
			return nil, err
		}
		return nil, c.s.iam.PutInlinePolicy(c.Ctx, c.Account(), ptype, n, c.params.Get("PolicyName"), c.params.Get("PolicyDocument"))
	}}
	ops["Get"+prefix+"Policy"] = &op{resource: res, run: func(c *call) (any, error) {
		n, err := name(c)
		if err != nil {
			return nil, err
		}
		doc, err := c.s.iam.GetInlinePolicy(c.Ctx, c.Account(), ptype, n, c.params.Get("PolicyName"))
		if err != nil {
			return nil, err
		}
		return inlineResult{param: param, Name: n, PolicyName: c.params.Get("PolicyName"), PolicyDocument: encodeDoc(doc)}, nil
	}}
	ops["Delete"+prefix+"Policy"] = &op{resource: res, keys: change, run: func(c *call) (any, error) {
		n, err := name(c)
		if err != nil {
			return nil, err
		}
		return nil, c.s.iam.DeleteInlinePolicy(c.Ctx, c.Account(), ptype, n, c.params.Get("PolicyName"))
	}}
	ops["List"+prefix+"Policies"] = &op{resource: res, run: func(c *call) (any, error) {
		n, err := name(c)
		if err != nil {
			return nil, err
		}
		o, err := listOpts(c)
		if err != nil {
			return nil, err
		}
		p, err := c.s.iam.ListInlinePolicies(c.Ctx, c.Account(), ptype, n, o)
		return struct {
			PolicyNames []string `xml:"PolicyNames>member"`
			paged
		}{p.Items, pageOf(p)}, err
	}}
}

func rootUser(c *call) (any, error) {
	a, err := c.s.iam.GetAccount(c.Ctx, c.Account())
	if err != nil {
		return nil, err
	}
	// IAM's GetUser called with root credentials answers the root's UserId (the account ID), ARN
	// and creation date, without a user name or path.
	type rootOut struct {
		UserID     string        `xml:"UserId"`
		Arn        string        `xml:"Arn"`
		CreateDate awsproto.Time `xml:"CreateDate"`
	}
	return struct {
		User rootOut `xml:"User"`
	}{rootOut{a.ID, a.RootARN(), awsproto.Time(a.CreatedAt)}}, nil
}

// inlineResult is Get{User,Group,Role}PolicyResult: the principal's name element differs.
type inlineResult struct {
	param, Name, PolicyName, PolicyDocument string
}

// MarshalXML writes <UserName|GroupName|RoleName/><PolicyName/><PolicyDocument/>.
func (r inlineResult) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, f := range [][2]string{{r.param, r.Name}, {"PolicyName", r.PolicyName}, {"PolicyDocument", r.PolicyDocument}} {
		if err := e.EncodeElement(f[1], xml.StartElement{Name: xml.Name{Local: f[0]}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}
