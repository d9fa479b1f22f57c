package iamapi

import (
	"encoding/xml"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awsproto"
	"github.com/rootward/rootward/internal/iam"
)

// IAM users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, their permissions boundary,
// and the managed and inline policies of a user. Tags are in tags.go, group membership in
// groups.go, access keys in accesskeys.go.

var CreateUser = add(&api.Op[CreateUserInput, UserOutput]{
	Name: "CreateUser",
	Resource: func(c *api.Call, in *CreateUserInput) string {
		return newEntityARN(c, "user", in.Path, in.UserName)
	},
	Keys: func(c *api.Call, in *CreateUserInput) (authz.Keys, error) {
		return createEntityKeys(in.PermissionsBoundary, in.Tags), nil
	},
	Run: createUser,
})

// CreateUserInput is CreateUser's request.
type CreateUserInput struct {
	UserName            string `required:"true"`
	Path                string
	PermissionsBoundary string
	Tags                []iam.Tag
}

// UserOutput is the result of CreateUser.
type UserOutput struct {
	User *iam.User `xml:"User"`
}

func createUser(c *api.Call, in *CreateUserInput) (*UserOutput, error) {
	u, err := c.IAM.CreateUser(c.Ctx, c.Account(), iam.CreateUserInput{
		UserName: in.UserName, Path: in.Path, PermissionsBoundary: in.PermissionsBoundary, Tags: in.Tags,
	})
	if err != nil {
		return nil, err
	}
	return &UserOutput{User: u}, nil
}

var GetUser = add(&api.Op[GetUserInput, GetUserOutput]{
	Name: "GetUser",
	Resource: func(c *api.Call, in *GetUserInput) string {
		return userARN(c, in.UserName)
	},
	Run: getUser,
})

// GetUserInput is GetUser's request: the user, by default the caller.
type GetUserInput struct {
	UserName string
}

// GetUserOutput is GetUser's result: an IAM user, or the root user when a root caller names none.
type GetUserOutput struct {
	User *iam.User
	Root *RootUser
}

// RootUser is what IAM's GetUser answers about the root user, called with root credentials: its
// UserId (the account ID), ARN and creation date, without a user name or path.
type RootUser struct {
	UserID     string        `xml:"UserId"`
	Arn        string        `xml:"Arn"`
	CreateDate awsproto.Time `xml:"CreateDate"`
}

