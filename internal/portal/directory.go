package portal

import (
	"context"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/identitycenter"
)

// ICDirectory is Directory over Identity Center's model (internal/identitycenter), with the
// accounts' names and emails from IAM.
type ICDirectory struct {
	IC  *identitycenter.Service
	IAM *iam.Service
}

// instance returns the instance instanceID, nil when there is none.
func (d ICDirectory) instance(ctx context.Context, instanceID string) (*identitycenter.PortalInstance, error) {
	all, err := d.IC.PortalInstances(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].InstanceID == instanceID {
			return &all[i], nil
		}
	}
	return nil, nil
}

func portalUser(su *identitycenter.SignInUser) *User {
	if su == nil || !su.Enabled {
		return nil
	}
	return &User{InstanceAccount: su.Ref.Account, InstanceID: su.Ref.Instance, IdentityStoreID: su.Ref.IdentityStoreID,
		UserID: su.Ref.UserID, UserName: su.UserName, DisplayName: su.DisplayName, Email: su.Email}
}

func notFound(err error) bool { return awserr.IsCode(err, awserr.ICResourceNotFound) }

// UserByName implements Directory.
func (d ICDirectory) UserByName(ctx context.Context, instanceID, userName string) (*User, error) {
	su, err := d.IC.FindUser(ctx, instanceID, userName)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return portalUser(su), nil
}

// UserByID implements Directory.
func (d ICDirectory) UserByID(ctx context.Context, instanceID, userID string) (*User, error) {
	in, err := d.instance(ctx, instanceID)
	if err != nil || in == nil {
		return nil, err
	}
	su, err := d.IC.SignInUser(ctx, identitycenter.UserRef{Account: in.Account, Instance: in.InstanceID, IdentityStoreID: in.IdentityStoreID, UserID: userID})
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return portalUser(su), nil
}

// Assignments implements Directory: the provisioned roles of the user's assignments.
func (d ICDirectory) Assignments(ctx context.Context, u *User) ([]Assignment, error) {
	roles, err := d.IC.UserAccountRoles(ctx, ref(u))
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]Assignment, 0, len(roles))
	names := map[string]*iam.Account{}
	for _, r := range roles {
		a, ok := names[r.AccountID]
		if !ok {
			if a, err = d.IAM.GetAccount(ctx, r.AccountID); err != nil && !awserr.IsCode(err, awserr.NoSuchEntity) {
				return nil, err
			}
			names[r.AccountID] = a
		}
		as := Assignment{AccountID: r.AccountID, PermissionSetName: r.PermissionSetName, RoleName: r.RoleName,
			SessionDuration: time.Duration(r.SessionSeconds) * time.Second, ProviderName: r.ProviderName}
		if a != nil {
			as.AccountName, as.AccountEmail = a.Name, a.Email
		}
		out = append(out, as)
	}
	return out, nil
}

// ref is u as Identity Center names it.
func ref(u *User) identitycenter.UserRef {
	return identitycenter.UserRef{Account: u.InstanceAccount, Instance: u.InstanceID, IdentityStoreID: u.IdentityStoreID, UserID: u.UserID}
}
