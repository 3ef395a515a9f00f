package nodedb

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.etcd.io/bbolt"

	"github.com/seednet/p2p/enode"
)

// Bolt is a DB in a bbolt file; see the package documentation for how it
// buffers writes.
type Bolt struct {
	db        *bbolt.DB
	now       func() time.Time
	threshold int

	mu sync.Mutex // guards the fields below; held while flushing
	// pending are the writes not yet committed, by bucket (one byte:
	// 'n' nodes, 'l' local) and key; a nil value deletes the key.
	pending map[string][]byte
	closed  bool
}

var _ DB = (*Bolt)(nil)

const (
	pendNodes = 'n'
	pendLocal = 'l'
)

// OpenBolt opens or creates the database file cfg.Path. A file of another
// layout version loses its nodes (it is a cache) but keeps our sequence
// numbers. It fails if another process has the file open for longer than
// cfg.LockTimeout.
func OpenBolt(cfg Config) (*Bolt, error) {
	cfg = cfg.withDefaults()
	if cfg.Path == "" {
		return nil, errors.New("nodedb: no path")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		return nil, fmt.Errorf("nodedb: %w", err)
	}
	db, err := bbolt.Open(cfg.Path, 0o600, &bbolt.Options{
		Timeout:        cfg.LockTimeout,
		NoFreelistSync: true,
		FreelistType:   bbolt.FreelistMapType,
	})
	if err != nil {
		return nil, fmt.Errorf("nodedb: opening %s: %w", cfg.Path, err)
	}
	if err := db.Update(initBuckets); err != nil {
		db.Close()
		return nil, fmt.Errorf("nodedb: %s: %w", cfg.Path, err)
	}
	return &Bolt{db: db, now: cfg.Now, threshold: cfg.FlushThreshold, pending: make(map[string][]byte)}, nil
}

func initBuckets(tx *bbolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if v := meta.Get(keyVersion); v != nil && decodeUint(v) != schemaVersion {
		if err := tx.DeleteBucket(bucketNodes); err != nil && !errors.Is(err, bbolt.ErrBucketNotFound) {
			return err
		}
	}
	if err := meta.Put(keyVersion, encodeUint(schemaVersion)); err != nil {
		return err
	}
	if _, err := tx.CreateBucketIfNotExists(bucketNodes); err != nil {
		return err
	}
	_, err = tx.CreateBucketIfNotExists(bucketLocal)
	return err
}

// Close commits the buffered writes and closes the file. It returns the
// error of the commit, if any; the writes are then lost.
func (db *Bolt) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	err := db.flushLocked()
	db.pending = nil
	return errors.Join(err, db.db.Close())
}

// Flush commits the buffered writes in one transaction. If that fails they
// stay buffered and a later Flush tries again.
func (db *Bolt) Flush() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	return db.flushLocked()
}