// MarshalXML writes <User> with the user or the root user in it.
func (o GetUserOutput) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	var user any = o.User
	if o.Root != nil {
		user = o.Root
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(user, xml.StartElement{Name: xml.Name{Local: "User"}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

func getUser(c *api.Call, in *GetUserInput) (*GetUserOutput, error) {
	if userOrCaller(c, in.UserName) == "" && c.Caller.Type == iam.PrincipalRoot {
		a, err := c.IAM.GetAccount(c.Ctx, c.Account())
		if err != nil {
			return nil, err
		}
		return &GetUserOutput{Root: &RootUser{UserID: a.ID, Arn: a.RootARN(), CreateDate: awsproto.Time(a.CreatedAt)}}, nil
	}
	n, err := needUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	// The user authorization read for its ARN and keys (entityARN, c.Facts) is the answer, as
	// of the snapshot the decision was taken on: one read of the store, not two. Only for the
	// name exactly as stored, a name GetUser's own checks pass; any other (no such user, a name
	// in other case, one GetUser refuses) takes GetUser's own read and errors.
	if u := c.Facts.User(); u != nil && u.UserName == n {
		return &GetUserOutput{User: u}, nil
	}
	u, err := c.IAM.GetUser(c.Ctx, c.Account(), n)
	if err != nil {
		return nil, err
	}
	return &GetUserOutput{User: u}, nil
}

// WriteResultXML writes the result as MarshalXML does (awsproto.ResultWriter).
func (o *GetUserOutput) WriteResultXML(w *awsproto.XMLWriter) {
	switch {
	case o.Root != nil:
		w.Start("User")
		w.String("UserId", o.Root.UserID)
		w.String("Arn", o.Root.Arn)
		w.AWSTime("CreateDate", o.Root.CreateDate)
		w.End("User")
	case o.User != nil:
		writeUser(w, "User", o.User)
	}
}

// writeUser writes u as the element name, as encoding/xml marshals an iam.User.
func writeUser(w *awsproto.XMLWriter, name string, u *iam.User) {
	w.Start(name)
	w.String("Path", u.Path)
	w.String("UserName", u.UserName)
	w.String("UserId", u.UserID)
	w.String("Arn", u.Arn)
	w.Time("CreateDate", u.CreateDate)
	if u.PasswordLastUsed != nil {
		w.Time("PasswordLastUsed", *u.PasswordLastUsed)
	}
	if b := u.PermissionsBoundary; b != nil {
		w.Start("PermissionsBoundary")
		w.String("PermissionsBoundaryType", b.PermissionsBoundaryType)
		w.String("PermissionsBoundaryArn", b.PermissionsBoundaryArn)
		w.End("PermissionsBoundary")
	}
	// No Tags element when there are none, as IAM answers (iam.TagList).
	if len(u.Tags) > 0 {
		w.Start("Tags")
		for _, t := range u.Tags {
			w.Start("member")
			w.String("Key", t.Key)
			w.String("Value", t.Value)
			w.End("member")
		}
		w.End("Tags")
	}
	w.End(name)
}

var ListUsers = add(&api.Op[ListUsersInput, ListUsersOutput]{Name: "ListUsers", Run: listUsers})

// ListUsersInput is ListUsers' request.
type ListUsersInput struct {
	PathPrefix string
	ListInput
}

// ListUsersOutput is ListUsers' result.
type ListUsersOutput struct {
	Users []iam.User `xml:"Users>member"`
	Paged
}

// WriteResultXML writes the result as encoding/xml would (awsproto.ResultWriter).
func (o *ListUsersOutput) WriteResultXML(w *awsproto.XMLWriter) {
	w.Start("Users") // written also when empty, as encoding/xml writes Users>member
	for i := range o.Users {
		writeUser(w, "member", &o.Users[i])
	}
	w.End("Users")
	o.Paged.writeXML(w)
}

func listUsers(c *api.Call, in *ListUsersInput) (*ListUsersOutput, error) {
	p, err := c.IAM.ListUsers(c.Ctx, c.Account(), in.PathPrefix, in.Opts())
	if err != nil {
		return nil, err
	}
	// "This operation does not return the following attributes, even though they are an attribute
	// of the returned object: PermissionsBoundary, Tags" (IAM API Reference, ListUsers).
	for i := range p.Items {
		p.Items[i].PermissionsBoundary, p.Items[i].Tags = nil, nil
	}
	return &ListUsersOutput{Users: p.Items, Paged: PageOf(p)}, nil
}

var UpdateUser = add(&api.Op[UpdateUserInput, struct{}]{
	Name: "UpdateUser",
	Resource: func(c *api.Call, in *UpdateUserInput) string {
		return userARN(c, in.UserName)
	},
	More: func(c *api.Call, in *UpdateUserInput) []string {
		return renamed(c, "user", in.NewUserName, in.NewPath)
	},
	Run: updateUser,
})

// UpdateUserInput is UpdateUser's request.
type UpdateUserInput struct {
	UserName    string `required:"true"`
	NewUserName string
	NewPath     string
}

func updateUser(c *api.Call, in *UpdateUserInput) (*struct{}, error) {
	return nil, c.IAM.UpdateUser(c.Ctx, c.Account(), in.UserName, in.NewUserName, in.NewPath)
}

// renamed is the second resource of UpdateUser and UpdateGroup: the entity (c.Resource, as
// resolved) under its new name or path. "To change a user name, the requester must have
// appropriate permissions on both the source object and the target object" (IAM API Reference,
// UpdateUser; UpdateGroup alike).
func renamed(c *api.Call, kind, newName, newPath string) []string {
	if newName == "" && newPath == "" {
		return nil
	}
	cur, err := arn.Parse(c.Resource)
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

var DeleteUser = add(&api.Op[UserNameInput, struct{}]{
	Name: "DeleteUser",
	Resource: func(c *api.Call, in *UserNameInput) string {
		return userARN(c, in.UserName)
	},
	Run: deleteUser,
})

// UserNameInput is the request of an operation on a user that takes nothing else (DeleteUser,
// DeleteUserPermissionsBoundary).
type UserNameInput struct {
	UserName string `required:"true"`
}

func deleteUser(c *api.Call, in *UserNameInput) (*struct{}, error) {
	return nil, c.IAM.DeleteUser(c.Ctx, c.Account(), in.UserName)
}

var PutUserPermissionsBoundary = add(&api.Op[PutUserPermissionsBoundaryInput, struct{}]{
	Name: "PutUserPermissionsBoundary",
	Resource: func(c *api.Call, in *PutUserPermissionsBoundaryInput) string {
		return userARN(c, in.UserName)
	},
	Keys: func(c *api.Call, in *PutUserPermissionsBoundaryInput) (authz.Keys, error) {
		return newBoundaryKeys(in.PermissionsBoundary), nil
	},
	Run: putUserPermissionsBoundary,
})

// PutUserPermissionsBoundaryInput is PutUserPermissionsBoundary's request.
type PutUserPermissionsBoundaryInput struct {
	UserName            string `required:"true"`
	PermissionsBoundary string `required:"true"`
}

func putUserPermissionsBoundary(c *api.Call, in *PutUserPermissionsBoundaryInput) (*struct{}, error) {
	return nil, c.IAM.PutUserPermissionsBoundary(c.Ctx, c.Account(), in.UserName, in.PermissionsBoundary)
}

var DeleteUserPermissionsBoundary = add(&api.Op[UserNameInput, struct{}]{
	Name: "DeleteUserPermissionsBoundary",
	Resource: func(c *api.Call, in *UserNameInput) string {
		return userARN(c, in.UserName)
	},
	Keys: func(c *api.Call, _ *UserNameInput) (authz.Keys, error) {
		return currentBoundaryKeys(c), nil
	},
	Run: deleteUserPermissionsBoundary,
})

func deleteUserPermissionsBoundary(c *api.Call, in *UserNameInput) (*struct{}, error) {
	return nil, c.IAM.DeleteUserPermissionsBoundary(c.Ctx, c.Account(), in.UserName)
}
