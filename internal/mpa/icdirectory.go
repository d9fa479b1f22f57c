package mpa

import (
	"context"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
)

// ICDirectory is Multi-party approval's view of IAM Identity Center (Directory): the
// instances identity sources name and the users approval teams name as approvers.
type ICDirectory struct {
	IC *identitycenter.Service
	// Region is the Region Rootward answers in; an Identity Center instance lives in one.
	Region string
}

// find returns the instance of ARN instanceARN among the server's instances.
func (d ICDirectory) find(ctx context.Context, instanceARN string) (identitycenter.PortalInstance, bool, error) {
	insts, err := d.IC.PortalInstances(ctx)
	if err != nil {
		return identitycenter.PortalInstance{}, false, err
	}
	for _, in := range insts {
		if identitycenter.InstanceARN(in.InstanceID) == instanceARN {
			return in, true, nil
		}
	}
	return identitycenter.PortalInstance{}, false, nil
}

func (d ICDirectory) Instance(ctx context.Context, instanceARN string) (Instance, bool, error) {
	in, ok, err := d.find(ctx, instanceARN)
	if err != nil || !ok {
		return Instance{}, false, err
	}
	return Instance{ARN: instanceARN, Account: in.Account, Region: d.Region}, true, nil
}

func (d ICDirectory) User(ctx context.Context, instanceARN, userID string) (User, bool, error) {
	in, ok, err := d.find(ctx, instanceARN)
	if err != nil || !ok {
		return User{}, false, err
	}
	u, err := d.IC.SignInUser(ctx, identitycenter.UserRef{Account: in.Account, Instance: in.InstanceID, IdentityStoreID: in.IdentityStoreID, UserID: userID})
	if awserr.IsCode(err, awserr.ICResourceNotFound) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, err
	}
	return User{ID: userID, UserName: u.UserName, DisplayName: u.DisplayName, Email: u.Email}, true, nil
}
