package nodedb_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/nodedb"
)

// A database file shared by our LocalNode and discovery.
func Example() {
	dir, _ := os.MkdirTemp("", "nodedb-example")
	defer os.RemoveAll(dir)
	db, err := nodedb.Open(nodedb.Config{Path: filepath.Join(dir, "nodes.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	// Our record's sequence number survives restarts.
	key, _ := crypto.GenerateKey()
	local := enode.NewLocalNode(db, key)
	seq := local.Node().Seq() // the record is signed when first asked for
	fmt.Println("seq stored:", db.LocalSeq(local.ID()) == seq)

	// Discovery stores the nodes that answer its pings.
	peerKey, _ := crypto.GenerateKey()
	peer := enode.NewV4(&peerKey.PublicKey, net.IP{192, 0, 2, 1}, 30303, 30303)
	_ = db.UpdateNode(peer)
	_ = db.UpdateLastPongReceived(peer.ID(), peer.IPAddr(), time.Now())

	// On the next start, they seed the table.
	fmt.Println("seeds:", len(db.QuerySeeds(30, 5*24*time.Hour)))

	// Old entries go in a goroutine we own and stop.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = nodedb.ExpireLoop(ctx, db, nil, nil)
	}()
	cancel()
	<-done
	// Output:
	// seq stored: true
	// seeds: 1
}
