package sqlite

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/rootward/rootward/internal/store"
)

// An event block packs up to maxBlockEvents consecutive events of the log (consecutive seqs) into
// one value of event_blocks.data (migrations/00004_event_blocks.sql). Its format, version 1: a
// version byte (1), then the rest compressed with S2 (github.com/klauspost/compress/s2, block
// format): CloudTrail bodies of one batch repeat each other, so a batch's 40 KB of JSON becomes a
// few KB, and SQLite writes (and syncs) one page or two to the WAL instead of ten. S2 encodes
// at several GB/s, a fraction of a microsecond per event. Uncompressed:
//
//	uvarint  n, the number of events
//	n × uvarint  length of each event's record, so event i is found without decoding the others
//	n × record:
//	  uvarint  time - the block's min_time, in microseconds
//	  8 × (uvarint length, bytes)  account, ID, name, source, user name, access key, resource
//	                               type, resource name
//	  byte     read-only (0 or 1)
//	  bytes    the body, to the end of the record
//
// An event's seq is the block number (its first seq) plus its index in the block.
const blockVersion = 1

// maxBlockEvents bounds the events of one block, so that a lookup that needs one event of a block
// never reads a large value.
const maxBlockEvents = 64

// maxBlockSpan bounds max_time - min_time of a block (and so of each of its postings): a batch
// whose events' times spread wider is cut into more blocks. Lookups in ascending time order rely on
// it: a posting row whose max_time is m holds no event before m - maxBlockSpan.
const maxBlockSpan = int64(time.Minute / time.Microsecond)

var errBadBlock = errors.New("sqlite: malformed event block")

// encodeBlock packs events (at most maxBlockEvents, times within maxBlockSpan) relative to minTime.
// It packs them in buf and compresses them into dst (the capacity of each reused; both are
// returned, to be passed again: the driver copies a bound blob, so a block's bytes may be reused
// once its INSERT has run).
func encodeBlock(events []*store.StoredEvent, minTime int64, buf, dst []byte) (packed, scratch []byte) {
	// The length of each record first, so that the records are written once, after the table.
	var lens [maxBlockEvents]int
	size := binary.MaxVarintLen64
	for i, e := range events {
		n := uvarintLen(uint64(micros(e.Time)-minTime)) + 1 + len(e.Body)
		for _, s := range [...]string{e.Account, e.ID, e.Name, e.Source, e.UserName, e.AccessKey, e.ResourceType, e.ResourceName} {
			n += uvarintLen(uint64(len(s))) + len(s)
		}
		lens[i] = n
		size += binary.MaxVarintLen64 + n
	}
	out := buf[:0]
	if cap(out) < size {
		out = make([]byte, 0, size)
	}
	out = binary.AppendUvarint(out, uint64(len(events)))
	for i := range events {
		out = binary.AppendUvarint(out, uint64(lens[i]))
	}
	for _, e := range events {
		out = binary.AppendUvarint(out, uint64(micros(e.Time)-minTime))
		out = appendColumns(out, e)
		out = append(out, e.Body...)
	}
	packed = dst[:cap(dst)]
	if n := 1 + s2.MaxEncodedLen(len(out)); len(packed) < n {
		packed = make([]byte, n)
	}
	packed[0] = blockVersion
	return packed[:1+len(s2.Encode(packed[1:], out))], out
}

