package identitycenter

import (
	"fmt"
	"slices"
	"testing"

	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/store/storetest"
)

// TestListRequestStatusReadsOnePage pages through the three status listings with and without their
// Filter.Status over 900 requests of each type (a third of each status): the pages joined are the
// requests of that type and status in request ID order, each once; and a page of 10 reads its own
// index entries and one more, not those of the requests of other statuses before it. Before, a
// filtered page read the type's requests until it had found ten of the status.
func TestListRequestStatusReadsOnePage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.orgInstance(t)
	const n = 900
	statuses := []string{RequestInProgress, RequestFailed, RequestSucceeded}
	want := map[string][]string{} // type/status (and type/) → request IDs in order
	err := e.ic.st.Update(e.ctx, func(tx store.Tx) error {
		for ti, typ := range []string{requestCreate, requestDelete, requestProvision} {
			for i := range n {
				// Statuses run in stretches of 50, so a filter passes long runs of other requests.
				rec := &requestRecord{ID: fmt.Sprintf("%08d-0000-4000-8000-%012d", i, ti), Type: typ, Status: statuses[i/50%3], Created: e.clock.Now()}
				if err := requests.Insert(tx, in.OwnerAccount, key(in.ID, rec.ID), rec); err != nil {
					return err
				}
				want[typ+"/"] = append(want[typ+"/"], rec.ID)
				want[typ+"/"+rec.Status] = append(want[typ+"/"+rec.Status], rec.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	counter := &storetest.Counter{Store: e.ic.st}
	e.ic.st = counter
	lists := map[string]func(string, ListOpts) (store.Page[Request], error){
		requestCreate: func(status string, o ListOpts) (store.Page[Request], error) {
			return e.ic.ListAssignmentCreationStatus(e.ctx, e.mgmt, in.ARN, status, o)
		},
		requestDelete: func(status string, o ListOpts) (store.Page[Request], error) {
			return e.ic.ListAssignmentDeletionStatus(e.ctx, e.mgmt, in.ARN, status, o)
		},
		requestProvision: func(status string, o ListOpts) (store.Page[Request], error) {
			return e.ic.ListProvisioningStatus(e.ctx, e.mgmt, in.ARN, status, o)
		},
	}
	const limit = 10
	for _, typ := range []string{requestCreate, requestDelete, requestProvision} {
		for _, status := range append([]string{""}, statuses...) {
			t.Run(typ+" "+status, func(t *testing.T) {
				wantIDs := want[typ+"/"+status]
				got := storetest.Pages(t, counter, limit+1, len(wantIDs)/limit+2, func(after string) ([]string, string, error) {
					p, err := lists[typ](status, ListOpts{Limit: limit, After: after})
					var ids []string
					for _, r := range p.Items {
						if r.Status != status && status != "" {
							t.Errorf("request %s has status %s, want %s", r.RequestID, r.Status, status)
						}
						ids = append(ids, r.RequestID)
					}
					return ids, p.Last, err
				})
				if !slices.Equal(got, wantIDs) {
					t.Errorf("pages joined: %d requests, want %d (%v… vs %v…)", len(got), len(wantIDs), got[:min(3, len(got))], wantIDs[:3])
				}
			})
		}
	}
}
