package logfiles

import (
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The records of log-file delivery. All live in account "" (they are the server's, not an
// account's): the cursor and the lease are single records, trails and chains are keyed by the
// trail's ARN, keys by their fingerprint.
const (
	kindCursor = "trail.logfiles.cursor"
	kindLease  = "trail.logfiles.lease"
	kindTrail  = "trail.logfiles.trail"
	kindChain  = "trail.logfiles.chain"
	kindKey    = "trail.logfiles.key"
	// kindPending holds the log files delivered since a chain's last digest, one record each
	// (keyed by chain, delivery time and object), so that a delivery adds a record instead of
	// rewriting a list that grows all hour.
	kindPending = "trail.logfiles.pending"
)

// cursorRecord is how far delivery has read the event log, durably: a restart continues after
// Pos, so it neither repeats nor skips events.
type cursorRecord struct {
	Pos store.EventPos
	// LastRound is when the last delivery round ran, for --trail-delivery-interval.
	LastRound time.Time
	// Writing is the batch whose files were committed (the cursor moved past its events and
	// their hashes joined the digest chains) but may not be on disk yet: the deliverer writes
	// them, and after a crash writes them again from the same events (the content is a function
	// of the events, so a rewrite gives the same bytes).
	Writing *batchRecord `json:",omitempty"`
}

type batchRecord struct {
	After, Through store.EventPos
	Files          []fileRecord
}

// fileRecord is one delivered log file: its object key under the bucket, the SHA-256 of its
// uncompressed content, and which events it holds (those of Account in Region, at or after
// Since, of the batch it belongs to).
type fileRecord struct {
	Trail, Bucket, Object string
	Account, Region       string
	Since                 time.Time
	Hash                  string
	Oldest, Newest        time.Time
	Delivered             time.Time
}

// leaseRecord names the node that delivers until Expires: at most one node of several serving
// one PostgreSQL database writes files and digests, and another takes over once it expires.
type leaseRecord struct {
	Holder  string
	Expires time.Time
}

// trailRecord is what delivery last knew of a trail (its configuration as TrailConfig gave it)
// and where its files go, for `rootward trail validate`, with its delivery status.
type trailRecord struct {
	Config TrailConfig
	// Dir is the absolute directory that stands in for the trail's bucket's parent: the
	// trail's objects are under Dir/BUCKET/.
	Dir    string
	Status DeliveryStatus
	// Logging says the trail was logging when delivery last looked; StoppedAt is when it found
	// it no longer was (stopped or deleted). Events from before StoppedAt are still delivered to
	// it: a StopLogging and the calls just before it reach the trail's files, as CloudTrail's do.
	Logging   bool
	StoppedAt time.Time
}

// chainRecord is the digest chain of one (trail, account, region): the log files delivered since
// the last digest and the last digest itself, which the next one links to.
type chainRecord struct {
	Trail, Account, Region string
	// Start is the digestStartTime of the next digest: the end of the previous one, or when the
	// chain (re)started.
	Start time.Time
	// Last is the newest digest of the chain; Linked says whether the next digest links to it
	// (false after validation or logging was off: the next digest starts a new chain, with
	// empty previous fields, as CloudTrail's does).
	Last   *digestRecord `json:",omitempty"`
	Linked bool
	// Unwritten says Last was committed but its file may not be on disk yet.
	Unwritten bool
	Active    bool
}

type digestRecord struct {
	Bucket, Object string
	End            time.Time
	Hash           string // hex SHA-256 of Body
	Signature      string // hex
	Body           []byte // the uncompressed digest file
}

// keyRecord is a digest signing key: the RSA private key sealed under the master key, the
// public key in the form ListPublicKeys returns it (PKCS #1 DER), and its validity.
type keyRecord struct {
	Public      []byte
	Sealed      []byte
	Fingerprint string
	Start, End  time.Time
}

var (
	cursors  = store.Define(store.Kind[cursorRecord]{Name: kindCursor, Version: 1})
	leases   = store.Define(store.Kind[leaseRecord]{Name: kindLease, Version: 1})
	trails   = store.Define(store.Kind[trailRecord]{Name: kindTrail, Version: 1})
	chains   = store.Define(store.Kind[chainRecord]{Name: kindChain, Version: 1})
	keys     = store.Define(store.Kind[keyRecord]{Name: kindKey, Version: 1})
	pendings = store.Define(store.Kind[fileRecord]{Name: kindPending, Version: 1})
)

// pendingKey is the key of a pending log file: its chain's key, then the delivery time (fixed
// width, so keys sort by it) and the object.
func pendingKey(f *fileRecord) string {
	return chainKey(f.Trail, f.Account, f.Region) + "\x00" + f.Delivered.UTC().Format("20060102T150405.000000000Z") + "\x00" + f.Object
}

// listAll reads every record of kind k whose key starts with prefix, a page at a time.
func listAll[R any](tx store.Tx, k *store.Kind[R], prefix string) ([]store.Entry[R], error) {
	var out []store.Entry[R]
	after := ""
	for {
		page, err := k.List(tx, "", prefix, after, 256)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 256 {
			return out, nil
		}
		after = page[len(page)-1].Key
	}
}

// chainKey is the key of a chain record: the trail's ARN first, so a trail's chains are a
// prefix.
func chainKey(trail, account, region string) string {
	return trail + "\x00" + account + "\x00" + region
}
