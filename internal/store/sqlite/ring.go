package sqlite

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The trail's ring files: where an append of read-only events becomes durable without a system
// call. A ring is a file in a memory file system (tmpfs, /dev/shm by default) that this process
// maps shared and writes with plain memory copies. Its pages belong to the file, not to the
// process: when the process dies (kill -9 included) they stay, and the next Open indexes the
// records they hold, as it does a dead process's segment files. A read-only batch is therefore
// acknowledged once copied into the ring: on this machine a write(2) of a segment record cost
// about as much kernel time as the rest of the recording (docs/benchmarks.md). A batch that holds
// a change still goes to the segment file and its fsync (events.go, "Durability"), since a ring
// does not survive a power loss: a read's record becomes durable against that once indexed, within
// indexDelay of its append plus the pass (where a read-only segment record was fsynced within
// segmentSyncDelay before rings).
//
// The directory is named by the ROOTWARD_TRAIL_RING_DIR environment variable: unset, /dev/shm when
// it is a tmpfs; "off", no rings (every record goes to the segment file); another value, that
// directory. A container whose /dev/shm does not outlive the process (serve as its only process,
// restarted in a new container) should set "off", or a directory that outlives it.
//
// The file name begins with a prefix naming the trail (ringPrefix): a random ID kept in the
// trail's directory (ringIDFile, made by the first Open that uses rings), so that Open finds the
// rings of its own database among others' in a shared directory, and never another database's: not
// one at the same path on another volume (containers sharing /dev/shm), nor one that was deleted
// and made again there. The ID moves with the directory. Each directory rings were made in is
// listed in the trail's directory (ringDirsFile), and Open reads a dead process's rings in each of
// them and in /dev/shm, so that rings turned off or moved after a crash still give up their records.
// Each process holds an exclusive flock(2) on the rings it maps, as on its segments, so that Open
// leaves a live process's rings alone.
//
// Layout: a header of ringHeader bytes (ringMagic, then the uint64 epoch, little-endian), then
// records, each
//
//	uint32  n, the length of the payload
//	uint32  CRC-32C of the payload
//	uint64  the epoch of the ring when the record was written
//	n bytes the payload, a segment record's (segment.go)
//
// Records are copied in payload first, header last; reading stops at the first record whose
// length runs past the end, whose epoch is not the header's or whose checksum fails. A ring whose
// records are indexed is reused: its epoch is raised, which voids every record in it at once.
const (
	ringMagic        = "RWRING01"
	ringHeader       = 64
	ringRecordHeader = 16
	// ringSize is the size of one ring file: the records of one index pass (indexBatch events of
	// a kilobyte or two each) fit several times over. A batch that does not fit goes to the
	// segment file. The file's pages are reserved when it is made (see reserve).
	ringSize = 16 << 20
	// maxRings bounds the rings one process keeps: the one being written and the one being
	// indexed; a third is made only while both are busy and is deleted once indexed.
	maxRings = 2
)

// ringEnv names the environment variable that sets the rings' directory.
const ringEnv = "ROOTWARD_TRAIL_RING_DIR"

// ring is one mapped ring file, flock'ed by this process.
type ring struct {
	f     *os.File
	path  string
	mem   []byte // the shared mapping, ringSize bytes
	epoch uint64
	pos   int // the end of the records written in this epoch
}

// defaultRingDir is where rings go when ringEnv is unset, if it is a tmpfs.
const defaultRingDir = "/dev/shm"

// ringDir returns the directory rings go in, "" for none (see the comment at the top), as an
// absolute path.
func ringDir() (string, error) {
	switch v := os.Getenv(ringEnv); v {
	case "off":
		return "", nil
	case "":
		if isTmpfs(defaultRingDir) {
			return defaultRingDir, nil
		}
		return "", nil
	default:
		return filepath.Abs(v)
	}
}

// ringIDFile is the name of the file in the trail's directory that holds its rings' ID.
const ringIDFile = "ring.id"

// ringDirsFile is the name of the file in the trail's directory that lists, one absolute path a
// line, every directory its rings were made in.
const ringDirsFile = "ring.dirs"

