package identitycenter

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rootward/rootward/internal/arn"
	"github.com/rootward/rootward/internal/store"
)

// UserAttributes are the identity store's attributes of a user (Identity Store API Reference,
// "User"); the JSON names are the stored form (records.go) and the attribute paths UpdateUser
// names. Birthdate, Website, Photos, Roles and Extensions are not kept.
type UserAttributes struct {
	UserName          string        `json:"userName"`
	DisplayName       string        `json:"displayName,omitempty"`
	Name              *Name         `json:"name,omitempty"`
	NickName          string        `json:"nickName,omitempty"`
	ProfileURL        string        `json:"profileUrl,omitempty"`
	Emails            []Email       `json:"emails,omitempty"`
	Addresses         []Address     `json:"addresses,omitempty"`
	PhoneNumbers      []PhoneNumber `json:"phoneNumbers,omitempty"`
	UserType          string        `json:"userType,omitempty"`
	Title             string        `json:"title,omitempty"`
	PreferredLanguage string        `json:"preferredLanguage,omitempty"`
	Locale            string        `json:"locale,omitempty"`
	Timezone          string        `json:"timezone,omitempty"`
}

// Name is a user's name.
type Name struct {
	Formatted       string `json:"formatted,omitempty"`
	FamilyName      string `json:"familyName,omitempty"`
	GivenName       string `json:"givenName,omitempty"`
	MiddleName      string `json:"middleName,omitempty"`
	HonorificPrefix string `json:"honorificPrefix,omitempty"`
	HonorificSuffix string `json:"honorificSuffix,omitempty"`
}