func (db *Bolt) flushLocked() error {
	if len(db.pending) == 0 {
		return nil
	}
	err := db.db.Update(func(tx *bbolt.Tx) error {
		nodes, local := tx.Bucket(bucketNodes), tx.Bucket(bucketLocal)
		for k, v := range db.pending {
			b := nodes
			if k[0] == pendLocal {
				b = local
			}
			var err error
			if v == nil {
				err = b.Delete([]byte(k[1:]))
			} else {
				err = b.Put([]byte(k[1:]), v)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("nodedb: committing %d writes: %w", len(db.pending), err)
	}
	clear(db.pending)
	return nil
}

// putLocked buffers a write and commits the buffer when it is full.
func (db *Bolt) putLocked(bucket byte, key, value []byte) error {
	if db.closed {
		return ErrClosed
	}
	db.pending[string(append([]byte{bucket}, key...))] = value
	if len(db.pending) >= db.threshold {
		return db.flushLocked()
	}
	return nil
}

// get reads a key, buffered writes first. The result is a copy.
func (db *Bolt) get(bucket byte, key []byte) []byte {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	if v, ok := db.pending[string(append([]byte{bucket}, key...))]; ok {
		return v
	}
	name := bucketNodes
	if bucket == pendLocal {
		name = bucketLocal
	}
	var v []byte
	_ = db.db.View(func(tx *bbolt.Tx) error {
		v = bytes.Clone(tx.Bucket(name).Get(key))
		return nil
	})
	return v
}

// LocalSeq implements enode.SeqStore.
func (db *Bolt) LocalSeq(id enode.ID) uint64 {
	return decodeUint(db.get(pendLocal, id[:]))
}

// StoreLocalSeq implements enode.SeqStore. It commits at once; if that
// fails, the write stays buffered and the error comes from the next Flush
// or Close.
func (db *Bolt) StoreLocalSeq(id enode.ID, seq uint64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.putLocked(pendLocal, id[:], encodeUint(seq)) == nil {
		_ = db.flushLocked()
	}
}

// Node implements DB. An entry that cannot be decoded reads as missing.
func (db *Bolt) Node(id enode.ID) *enode.Node {
	v := db.get(pendNodes, recordKey(id))
	if v == nil {
		return nil
	}
	n, _, err := decodeRecord(id, v)
	if err != nil {
		return nil
	}
	return n
}

// UpdateNode implements DB.
func (db *Bolt) UpdateNode(n *enode.Node) error {
	if n == nil {
		return ErrNilNode
	}
	now := db.now()
	key := recordKey(n.ID())
	if seq, ok := recordSeq(db.get(pendNodes, key)); ok && seq > n.Seq() {
		n = db.Node(n.ID())
		if n == nil {
			return errCorrupt
		}
	}
	v, err := encodeRecord(n, now)
	if err != nil {
		return fmt.Errorf("nodedb: encoding node %v: %w", n.ID(), err)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.putLocked(pendNodes, key, v)
}

// DeleteNode implements DB. It commits at once.
func (db *Bolt) DeleteNode(id enode.ID) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	for k := range db.pending {
		if k[0] == pendNodes && k[1:1+idLen] == string(id[:]) {
			delete(db.pending, k)
		}
	}
	return db.db.Update(func(tx *bbolt.Tx) error {
		return deleteKeys(tx.Bucket(bucketNodes), nodeKeys(tx.Bucket(bucketNodes), id))
	})
}

// nodeKeys returns the keys of a node's entries.
func nodeKeys(b *bbolt.Bucket, id enode.ID) [][]byte {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(id[:]); k != nil && bytes.HasPrefix(k, id[:]); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	return keys
}

// deleteKeys deletes keys found by a cursor; bbolt cursors skip entries
// when keys are deleted under them, so this is done after the walk.
func deleteKeys(b *bbolt.Bucket, keys [][]byte) error {
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// LastPingReceived implements DB.
func (db *Bolt) LastPingReceived(id enode.ID, ip netip.Addr) time.Time {
	return db.getTime(id, ip, fieldPing)
}

// UpdateLastPingReceived implements DB.
func (db *Bolt) UpdateLastPingReceived(id enode.ID, ip netip.Addr, t time.Time) error {
	return db.putTime(id, ip, fieldPing, t)
}

// LastPongReceived implements DB.
func (db *Bolt) LastPongReceived(id enode.ID, ip netip.Addr) time.Time {
	return db.getTime(id, ip, fieldPong)
}

// UpdateLastPongReceived implements DB.
func (db *Bolt) UpdateLastPongReceived(id enode.ID, ip netip.Addr, t time.Time) error {
	return db.putTime(id, ip, fieldPong, t)
}

// FindFails implements DB.
func (db *Bolt) FindFails(id enode.ID, ip netip.Addr) int {
	ip, ok := ipKey(ip)
	if !ok {
		return 0
	}
	return int(decodeUint(db.get(pendNodes, addrKey(id, ip, fieldFails))))
}

// UpdateFindFails implements DB.
func (db *Bolt) UpdateFindFails(id enode.ID, ip netip.Addr, fails int) error {
	ip, ok := ipKey(ip)
	if !ok {
		return ErrInvalidIP
	}
	var v []byte
	if fails > 0 {
		v = encodeUint(uint64(fails))
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.putLocked(pendNodes, addrKey(id, ip, fieldFails), v)
}

func (db *Bolt) getTime(id enode.ID, ip netip.Addr, field byte) time.Time {
	ip, ok := ipKey(ip)
	if !ok {
		return time.Time{}
	}
	return decodeTime(db.get(pendNodes, addrKey(id, ip, field)))
}

func (db *Bolt) putTime(id enode.ID, ip netip.Addr, field byte, t time.Time) error {
	ip, ok := ipKey(ip)
	if !ok {
		return ErrInvalidIP
	}
	var v []byte
	if !t.IsZero() {
		v = encodeTime(t)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.putLocked(pendNodes, addrKey(id, ip, field), v)
}

// QuerySeeds implements DB. It commits the buffered writes, then seeks to
// random node IDs, up to 5n times.
func (db *Bolt) QuerySeeds(n int, maxAge time.Duration) []*enode.Node {
	if n <= 0 {
		return nil
	}
	cutoff := db.now().Add(-maxAge)
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	_ = db.flushLocked()
	var seeds []*enode.Node
	_ = db.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketNodes).Cursor()
		chosen := make(map[enode.ID]bool)
		for try := 0; try < 5*n && len(seeds) < n; try++ {
			var target enode.ID
			for i := range target {
				target[i] = byte(rand.Uint32())
			}
			id, v, ok := nextRecord(c, target)
			if !ok {
				break // no records at all
			}
			if chosen[id] {
				continue
			}
			node, _, err := decodeRecord(id, v)
			if err != nil {
				continue
			}
			ip, ok := ipKey(node.IPAddr())
			if !ok {
				continue
			}
			pong := decodeTime(tx.Bucket(bucketNodes).Get(addrKey(id, ip, fieldPong)))
			if pong.IsZero() || pong.Before(cutoff) {
				continue
			}
			chosen[id] = true
			seeds = append(seeds, node)
		}
		return nil
	})
	return seeds
}

// nextRecord returns the first record at or after the key target, wrapping
// around at the end.
func nextRecord(c *bbolt.Cursor, target enode.ID) (enode.ID, []byte, bool) {
	k, v := c.Seek(target[:])
	for wrapped := false; ; k, v = c.Next() {
		if k == nil {
			if wrapped {
				return enode.ID{}, nil, false
			}
			wrapped = true
			if k, v = c.First(); k == nil {
				return enode.ID{}, nil, false
			}
		}
		if id, _, field, ok := splitKey(k); ok && field == 0 {
			return id, v, true
		}
	}
}

// ExpireBefore implements DB. It commits the buffered writes, then walks
// the whole file in one transaction; it also deletes records that do not
// decode.
func (db *Bolt) ExpireBefore(t time.Time) (int, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return 0, ErrClosed
	}
	if err := db.flushLocked(); err != nil {
		return 0, err
	}
	deleted := 0
	err := db.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketNodes)
		var (
			dead    [][]byte
			cur     nodeWalk
			started bool
		)
		finish := func() {
			if started {
				d, all := cur.expired(t)
				dead = append(dead, d...)
				if all {
					deleted++
				}
			}
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			id, ip, field, ok := splitKey(k)
			if !ok {
				dead = append(dead, bytes.Clone(k)) // not of this layout
				continue
			}
			if !started || id != cur.id {
				finish()
				cur, started = nodeWalk{id: id, addrs: make(map[netip.Addr]*addrWalk)}, true
			}
			cur.add(k, v, ip, field)
		}
		finish()
		return deleteKeys(b, dead)
	})
	if err != nil {
		return 0, fmt.Errorf("nodedb: expiring: %w", err)
	}
	return deleted, nil
}

