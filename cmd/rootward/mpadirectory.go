package main

import (
	"context"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/identitycenter"
	"github.com/rootward/rootward/internal/mpa"
)

// mpaRegion is the Region of the instances mpa sees: serve answers in us-east-1, the server's
// default (internal/server), as it has no Region setting.
const mpaRegion = "us-east-1"

// icDirectory is Multi-party approval's view of IAM Identity Center (mpa.Directory): the
// instances identity sources name and the users approval teams name as approvers.
type icDirectory struct {
	ic *identitycenter.Service
	// region is the Region Rootward answers in; an Identity Center instance lives in one.
	region string
}

// find returns the instance of ARN instanceARN among the server's instances.
func (d icDirectory) find(ctx context.Context, instanceARN string) (identitycenter.PortalInstance, bool, error) {
	insts, err := d.ic.PortalInstances(ctx)
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

func (d icDirectory) Instance(ctx context.Context, instanceARN string) (mpa.Instance, bool, error) {
	in, ok, err := d.find(ctx, instanceARN)
	if err != nil || !ok {
		return mpa.Instance{}, false, err
	}
	return mpa.Instance{ARN: instanceARN, Account: in.Account, Region: d.region}, true, nil
}

func (d icDirectory) User(ctx context.Context, instanceARN, userID string) (mpa.User, bool, error) {
	in, ok, err := d.find(ctx, instanceARN)
	if err != nil || !ok {
		return mpa.User{}, false, err
	}
	u, err := d.ic.SignInUser(ctx, identitycenter.UserRef{Account: in.Account, Instance: in.InstanceID, IdentityStoreID: in.IdentityStoreID, UserID: userID})
	if awserr.IsCode(err, awserr.ICResourceNotFound) {
		return mpa.User{}, false, nil
	}
	if err != nil {
		return mpa.User{}, false, err
	}
	return mpa.User{ID: userID, UserName: u.UserName, DisplayName: u.DisplayName, Email: u.Email}, true, nil
}
