package main

import (
	"context"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/rootuser"
)

// mpaRegion is the Region of the instances mpa sees (mpa.ICDirectory): serve answers in us-east-1,
// the server's default (internal/server), as it has no Region setting.
const mpaRegion = "us-east-1"

// breakGlassContacts are whom an emergency root sign-in is announced to besides the approvers: the
// account's root email and its SECURITY alternate contact.
func breakGlassContacts(ctx context.Context, svc *iam.Service, root *rootuser.Service, account string) ([]string, error) {
	a, err := svc.GetAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	out := []string{a.Email}
	c, err := root.AlternateContact(ctx, account, "SECURITY")
	if err != nil && !awserr.IsCode(err, awserr.NoSuchEntity) {
		return out, err
	}
	if c != nil && c.EmailAddress != "" && !strings.EqualFold(c.EmailAddress, a.Email) {
		out = append(out, c.EmailAddress)
	}
	return out, nil
}
