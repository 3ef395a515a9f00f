package nodedb

import (
	"path/filepath"
	"testing"
	"time"
)

func TestBanStore(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	for _, tc := range []struct {
		name string
		open func(t *testing.T) (BanStore, func() BanStore)
	}{
		{"memory", func(t *testing.T) (BanStore, func() BanStore) {
			db := NewMemory(Config{})
			t.Cleanup(func() { db.Close() })
			return db, nil
		}},
		{"bolt", func(t *testing.T) (BanStore, func() BanStore) {
			path := filepath.Join(t.TempDir(), "nodes")
			db, err := OpenBolt(Config{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			reopen := func() BanStore {
				db.Close()
				db2, err := OpenBolt(Config{Path: path})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db2.Close() })
				return db2
			}
			return db, reopen
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, reopen := tc.open(t)
			db.PutBan(Ban{Key: "node:aa", Until: now.Add(time.Hour), Reason: "protocol error"})
			db.PutBan(Ban{Key: "ip:192.0.2.1", Until: now.Add(time.Minute), Reason: "by hand"})
			db.PutBan(Ban{Key: "ip:192.0.2.2", Until: now.Add(-time.Minute), Reason: "over"})
			db.PutBan(Ban{Key: "node:aa", Until: now.Add(2 * time.Hour), Reason: "again"}) // replaces
			if err := db.DeleteBan("ip:192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			if reopen != nil {
				db = reopen()
			}
			bans := db.Bans(now)
			if len(bans) != 1 || bans[0].Key != "node:aa" || !bans[0].Until.Equal(now.Add(2*time.Hour)) || bans[0].Reason != "again" {
				t.Fatalf("bans %+v", bans)
			}
			if got := db.Bans(now.Add(3 * time.Hour)); len(got) != 0 {
				t.Fatalf("expired bans returned: %+v", got)
			}
		})
	}
}
