// Package services lists the AWS services Rootward serves, for the command that mounts them and
// for tests that start a whole server.
package services

import (
	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/accountapi"
	"github.com/rootward/rootward/internal/api/cloudtrailapi"
	"github.com/rootward/rootward/internal/api/configapi"
	"github.com/rootward/rootward/internal/api/eventsapi"
	"github.com/rootward/rootward/internal/api/guarddutyapi"
	"github.com/rootward/rootward/internal/api/iamapi"
	"github.com/rootward/rootward/internal/api/identitystoreapi"
	"github.com/rootward/rootward/internal/api/mpaapi"
	"github.com/rootward/rootward/internal/api/orgsapi"
	"github.com/rootward/rootward/internal/api/securityhubapi"
	"github.com/rootward/rootward/internal/api/snsapi"
	"github.com/rootward/rootward/internal/api/ssoadminapi"
	"github.com/rootward/rootward/internal/api/ssoapi"
	"github.com/rootward/rootward/internal/api/ssooidcapi"
	"github.com/rootward/rootward/internal/api/stsapi"
	"github.com/rootward/rootward/internal/api/supportapi"
)

// All returns a fresh descriptor of every service.
func All() []*api.Service {
	return []*api.Service{iamapi.Service(), orgsapi.Service(), stsapi.Service(), eventsapi.Service(), snsapi.Service(), guarddutyapi.Service(), cloudtrailapi.Service(), accountapi.Service(), securityhubapi.Service(), supportapi.Service(), configapi.Service(), identitystoreapi.Service(), ssoadminapi.Service(),
		ssooidcapi.Service(), ssoapi.Service(), mpaapi.Service()}
}