// Email is one of a user's email addresses.
type Email struct {
	Value   string `json:"value,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// PhoneNumber is one of a user's phone numbers.
type PhoneNumber struct {
	Value   string `json:"value,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// Address is one of a user's addresses.
type Address struct {
	StreetAddress string `json:"streetAddress,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postalCode,omitempty"`
	Country       string `json:"country,omitempty"`
	Formatted     string `json:"formatted,omitempty"`
	Type          string `json:"type,omitempty"`
	Primary       bool   `json:"primary,omitempty"`
}

// ExternalID is an identifier a user or group has at an external identity provider.
type ExternalID struct {
	Issuer string `json:"issuer"`
	ID     string `json:"id"`
}

// User statuses (the identity store's UserStatus).
const (
	UserEnabled  = "ENABLED"
	UserDisabled = "DISABLED"
)

// User is an identity store user as the service answers it. Its sign-in state is not part of it
// (SignInUser is).
type User struct {
	IdentityStoreID string
	UserID          string
	UserAttributes
	ExternalIDs []ExternalID
	Status      string
	Created     time.Time
	CreatedBy   string
	Updated     time.Time
	UpdatedBy   string
}

func (r *userRecord) user(store string) *User {
	return &User{IdentityStoreID: store, UserID: r.ID, UserAttributes: r.Attrs, ExternalIDs: slices.Clone(r.ExternalIDs),
		Status: r.Status, Created: r.Created, CreatedBy: r.CreatedBy, Updated: r.Updated, UpdatedBy: r.UpdatedBy}
}

// UserARN is the ARN of a user (arn:aws:identitystore:::user/ID), the resource identitystore's
// user actions are authorized on.
func UserARN(id string) string { return arn.IdentityStore("", "user/"+id) }

// GroupARN is arn:aws:identitystore:::group/ID.
func GroupARN(id string) string { return arn.IdentityStore("", "group/"+id) }

// MembershipARN is arn:aws:identitystore:::membership/ID.
func MembershipARN(id string) string { return arn.IdentityStore("", "membership/"+id) }

// reservedNames may name no user or group ("Administrator and AWSAdministrators are reserved
// names and can't be used for users or groups", Identity Store API Reference, CreateUser).
var reservedNames = []string{"administrator", "awsadministrators"}

// Patterns of the identity store model: UserName is letters, marks, symbols, numbers and
// punctuation (no spaces); the other strings also allow tabs, line breaks and spaces.
var (
	userNamePattern   = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
	sensitivePattern  = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r  　]+$`)
	resourceIDPattern = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
)

// checkString applies the model's rule for a string attribute: 1–1024 characters of the pattern.
// An empty value is left to the caller (absent).
func checkString(path, v string) error {
	if v == "" {
		return nil
	}
	if utf8.RuneCountInString(v) > 1024 || !sensitivePattern.MatchString(v) {
		return invalid("The value of %s is not valid: it must be 1 to 1024 letters, numbers, symbols, punctuation or spaces.", path)
	}
	return nil
}

// checkUserName applies UserName's rules: 1–128 characters, no spaces, not a reserved name.
func checkUserName(v string) error {
	if v == "" {
		return invalid("UserName is required.")
	}
	if utf8.RuneCountInString(v) > 128 || !userNamePattern.MatchString(v) {
		return invalid("The value of UserName is not valid: it must be 1 to 128 letters, numbers, symbols or punctuation, without spaces.")
	}
	if slices.Contains(reservedNames, fold(v)) {
		return invalid("%s is a reserved name and cannot be used for a user or group.", v)
	}
	return nil
}

// checkUser applies the identity store's and Identity Center's rules to a user's attributes:
// Identity Center requires UserName, DisplayName and Name with GivenName and FamilyName ("When
// used in IAM Identity Center, this parameter is required", CreateUser); each string attribute is
// 1–1024 characters; at most one email, phone number and address is primary.
func checkUser(a *UserAttributes) error {
	if err := checkUserName(a.UserName); err != nil {
		return err
	}
	if a.DisplayName == "" {
		return invalid("DisplayName is required.")
	}
	if a.Name == nil || a.Name.GivenName == "" || a.Name.FamilyName == "" {
		return invalid("Name with GivenName and FamilyName is required.")
	}
	checks := [][2]string{
		{"displayName", a.DisplayName}, {"nickName", a.NickName}, {"profileUrl", a.ProfileURL}, {"userType", a.UserType},
		{"title", a.Title}, {"preferredLanguage", a.PreferredLanguage}, {"locale", a.Locale}, {"timezone", a.Timezone},
		{"name.formatted", a.Name.Formatted}, {"name.familyName", a.Name.FamilyName}, {"name.givenName", a.Name.GivenName},
		{"name.middleName", a.Name.MiddleName}, {"name.honorificPrefix", a.Name.HonorificPrefix},
		{"name.honorificSuffix", a.Name.HonorificSuffix},
	}
	primaries := [3]int{}
	for _, e := range a.Emails {
		checks = append(checks, [2]string{"emails.value", e.Value}, [2]string{"emails.type", e.Type})
		if e.Primary {
			primaries[0]++
		}
	}
	for _, p := range a.PhoneNumbers {
		checks = append(checks, [2]string{"phoneNumbers.value", p.Value}, [2]string{"phoneNumbers.type", p.Type})
		if p.Primary {
			primaries[1]++
		}
	}
	for _, ad := range a.Addresses {
		checks = append(checks, [2]string{"addresses.streetAddress", ad.StreetAddress}, [2]string{"addresses.locality", ad.Locality},
			[2]string{"addresses.region", ad.Region}, [2]string{"addresses.postalCode", ad.PostalCode},
			[2]string{"addresses.country", ad.Country}, [2]string{"addresses.formatted", ad.Formatted},
			[2]string{"addresses.type", ad.Type})
		if ad.Primary {
			primaries[2]++
		}
	}
	for _, c := range checks {
		if err := checkString(c[0], c[1]); err != nil {
			return err
		}
	}
	if len(a.Emails) > 1 || len(a.PhoneNumbers) > 1 || len(a.Addresses) > 1 {
		// "IAM Identity Center supports only one email address, phone number and address per user"
		// is Rootward's reading of the console, which offers one of each; AWS's text is not known.
		return invalid("IAM Identity Center supports one email address, one phone number and one address per user.")
	}
	if primaries[0] > 1 || primaries[1] > 1 || primaries[2] > 1 {
		return invalid("At most one email address, phone number and address may be primary.")
	}
	return nil
}

// userUniqueness maps an index refusal to ConflictException.
func userUniqueness(err error) error {
	var taken *store.ErrIndexTaken
	if errors.As(err, &taken) {
		switch taken.Index {
		case "username":
			return conflict(ReasonUniqueness, "Duplicate UserName")
		case "externalid":
			return conflict(ReasonUniqueness, "Duplicate ExternalId")
		case "displayname":
			return conflict(ReasonUniqueness, "Duplicate GroupDisplayName")
		}
	}
	return err
}

// CreateUser creates a user in the identity store idOrARN names (an ID or the store's ARN).
// by is the caller's principal ARN (CreatedBy). Returns ValidationException,
// ResourceNotFoundException (IDENTITY_STORE), ConflictException (UNIQUENESS_CONSTRAINT_VIOLATION).
func (s *Service) CreateUser(ctx context.Context, caller, idOrARN, by string, a UserAttributes) (*User, error) {
	if err := checkUser(&a); err != nil {
		return nil, err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	rec := &userRecord{ID: newUUID(), Attrs: a, Status: UserEnabled, Created: now, CreatedBy: by, Updated: now, UpdatedBy: by}
	err = store.Update(ctx, s.st, func(t txn) error {
		return userUniqueness(users.Insert(t, r.account, key(r.store, rec.ID), rec))
	})
	if err != nil {
		return nil, err
	}
	return rec.user(r.store), nil
}

// checkResourceID applies the identity store's ResourceId pattern to a user, group or membership ID.
func checkResourceID(member, id string) error {
	if !resourceIDPattern.MatchString(id) {
		return invalid("The value of %s is not a valid identifier.", member)
	}
	return nil
}

// userIn reads a user of r's store; ResourceNotFoundException (USER) when there is none.
func (t txn) userIn(r ref, id string) (*userRecord, error) { return entryIn(t, userEntries, r, id) }

// DescribeUser returns a user. Returns ValidationException, ResourceNotFoundException.
func (s *Service) DescribeUser(ctx context.Context, caller, idOrARN, userID string) (*User, error) {
	return describeEntry(ctx, s, userEntries, caller, idOrARN, userID)
}

// Filter is a ListUsers or ListGroups filter: AttributePath UserName (users) or DisplayName
// (groups), matched exactly, case-insensitively, as the names are unique.
type Filter struct{ AttributePath, AttributeValue string }

// ListOpts page a listing: Limit items (1–100, default 100) after the position After.
type ListOpts struct {
	Limit int
	After string
}

func (o ListOpts) limit() int {
	if o.Limit <= 0 || o.Limit > 100 {
		return 100
	}
	return o.Limit
}

// checkFilters applies ListUsers' and ListGroups' filter rules: at most one filter, on path.
func checkFilters(filters []Filter, path string) error {
	if len(filters) > 1 {
		return invalid("Only one filter is supported.")
	}
	for _, f := range filters {
		if f.AttributePath != path {
			return invalid("The attribute path %s is not supported as a filter; use %s.", f.AttributePath, path)
		}
		if f.AttributeValue == "" || utf8.RuneCountInString(f.AttributeValue) > 1024 {
			return invalid("The filter's AttributeValue must be 1 to 1024 characters.")
		}
	}
	return nil
}

// ListUsers lists a store's users in ID order, or the one user a UserName filter names. Returns
// ValidationException, ResourceNotFoundException.
func (s *Service) ListUsers(ctx context.Context, caller, idOrARN string, filters []Filter, o ListOpts) (store.Page[User], error) {
	return listEntries(ctx, s, userEntries, caller, idOrARN, filters, o)
}

// AttributeOperation is one change of UpdateUser or UpdateGroup: the attribute at Path set to
// Value (JSON), or removed when Value is absent or null.
type AttributeOperation struct {
	Path  string
	Value json.RawMessage
}

// userPaths are the attribute paths UpdateUser changes, each with the field it sets. Paths are
// case-sensitive, as in the API (userName, name.givenName, emails …).
var userPaths = map[string]func(a *UserAttributes) any{
	"userName": func(a *UserAttributes) any { return &a.UserName }, "displayName": func(a *UserAttributes) any { return &a.DisplayName },
	"nickName": func(a *UserAttributes) any { return &a.NickName }, "profileUrl": func(a *UserAttributes) any { return &a.ProfileURL },
	"userType": func(a *UserAttributes) any { return &a.UserType }, "title": func(a *UserAttributes) any { return &a.Title },
	"preferredLanguage": func(a *UserAttributes) any { return &a.PreferredLanguage }, "locale": func(a *UserAttributes) any { return &a.Locale },
	"timezone": func(a *UserAttributes) any { return &a.Timezone }, "emails": func(a *UserAttributes) any { return &a.Emails },
	"addresses": func(a *UserAttributes) any { return &a.Addresses }, "phoneNumbers": func(a *UserAttributes) any { return &a.PhoneNumbers },
	"name":           func(a *UserAttributes) any { return &a.Name },
	"name.formatted": nameField(func(n *Name) *string { return &n.Formatted }), "name.familyName": nameField(func(n *Name) *string { return &n.FamilyName }),
	"name.givenName": nameField(func(n *Name) *string { return &n.GivenName }), "name.middleName": nameField(func(n *Name) *string { return &n.MiddleName }),
	"name.honorificPrefix": nameField(func(n *Name) *string { return &n.HonorificPrefix }),
	"name.honorificSuffix": nameField(func(n *Name) *string { return &n.HonorificSuffix }),
}

func nameField(f func(n *Name) *string) func(a *UserAttributes) any {
	return func(a *UserAttributes) any {
		if a.Name == nil {
			a.Name = &Name{}
		}
		return f(a.Name)
	}
}

// applyOperation sets or removes the field at op.Path of v through field; a value of the wrong
// JSON type is ValidationException.
func applyOperation(op AttributeOperation, field any) error {
	v := strings.TrimSpace(string(op.Value))
	if v == "" || v == "null" {
		switch f := field.(type) {
		case *string:
			*f = ""
		case *[]Email:
			*f = nil
		case *[]Address:
			*f = nil
		case *[]PhoneNumber:
			*f = nil
		case **Name:
			*f = nil
		}
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(field); err != nil {
		return invalid("The value for the attribute path %s is not valid.", op.Path)
	}
	return nil
}

// UpdateUser applies operations to a user. Returns ValidationException (an unknown path, a value
// of the wrong type, attributes that break the rules of CreateUser), ResourceNotFoundException,
// ConflictException (a user name taken).
func (s *Service) UpdateUser(ctx context.Context, caller, idOrARN, userID, by string, ops []AttributeOperation) error {
	return updateEntry(ctx, s, userEntries, caller, idOrARN, userID, ops, func(u *userRecord, op AttributeOperation) error {
		field, ok := userPaths[op.Path]
		if !ok {
			return invalid("The attribute path %s is not valid for a user.", op.Path)
		}
		return applyOperation(op, field(&u.Attrs))
	}, func(u *userRecord) error {
		if err := checkUser(&u.Attrs); err != nil {
			return err
		}
		u.Updated, u.UpdatedBy = s.Now(), by
		return nil
	})
}

// DeleteUser deletes a user with its group memberships and account assignments (Identity Center
// removes a deleted user's assignments). Returns ValidationException, ResourceNotFoundException.
func (s *Service) DeleteUser(ctx context.Context, caller, idOrARN, userID string) error {
	return s.deletePrincipal(ctx, caller, idOrARN, PrincipalUser, userID)
}

// deletePrincipal deletes a user or group of a store, its memberships and its account
// assignments, then, in the background, the roles no assignment uses any more.
func (s *Service) deletePrincipal(ctx context.Context, caller, idOrARN, ptype, id string) error {
	member, index := "UserId", "member"
	if ptype == PrincipalGroup {
		member, index = "GroupId", "group"
	}
	if err := checkResourceID(member, id); err != nil {
		return err
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return err
	}
	var gone [][2]string
	err = store.Update(ctx, s.st, func(t txn) error {
		gone = gone[:0]
		var err error
		if ptype == PrincipalGroup {
			_, err = t.groupIn(r, id)
		} else {
			_, err = t.userIn(r, id)
		}
		if err != nil {
			return err
		}
		if err := t.deleteMemberships(r, index, id); err != nil {
			return err
		}
		if err := t.deletePrincipalAssignments(r, id, &gone); err != nil {
			return err
		}
		if ptype == PrincipalGroup {
			return groups.Delete(t, r.account, key(r.store, id))
		}
		return users.Delete(t, r.account, key(r.store, id))
	})
	if err == nil {
		s.cleanup(r, gone)
	}
	return err
}

// GetUserID finds a user by a unique attribute (path "userName" or "emails.value") or an
// external ID. Returns ValidationException, ResourceNotFoundException.
func (s *Service) GetUserID(ctx context.Context, caller, idOrARN string, unique *Filter, ext *ExternalID) (string, error) {
	if (unique == nil) == (ext == nil) {
		return "", invalid("AlternateIdentifier must name exactly one of UniqueAttribute and ExternalId.")
	}
	r, err := s.resolveStore(ctx, caller, idOrARN)
	if err != nil {
		return "", err
	}
	var id string
	err = store.View(ctx, s.st, func(t txn) error {
		var u *userRecord
		var ok bool
		var err error
		switch {
		case ext != nil:
			_, u, ok, err = users.Lookup(t, "externalid", r.account, externalIDValues(r.store, []ExternalID{*ext})[0])
		case unique.AttributePath == "userName":
			var v string
			if json.Unmarshal([]byte(unique.AttributeValue), &v) != nil {
				v = unique.AttributeValue
			}
			_, u, ok, err = users.Lookup(t, "username", r.account, key(r.store, fold(v)))
		case unique.AttributePath == "emails.value":
			var v string
			if json.Unmarshal([]byte(unique.AttributeValue), &v) != nil {
				v = unique.AttributeValue
			}
			u, ok, err = t.userByEmail(r, v)
		default:
			return invalid("The attribute path %s is not a unique attribute of a user; use userName or emails.value.", unique.AttributePath)
		}
		if err != nil {
			return err
		}
		if !ok {
			return notFound(ResourceUser, "")
		}
		id = u.ID
		return nil
	})
	return id, err
}

// userByEmail finds the one user whose email is v (case-insensitively); a store where several
// share it answers none. It reads the store's users: emails are not indexed, and this is GetUserId
// only.
func (t txn) userByEmail(r ref, v string) (*userRecord, bool, error) {
	var found *userRecord
	n := 0
	src := users.Range(t, r.account, r.store+"/")
	after := ""
	for {
		items, err := src(after, 256)
		if err != nil {
			return nil, false, err
		}
		for _, it := range items {
			u, err := users.Decode(it.Body)
			if err != nil {
				return nil, false, err
			}
			for _, e := range u.Attrs.Emails {
				if strings.EqualFold(e.Value, v) {
					found, n = u, n+1
				}
			}
			after = it.Key
		}
		if len(items) < 256 {
			break
		}
	}
	return found, n == 1, nil
}
