package identitycenter

import (
	"context"

	"github.com/rootward/rootward/internal/store"
)

// PortalInstance is an instance as the access portal's sign-in needs it, found without a caller.
type PortalInstance struct {
	Account, InstanceID, IdentityStoreID string
}

// PortalInstances lists every instance of the server, by instance ID: the access portal's start
// URL PUBLIC_URL/start is one for the whole server, so its sign-in asks for an instance only when
// there is more than one. (Written for the access portal, internal/portal.)
func (s *Service) PortalInstances(ctx context.Context) ([]PortalInstance, error) {
	var out []PortalInstance
	err := store.View(ctx, s.st, func(t txn) error {
		for after := ""; ; {
			page, err := directory.List(t, "", "", after, 256)
			if err != nil {
				return err
			}
			for _, e := range page {
				after = e.Key
				// The directory holds an entry per instance and one per identity store.
				if e.Key != e.Record.Instance {
					continue
				}
				in, ok, err := instances.Get(t, e.Record.Account, e.Record.Instance)
				if err != nil {
					return err
				}
				if ok {
					out = append(out, PortalInstance{Account: e.Record.Account, InstanceID: in.ID, IdentityStoreID: in.StoreID})
				}
			}
			if len(page) < 256 {
				return nil
			}
		}
	})
	return out, err
}