// appendColumns appends e's lookup columns as a block record and a segment record hold them: eight
// (uvarint length, bytes) for account, ID, name, source, user name, access key, resource type and
// resource name, then a read-only byte (0 or 1).
func appendColumns(out []byte, e *store.StoredEvent) []byte {
	for _, s := range [...]string{e.Account, e.ID, e.Name, e.Source, e.UserName, e.AccessKey, e.ResourceType, e.ResourceName} {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	ro := byte(0)
	if e.ReadOnly {
		ro = 1
	}
	return append(out, ro)
}

// uvarintLen is the length of v as a uvarint.
func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// block is a decoded event block's index: where each event's record lies in data.
type block struct {
	first, minTime int64 // the block number (seq of event 0) and min_time
	data           []byte
	offs           []int // len n+1: record i is data[offs[i]:offs[i+1]]
}

// maxBlockBytes bounds a block's uncompressed size that parseBlock accepts.
const maxBlockBytes = 256 << 20

// parseBlock decompresses a block's data (into buf when it is large enough) and reads its header.
func parseBlock(buf []byte, first, minTime int64, packed []byte) (*block, error) {
	if len(packed) < 1 || packed[0] != blockVersion {
		return nil, errBadBlock
	}
	if n, err := s2.DecodedLen(packed[1:]); err != nil || n > maxBlockBytes {
		return nil, errBadBlock
	}
	data, err := s2.Decode(buf[:cap(buf)], packed[1:])
	if err != nil {
		return nil, errBadBlock
	}
	p := 0
	n, k := binary.Uvarint(data[p:])
	if k <= 0 || n > maxBlockEvents {
		return nil, errBadBlock
	}
	p += k
	lens := make([]uint64, n)
	for i := range lens {
		l, k := binary.Uvarint(data[p:])
		if k <= 0 {
			return nil, errBadBlock
		}
		lens[i], p = l, p+k
	}
	b := &block{first: first, minTime: minTime, data: data, offs: make([]int, n+1)}
	b.offs[0] = p
	for i, l := range lens {
		if l > uint64(len(data)-b.offs[i]) {
			return nil, errBadBlock
		}
		b.offs[i+1] = b.offs[i] + int(l)
	}
	return b, nil
}

func (b *block) len() int { return len(b.offs) - 1 }

// event decodes event i of the block. Its strings are copies; its Body aliases the block's data.
func (b *block) event(i int) (store.StoredEvent, error) {
	rec := b.data[b.offs[i]:b.offs[i+1]:b.offs[i+1]]
	e := store.StoredEvent{Seq: b.first + int64(i)}
	dt, k := binary.Uvarint(rec)
	if k <= 0 {
		return e, errBadBlock
	}
	rec = rec[k:]
	e.Time = time.UnixMicro(b.minTime + int64(dt)).UTC()
	for _, s := range [...]*string{&e.Account, &e.ID, &e.Name, &e.Source, &e.UserName, &e.AccessKey, &e.ResourceType, &e.ResourceName} {
		l, k := binary.Uvarint(rec)
		if k <= 0 || l > uint64(len(rec)-k) {
			return e, errBadBlock
		}
		*s = string(rec[k : k+int(l)])
		rec = rec[k+int(l):]
	}
	if len(rec) < 1 || rec[0] > 1 {
		return e, errBadBlock
	}
	e.ReadOnly = rec[0] == 1
	e.Body = rec[1:]
	return e, nil
}

// A posting lists the events of one block that have one attribute value (of one account): for
// each, its index in the block and its time. Entries are packed as (byte index, uvarint time -
// the posting's min_time), in block order.
type entry struct {
	time int64 // microseconds
	seq  int64
}

func appendEntry(dst []byte, idx int, time, minTime int64) []byte {
	dst = append(dst, byte(idx))
	return binary.AppendUvarint(dst, uint64(time-minTime))
}

// decodeEntries reads a posting's entries of block first, relative to minTime.
func decodeEntries(dst []entry, data []byte, first, minTime int64) ([]entry, error) {
	for len(data) > 0 {
		idx := data[0]
		dt, k := binary.Uvarint(data[1:])
		if k <= 0 || idx >= maxBlockEvents {
			return dst, errBadBlock
		}
		dst = append(dst, entry{time: minTime + int64(dt), seq: first + int64(idx)})
		data = data[1+k:]
	}
	return dst, nil
}

// Attributes a posting can index, event_postings.attr. The values are stored: never renumber.
const (
	attrAll          = 0 // every event of the account; value ""
	attrName         = 1
	attrSource       = 2
	attrUser         = 3
	attrKey          = 4
	attrResourceType = 5
	attrResourceName = 6
	attrReadOnly     = 7 // value "1" or "0"
	attrID           = 8 // account "": an event ID not covered by its block's ID range
)

// postingKey is one posting row's key within a block.
type postingKey struct {
	account string
	attr    int
	value   string
}

// posting is one posting row of a block being written.
type posting struct {
	key              postingKey
	minTime, maxTime int64
	idx              []byte  // indexes in the block
	times            []int64 // their times
}

// entries packs p's entries relative to its min_time.
func (p *posting) entries() []byte {
	out := make([]byte, 0, 3*len(p.idx))
	for i, idx := range p.idx {
		out = appendEntry(out, int(idx), p.times[i], p.minTime)
	}
	return out
}

// blockPostings returns the posting rows of a block's events, in the order their keys first
// appear. withID(i) says whether event i needs an ID posting (its ID is not covered by the block's
// ID range). Consecutive events mostly share their values (one caller's calls), so each attribute
// first tries the posting the previous event used for it before the map.
func blockPostings(events []*store.StoredEvent, withID func(i int) bool) []*posting {
	var (
		out   []*posting
		byKey = make(map[postingKey]*posting, 8)
		last  [9]*posting // by slot: the posting the previous event had for the attribute
		keys  [9]postingKey
	)
	for i, e := range events {
		t := micros(e.Time)
		ro := "0"
		if e.ReadOnly {
			ro = "1"
		}
		keys = [9]postingKey{{e.Account, attrAll, ""}, {e.Account, attrReadOnly, ro}, {e.Account, attrName, e.Name},
			{e.Account, attrSource, e.Source}, {e.Account, attrUser, e.UserName}, {e.Account, attrKey, e.AccessKey},
			{e.Account, attrResourceType, e.ResourceType}, {e.Account, attrResourceName, e.ResourceName}, {"", attrID, e.ID}}
		for slot, k := range keys {
			switch {
			case slot >= 2 && slot < 8 && k.value == "":
				continue // an attribute the event does not have
			case slot == 8 && !withID(i):
				continue
			}
			p := last[slot]
			if p == nil || p.key != k {
				if p = byKey[k]; p == nil {
					p = &posting{key: k, minTime: t, maxTime: t}
					byKey[k] = p
					out = append(out, p)
				}
				last[slot] = p
			}
			p.idx, p.times = append(p.idx, byte(i)), append(p.times, t)
			p.minTime, p.maxTime = min(p.minTime, t), max(p.maxTime, t)
		}
	}
	return out
}

// compareEntry orders entries by (time, seq).
func compareEntry(a, b entry) int {
	if a.time != b.time {
		if a.time < b.time {
			return -1
		}
		return 1
	}
	if a.seq != b.seq {
		if a.seq < b.seq {
			return -1
		}
		return 1
	}
	return 0
}
