package nodedb

import (
	"encoding/binary"
	"errors"
	"time"

	"go.etcd.io/bbolt"
)

// Ban is a ban as a BanStore keeps it. Key names what is banned; the
// p2p package uses "node:" and a node ID in hex, or "ip:" and an address.
type Ban struct {
	Key    string
	Until  time.Time
	Reason string
}

// BanStore keeps the bans of a p2p.Server across restarts. Both of this
// package's databases implement it; the server looks for it with a type
// assertion, so other DB implementations need not.
type BanStore interface {
	// Bans returns the stored bans that end after now.
	Bans(now time.Time) []Ban
	// PutBan stores a ban, replacing one of the same key.
	PutBan(b Ban) error
	// DeleteBan deletes the ban of key, if any.
	DeleteBan(key string) error
}

var (
	_ BanStore = (*Memory)(nil)
	_ BanStore = (*Bolt)(nil)
)

// Bans implements BanStore.
func (db *Memory) Bans(now time.Time) []Ban {
	db.mu.Lock()
	defer db.mu.Unlock()
	var out []Ban
	for _, b := range db.bans {
		if now.Before(b.Until) {
			out = append(out, b)
		}
	}
	return out
}

// PutBan implements BanStore.
func (db *Memory) PutBan(b Ban) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	if db.bans == nil {
		db.bans = make(map[string]Ban)
	}
	db.bans[b.Key] = b
	return nil
}

// DeleteBan implements BanStore.
func (db *Memory) DeleteBan(key string) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	delete(db.bans, key)
	return nil
}

// Bans are written through to their own bucket at once: they are rare,
// and one that is lost would let a misbehaving node back in.
var bucketBans = []byte("bans")

// Bans implements BanStore. Expired bans are left for PutBan to replace
// or DeleteBan to remove; there are few.
func (db *Bolt) Bans(now time.Time) []Ban {
	var out []Ban
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketBans)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) < 8 {
				return nil
			}
			until := time.Unix(0, int64(binary.BigEndian.Uint64(v)))
			if now.Before(until) {
				out = append(out, Ban{Key: string(k), Until: until, Reason: string(v[8:])})
			}
			return nil
		})
	})
	return out
}

// PutBan implements BanStore.
func (db *Bolt) PutBan(b Ban) error {
	if b.Key == "" {
		return errors.New("nodedb: ban without a key")
	}
	v := binary.BigEndian.AppendUint64(nil, uint64(b.Until.UnixNano()))
	v = append(v, b.Reason...)
	return db.updateBans(func(bk *bbolt.Bucket) error { return bk.Put([]byte(b.Key), v) })
}

// DeleteBan implements BanStore.
func (db *Bolt) DeleteBan(key string) error {
	if key == "" {
		return nil
	}
	return db.updateBans(func(bk *bbolt.Bucket) error { return bk.Delete([]byte(key)) })
}

func (db *Bolt) updateBans(f func(*bbolt.Bucket) error) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	return db.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketBans)
		if err != nil {
			return err
		}
		return f(b)
	})
}
