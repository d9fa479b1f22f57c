// Package portaltest holds what tests of the access portal share: an in-memory Directory (users
// and their assignments, as Identity Center's model would answer them) and a server with a
// portal wired in.
package portaltest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/portal"
	"github.com/rootward/rootward/internal/server"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/testutil"
	"github.com/rootward/rootward/internal/testutil/servertest"
)

// PublicURL is the public URL the test portals answer for.
const PublicURL = "https://rootward.test"

// StartURL is their start URL.
const StartURL = PublicURL + "/start"

// Directory is an in-memory portal.Directory.
type Directory struct {
	mu          sync.Mutex
	users       []portal.User
	assignments map[string][]portal.Assignment // user ID → roles
}

// NewDirectory returns an empty Directory.
func NewDirectory() *Directory { return &Directory{assignments: map[string][]portal.Assignment{}} }

// AddUser adds u.
func (d *Directory) AddUser(u portal.User) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users = append(d.users, u)
}

// RemoveUser deletes the user with ID id.
func (d *Directory) RemoveUser(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, u := range d.users {
		if u.UserID == id {
			d.users = append(d.users[:i], d.users[i+1:]...)
			return
		}
	}
}

// Assign gives the user with ID userID the role a.
func (d *Directory) Assign(userID string, a portal.Assignment) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.assignments[userID] = append(d.assignments[userID], a)
}

// UserByName implements portal.Directory.
func (d *Directory) UserByName(_ context.Context, instanceID, name string) (*portal.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, u := range d.users {
		if u.UserName == name && u.InstanceID == instanceID {
			return &u, nil
		}
	}
	return nil, nil
}

// UserByID implements portal.Directory.
func (d *Directory) UserByID(_ context.Context, instanceID, id string) (*portal.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, u := range d.users {
		if u.UserID == id && u.InstanceID == instanceID {
			return &u, nil
		}
	}
	return nil, nil
}

// Assignments implements portal.Directory.
func (d *Directory) Assignments(_ context.Context, u *portal.User) ([]portal.Assignment, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]portal.Assignment(nil), d.assignments[u.UserID]...), nil
}

// Env is a server with an access portal over a Directory, on a test clock.
type Env struct {
	*servertest.Env
	Clock  *testutil.Clock
	Portal *portal.Service
	Dir    *Directory
}

// New starts an Env; configure may change the server's configuration further.
func New(t testing.TB, configure ...func(*server.Config, *iam.Service, store.Store)) *Env {
	t.Helper()
	clk := testutil.NewClock(time.Now().UTC().Truncate(30 * time.Second).Add(15 * time.Second))
	e := &Env{Clock: clk, Dir: NewDirectory()}
	wire := func(cfg *server.Config, svc *iam.Service, st store.Store) {
		p, err := portal.New(portal.Config{Store: st, Trail: cfg.Trail, Counters: cfg.Root.Counters(), Directory: e.Dir, PublicURL: PublicURL, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Portal, e.Portal = p, p
	}
	e.Env = servertest.Build(t, nil, clk.Now, append([]func(*server.Config, *iam.Service, store.Store){wire}, configure...)...)
	return e
}
