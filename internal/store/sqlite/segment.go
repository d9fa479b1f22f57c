package sqlite

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"time"

	"github.com/rootward/rootward/internal/store"
)

// The trail's segment files: the durability point of AppendEvents (see events.go). Each process
// appends to a segment file of its own in the directory DB-events beside the database, holding an
// exclusive flock(2) on it while it is open, so that another process opening the database (Open's
// recovery) knows the file is live and leaves it alone; a file nobody holds belongs to a process
// that died, and Open indexes what it holds.
//
// A segment is a sequence of records, one per AppendEvents call (one write(2)):
//
//	uint32 (little-endian)  n, the length of the payload
//	uint32 (little-endian)  CRC-32C (Castagnoli) of the payload
//	n bytes payload:
//	  byte     segmentVersion
//	  uvarint  the number of events
//	  per event:
//	    uvarint  seq
//	    varint   time, microseconds since the Unix epoch
//	    8 × (uvarint length, bytes)  account, ID, name, source, user name, access key, resource
//	                                 type, resource name
//	    byte     read-only (0 or 1)
//	    uvarint length, bytes  the body
//
// A crash can leave the last record torn (a short write, or, after a power loss, a record whose
// pages did not all reach the disk): its length runs past the end of the file or its checksum does
// not match, and reading stops there. Such a record was never acknowledged durably (a record with
// a change is fsynced before AppendEvents returns; a read-only one within segmentSyncDelay).
const segmentVersion = 1

// segmentHeader is the length of a record's header: payload length and checksum.
const segmentHeader = 8

// maxSegmentRecord bounds a record's payload when reading, so that a corrupt length cannot make
// recovery allocate without limit.
const maxSegmentRecord = 1 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segment is one open segment file, flock'ed by this process.
type segment struct {
	f    *os.File
	path string
	size int64 // bytes of whole records written
}

// createSegment creates a new segment file in dir, locks it, and syncs the directory, so that a
// record later fsynced in it survives a power loss with its directory entry.
func createSegment(dir string) (*segment, error) {
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, fmt.Sprintf("%016x-%x.seg", time.Now().UnixNano(), rnd))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	if ok, err := tryLock(f); err != nil || !ok {
		_ = f.Close()
		_ = os.Remove(path)
		if err == nil {
			err = errors.New("segment file locked by another process")
		}
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	return &segment{f: f, path: path}, nil
}

// write appends one record. A failed or short write is cut off again, so that the file holds only
// whole records and a later record is not hidden behind a torn one; if even that fails, the error
// says so and the segment must not be written again.
func (s *segment) write(rec []byte) (broken bool, err error) {
	n, err := s.f.Write(rec)
	if err == nil && n == len(rec) {
		s.size += int64(n)
		return false, nil
	}
	if err == nil {
		err = errors.New("short write")
	}
	if terr := s.f.Truncate(s.size); terr != nil {
		return true, errors.Join(err, terr)
	}
	return false, err
}

// remove closes and deletes the segment (its records are indexed).
func (s *segment) remove() error {
	cerr := s.f.Close()
	return errors.Join(cerr, os.Remove(s.path))
}

// syncDir fsyncs a directory, making the creation or removal of its entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// encodeRecord packs events (their Seq set) as one segment record, header included, and returns
// where in it each event's body lies (the tail keeps these bodies, not the caller's).
func encodeRecord(events []*store.StoredEvent) (rec []byte, bodies [][2]int) {
	size := segmentHeader + 1 + binary.MaxVarintLen64
	for _, e := range events {
		size += 3*binary.MaxVarintLen64 + 9*binary.MaxVarintLen32 + len(e.Account) + len(e.ID) + len(e.Name) +
			len(e.Source) + len(e.UserName) + len(e.AccessKey) + len(e.ResourceType) + len(e.ResourceName) + len(e.Body)
	}
	bodies = make([][2]int, len(events))
	out := make([]byte, segmentHeader, size)
	out = append(out, segmentVersion)
	out = binary.AppendUvarint(out, uint64(len(events)))
	for i, e := range events {
		out = binary.AppendUvarint(out, uint64(e.Seq))
		out = binary.AppendVarint(out, micros(e.Time))
		out = appendColumns(out, e)
		out = binary.AppendUvarint(out, uint64(len(e.Body)))
		bodies[i] = [2]int{len(out), len(out) + len(e.Body)}
		out = append(out, e.Body...)
	}
	binary.LittleEndian.PutUint32(out[0:4], uint32(len(out)-segmentHeader))
	binary.LittleEndian.PutUint32(out[4:8], crc32.Checksum(out[segmentHeader:], castagnoli))
	return out, bodies
}

var errBadRecord = errors.New("sqlite: malformed segment record")

// readSegment returns the events of the whole records at the start of data, and how many bytes
// they take: reading stops at the first record that is torn or fails its checksum.
func readSegment(data []byte) (events []*store.StoredEvent, valid int) {
	for len(data)-valid >= segmentHeader {
		rest := data[valid:]
		n := binary.LittleEndian.Uint32(rest[0:4])
		if n > maxSegmentRecord || int64(n) > int64(len(rest)-segmentHeader) {
			break
		}
		payload := rest[segmentHeader : segmentHeader+int(n)]
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(rest[4:8]) {
			break
		}
		es, err := decodeRecord(payload)
		if err != nil {
			break
		}
		events = append(events, es...)
		valid += segmentHeader + int(n)
	}
	return events, valid
}

// decodeRecord reads a record's payload (checksum already verified).
func decodeRecord(p []byte) ([]*store.StoredEvent, error) {
	if len(p) < 1 || p[0] != segmentVersion {
		return nil, errBadRecord
	}
	p = p[1:]
	uv := func() uint64 {
		v, k := binary.Uvarint(p)
		if k <= 0 {
			p = nil
			return 0
		}
		p = p[k:]
		return v
	}
	bytesOf := func() ([]byte, bool) {
		n := uv()
		if p == nil || n > uint64(len(p)) {
			return nil, false
		}
		b := p[:n:n]
		p = p[n:]
		return b, true
	}
	count := uv()
	if p == nil || count > uint64(len(p)) {
		return nil, errBadRecord
	}
	out := make([]*store.StoredEvent, 0, count)
	for range count {
		e := &store.StoredEvent{Seq: int64(uv())}
		if p == nil {
			return nil, errBadRecord
		}
		t, k := binary.Varint(p)
		if k <= 0 {
			return nil, errBadRecord
		}
		p = p[k:]
		e.Time = time.UnixMicro(t).UTC()
		for _, s := range [...]*string{&e.Account, &e.ID, &e.Name, &e.Source, &e.UserName, &e.AccessKey, &e.ResourceType, &e.ResourceName} {
			b, ok := bytesOf()
			if !ok {
				return nil, errBadRecord
			}
			*s = string(b)
		}
		if len(p) < 1 || p[0] > 1 {
			return nil, errBadRecord
		}
		e.ReadOnly = p[0] == 1
		p = p[1:]
		body, ok := bytesOf()
		if !ok {
			return nil, errBadRecord
		}
		e.Body = append([]byte{}, body...)
		out = append(out, e)
	}
	if len(p) != 0 {
		return nil, errBadRecord
	}
	return out, nil
}
