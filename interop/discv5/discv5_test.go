package discv5_test

import (
	"bytes"
	"net"
	"testing"
	"time"

	gethdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
)

// TestRequests runs every request between one of our nodes and one of
// go-ethereum's, in both directions: each direction starts with a
// handshake.
func TestRequests(t *testing.T) {
	ours := startOurs(t, quiet)
	geth := startGeth(t, gethdiscover.Config{PingInterval: time.Hour, RefreshInterval: time.Hour})
	ours.RegisterTalkHandler("echo", func(n *enode.Node, addr *net.UDPAddr, msg []byte) []byte {
		if n == nil || n.ID().String() != geth.Self().ID().String() {
			return []byte("wrong node")
		}
		return append([]byte("ours:"), msg...)
	})
	geth.RegisterTalkHandler("echo", func(n *gethenode.Node, addr *net.UDPAddr, msg []byte) []byte {
		return append([]byte("geth:"), msg...)
	})
	gethSelf, oursSelf := toOurs(geth.Self()), toGeth(ours.Self())

	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"ours pings geth", func(t *testing.T) {
			pong, err := ours.Ping(gethSelf)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := ours.Self().UDPEndpoint()
			if got, _ := pong.ToAddrPort(); got != want {
				t.Fatalf("PONG says we are %v, want %v", got, want)
			}
		}},
		{"geth pings ours", func(t *testing.T) {
			pong, err := geth.Ping(oursSelf)
			if err != nil {
				t.Fatal(err)
			}
			if pong.ENRSeq != ours.Self().Seq() {
				t.Fatalf("PONG seq %d, want %d", pong.ENRSeq, ours.Self().Seq())
			}
		}},
		{"ours requests geth's record", func(t *testing.T) {
			n, err := ours.RequestENR(gethSelf)
			if err != nil {
				t.Fatal(err)
			}
			if n.ID() != gethSelf.ID() || n.Seq() != gethSelf.Seq() {
				t.Fatalf("got %v", n)
			}
		}},
		{"geth requests our record", func(t *testing.T) {
			n, err := geth.RequestENR(oursSelf)
			if err != nil {
				t.Fatal(err)
			}
			if n.ID() != oursSelf.ID() || n.Seq() != oursSelf.Seq() {
				t.Fatalf("got %v", n)
			}
		}},
		{"ours talks to geth", func(t *testing.T) {
			resp, err := ours.TalkRequest(gethSelf, "echo", []byte("hi"))
			if err != nil || string(resp) != "geth:hi" {
				t.Fatalf("got %q, %v", resp, err)
			}
			resp, err = ours.TalkRequest(gethSelf, "unknown", []byte("hi"))
			if err != nil || len(resp) != 0 {
				t.Fatalf("unknown protocol: %q, %v", resp, err)
			}
		}},
		{"geth talks to ours", func(t *testing.T) {
			resp, err := geth.TalkRequest(oursSelf, "echo", []byte("yo"))
			if err != nil || !bytes.Equal(resp, []byte("ours:yo")) {
				t.Fatalf("got %q, %v", resp, err)
			}
			resp, err = geth.TalkRequest(oursSelf, "unknown", []byte("yo"))
			if err != nil || len(resp) != 0 {
				t.Fatalf("unknown protocol: %q, %v", resp, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
	if s := ours.Stats(); s.Dropped() != 0 {
		t.Errorf("our node dropped packets: %+v", s)
	}
}

// TestLookups: in a small network of 3 go-ethereum nodes and 3 of ours,
// with a go-ethereum bootnode, lookups of each side find nodes of the
// other.
func TestLookups(t *testing.T) {
	boot := startGeth(t, gethdiscover.Config{})
	var (
		geths []*gethdiscover.UDPv5
		ours  []*discover.UDPv5
	)
	for range 3 {
		geths = append(geths, startGeth(t, gethdiscover.Config{Bootnodes: []*gethenode.Node{boot.Self()}}))
		ours = append(ours, startOurs(t, discover.Config{Bootnodes: []*enode.Node{toOurs(boot.Self())}}))
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, o := range ours {
		for _, g := range geths {
			id := toOurs(g.Self()).ID()
			for !contains(o.Lookup(id), id) {
				if time.Now().After(deadline) {
					t.Fatalf("our lookup does not find go-ethereum node %v", id)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
	for _, g := range geths {
		for _, o := range ours {
			id := toGeth(o.Self()).ID()
			for !containsGeth(g.Lookup(id), id) {
				if time.Now().After(deadline) {
					t.Fatalf("go-ethereum lookup does not find our node %v", id)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}

func contains(nodes []*enode.Node, id enode.ID) bool {
	for _, n := range nodes {
		if n.ID() == id {
			return true
		}
	}
	return false
}

func containsGeth(nodes []*gethenode.Node, id gethenode.ID) bool {
	for _, n := range nodes {
		if n.ID() == id {
			return true
		}
	}
	return false
}