// nodeWalk collects one node's keys during ExpireBefore.
type nodeWalk struct {
	id        enode.ID
	recordKey []byte
	corrupt   bool // the record does not decode
	seen      time.Time
	addrs     map[netip.Addr]*addrWalk
}

type addrWalk struct {
	keys [][]byte
	seen time.Time
}

func (w *nodeWalk) add(k, v []byte, ip netip.Addr, field byte) {
	k = bytes.Clone(k)
	if field == 0 {
		w.recordKey = k
		if _, updated, err := decodeRecord(w.id, v); err == nil {
			w.seen = latest(w.seen, updated)
		} else {
			w.corrupt = true
		}
		return
	}
	a := w.addrs[ip]
	if a == nil {
		a = new(addrWalk)
		w.addrs[ip] = a
	}
	a.keys = append(a.keys, k)
	if field == fieldPing || field == fieldPong {
		a.seen = latest(a.seen, decodeTime(v))
		w.seen = latest(w.seen, a.seen)
	}
}

// expired returns the keys to delete, and whether they are all the node's.
func (w *nodeWalk) expired(t time.Time) (dead [][]byte, all bool) {
	all = w.seen.Before(t)
	if (all || w.corrupt) && w.recordKey != nil {
		dead = append(dead, w.recordKey)
	}
	for _, a := range w.addrs {
		if all || a.seen.Before(t) {
			dead = append(dead, a.keys...)
		}
	}
	return dead, all
}