// ringPrefix is the beginning of the names of the rings of the trail whose segments are in dir:
// its ID read from dir's ringIDFile, made (random, fsynced) when there is none and create is set;
// "" when there is none and create is not (the trail never had rings).
func ringPrefix(dir string, create bool) (string, error) {
	path := filepath.Join(dir, ringIDFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !create {
		return "", nil
	}
	if errors.Is(err, os.ErrNotExist) {
		var rnd [8]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return "", err
		}
		b = []byte(hex.EncodeToString(rnd[:]))
		if err := writeSynced(path, b); err != nil {
			return "", err
		}
		if err := syncDir(dir); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if _, err := hex.DecodeString(id); err != nil || len(id) != 16 {
		return "", fmt.Errorf("%s does not hold a trail ID (16 hexadecimal digits); delete it to make a new one", path)
	}
	return "rootward-trail-" + id + "-", nil
}

// ringDirs returns the directories listed in dir's ringDirsFile, none when there is no file.
func ringDirs(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, ringDirsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			dirs = append(dirs, line)
		}
	}
	return dirs, nil
}

// noteRingDir lists ringDir in dir's ringDirsFile, unless it is there already: the file is
// written anew beside it, fsynced and renamed over it.
func noteRingDir(dir, ringDir string) error {
	dirs, err := ringDirs(dir)
	if err != nil || slices.Contains(dirs, ringDir) {
		return err
	}
	tmp := filepath.Join(dir, ringDirsFile+".new")
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := writeSynced(tmp, []byte(strings.Join(append(dirs, ringDir), "\n")+"\n")); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, ringDirsFile)); err != nil {
		return err
	}
	return syncDir(dir)
}

// writeSynced creates path (it must not exist), writes b and fsyncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// createRing creates, locks and maps a new ring file in dir.
func createRing(dir, prefix string) (*ring, error) {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, fmt.Sprintf("%s%016x-%x.ring", prefix, time.Now().UnixNano(), rnd[:8]))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*ring, error) {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	if ok, err := tryLock(f); err != nil || !ok {
		if err == nil {
			err = errors.New("ring file locked by another process")
		}
		return fail(err)
	}
	if err := reserve(f, ringSize); err != nil {
		return fail(err)
	}
	mem, err := mapShared(f, ringSize)
	if err != nil {
		return fail(err)
	}
	r := &ring{f: f, path: path, mem: mem, epoch: binary.LittleEndian.Uint64(rnd[8:])}
	copy(mem, ringMagic)
	r.reset()
	return r, nil
}

// reset voids the ring's records (they are indexed) by raising its epoch, and starts writing at
// its beginning again.
func (r *ring) reset() {
	r.epoch++
	binary.LittleEndian.PutUint64(r.mem[len(ringMagic):], r.epoch)
	r.pos = ringHeader
}

// append copies a segment record (header included, as encodeRecord returns it) into the ring, and
// reports false, writing nothing, when it does not fit.
func (r *ring) append(rec []byte) bool {
	payload := rec[segmentHeader:]
	end := r.pos + ringRecordHeader + len(payload)
	if end > len(r.mem) {
		return false
	}
	copy(r.mem[r.pos+ringRecordHeader:end], payload)
	var h [ringRecordHeader]byte
	copy(h[0:8], rec[0:8]) // length and checksum, as the segment record has them
	binary.LittleEndian.PutUint64(h[8:], r.epoch)
	copy(r.mem[r.pos:], h[:])
	r.pos = end
	return true
}

// remove unmaps, closes and deletes the ring.
func (r *ring) remove() error {
	uerr := unmap(r.mem)
	r.mem = nil
	cerr := r.f.Close()
	return errors.Join(uerr, cerr, os.Remove(r.path))
}

// readRing returns the payloads of the valid records of a ring file's contents.
func readRing(data []byte) [][]byte {
	if len(data) < ringHeader || string(data[:len(ringMagic)]) != ringMagic {
		return nil
	}
	epoch := binary.LittleEndian.Uint64(data[len(ringMagic):])
	var out [][]byte
	for pos := ringHeader; len(data)-pos >= ringRecordHeader; {
		h := data[pos : pos+ringRecordHeader]
		n := binary.LittleEndian.Uint32(h[0:4])
		if binary.LittleEndian.Uint64(h[8:16]) != epoch || n == 0 || int64(n) > int64(len(data)-pos-ringRecordHeader) {
			break
		}
		payload := data[pos+ringRecordHeader : pos+ringRecordHeader+int(n)]
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(h[4:8]) {
			break
		}
		out = append(out, payload)
		pos += ringRecordHeader + int(n)
	}
	return out
}

// isRingFile reports whether name is a ring of the trail with the given prefix.
func isRingFile(name, prefix string) bool {
	return strings.HasPrefix(name, prefix) && strings.HasSuffix(name, ".ring")
}
