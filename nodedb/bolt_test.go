package nodedb

import (
	"net"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
)

func testNode(t testing.TB, ip string) *enode.Node {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return enode.NewV4(&k.PublicKey, net.ParseIP(ip), 30303, 30303)
}

func openBolt(t testing.TB, cfg Config) *Bolt {
	t.Helper()
	db, err := OpenBolt(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestOpen(t *testing.T) {
	mem, err := Open(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := mem.(*Memory); !ok {
		t.Errorf("Open without path gave %T", mem)
	}
	mem.Close()
	disk, err := Open(Config{Path: filepath.Join(t.TempDir(), "sub", "dir", "nodes.db")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := disk.(*Bolt); !ok {
		t.Errorf("Open with path gave %T", disk)
	}
	if err := disk.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBolt(Config{}); err == nil {
		t.Error("OpenBolt without path succeeded")
	}
}

func TestBoltPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	now := time.Unix(1_700_000_000, 42)
	n := testNode(t, "10.0.0.1")
	ip := n.IPAddr()
	local := enode.ID{0xaa}

	// A large threshold: everything stays buffered until Close.
	db := openBolt(t, Config{Path: path, FlushThreshold: 1000, Now: func() time.Time { return now }})
	db.StoreLocalSeq(local, 99)
	for _, err := range []error{
		db.UpdateNode(n),
		db.UpdateLastPingReceived(n.ID(), ip, now),
		db.UpdateLastPongReceived(n.ID(), ip, now.Add(time.Second)),
		db.UpdateFindFails(n.ID(), ip, 3),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(db.pending) != 4 {
		t.Errorf("%d writes buffered, want 4", len(db.pending))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openBolt(t, Config{Path: path})
	defer db.Close()
	got := db.Node(n.ID())
	if got == nil || got.URLv4() != n.URLv4() {
		t.Fatalf("node after reopen: %v", got)
	}
	if !db.LastPingReceived(n.ID(), ip).Equal(now) || !db.LastPongReceived(n.ID(), ip).Equal(now.Add(time.Second)) {
		t.Error("times lost")
	}
	if db.FindFails(n.ID(), ip) != 3 || db.LocalSeq(local) != 99 {
		t.Error("fails or seq lost")
	}
}

func TestBoltFlushThreshold(t *testing.T) {
	db := openBolt(t, Config{Path: filepath.Join(t.TempDir(), "nodes.db"), FlushThreshold: 3})
	defer db.Close()
	id := enode.ID{1}
	for i := range 5 {
		ip := netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})
		if err := db.UpdateFindFails(id, ip, 1); err != nil {
			t.Fatal(err)
		}
	}
	if len(db.pending) != 2 {
		t.Errorf("%d writes buffered after 5 with threshold 3, want 2", len(db.pending))
	}
	if err := db.Flush(); err != nil || len(db.pending) != 0 {
		t.Errorf("Flush: %v, %d left", err, len(db.pending))
	}
}

func TestBoltLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	db := openBolt(t, Config{Path: path})
	defer db.Close()
	if db2, err := OpenBolt(Config{Path: path, LockTimeout: 50 * time.Millisecond}); err == nil {
		db2.Close()
		t.Fatal("second open of a locked file succeeded")
	}
}

// TestBoltLayout checks that a file of another layout version loses its
// nodes but keeps the local sequence numbers, and that entries that do not
// decode read as missing and are removed by ExpireBefore.
func TestBoltLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	n := testNode(t, "10.0.0.1")
	db := openBolt(t, Config{Path: path, FlushThreshold: 1})
	if err := db.UpdateNode(n); err != nil {
		t.Fatal(err)
	}
	db.StoreLocalSeq(enode.ID{1}, 5)
	db.Close()

	raw, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bbolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(keyVersion, encodeUint(schemaVersion+1)); err != nil {
			return err
		}
		return nil
	})
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}

	db = openBolt(t, Config{Path: path, FlushThreshold: 1})
	if db.Node(n.ID()) != nil {
		t.Error("node kept across a layout change")
	}
	if db.LocalSeq(enode.ID{1}) != 5 {
		t.Error("local seq lost across a layout change")
	}
	db.Close()

	// Garbage under a record key and a key of no known form.
	raw, err = bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketNodes)
		if err := b.Put(recordKey(n.ID()), []byte("garbage, more than sixteen bytes")); err != nil {
			return err
		}
		return b.Put([]byte("odd"), []byte{1})
	})
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	db = openBolt(t, Config{Path: path, FlushThreshold: 1})
	defer db.Close()
	if db.Node(n.ID()) != nil {
		t.Error("garbage decoded as a node")
	}
	if len(db.QuerySeeds(5, time.Hour)) != 0 {
		t.Error("garbage returned as seed")
	}
	if _, err := db.ExpireBefore(time.Now()); err != nil {
		t.Fatal(err)
	}
	_ = db.db.View(func(tx *bbolt.Tx) error {
		if k, _ := tx.Bucket(bucketNodes).Cursor().First(); k != nil {
			t.Errorf("key %q left after ExpireBefore", k)
		}
		return nil
	})
}
