package dnsdisc_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

// A server finds its peers through a DNS node list: three nodes are
// published in a tree served by NSD, and a fourth server, whose protocol's
// DialCandidates is an iterator over that tree, connects to all three.
func TestServerDialsNodesFromDNS(t *testing.T) {
	proto := func(candidates enode.Iterator) p2p.Protocol {
		return p2p.Protocol{
			Name: "dnstest", Version: 1, Length: 1,
			Run: func(peer *p2p.Peer, rw p2p.MsgReadWriter) error {
				for {
					msg, err := rw.ReadMsg()
					if err != nil {
						return err
					}
					msg.Discard()
				}
			},
			DialCandidates: candidates,
		}
	}
	start := func(name string, candidates enode.Iterator) *p2p.Server {
		srv := &p2p.Server{
			PrivateKey:  testutil.NewKey(t),
			Name:        name,
			MaxPeers:    10,
			ListenAddr:  "127.0.0.1:0",
			NoDiscovery: true,
			Protocols:   []p2p.Protocol{proto(candidates)},
			Logger:      testutil.Logger(t),
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Stop() })
		return srv
	}

	// The listed nodes, and their tree.
	var listed []*enode.Node
	for _, name := range []string{"one", "two", "three"} {
		listed = append(listed, start(name, nil).Self())
	}
	tree, err := dnsdisc.MakeTree(1, listed, nil)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	url, err := tree.Sign(signer, "nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	var zone bytes.Buffer
	if err := dnsdisc.WriteZoneFile(&zone, "example.org", tree.ToTXT("nodes.example.org"), dnsdisc.ZoneConfig{}); err != nil {
		t.Fatal(err)
	}
	dns := dnstest.StartNSD(t, map[string]string{"example.org": zone.String()})

	// The dialing server.
	client := dnsdisc.NewClient(dnsdisc.Config{Resolver: dns.Resolver(), RateLimit: 50, Logger: testutil.Logger(t)})
	it, err := client.NewIterator(url)
	if err != nil {
		t.Fatal(err)
	}
	srv := start("dialer", it) // the server closes it when it stops
	want := make(map[enode.ID]bool)
	for _, n := range listed {
		want[n.ID()] = true
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		connected := 0
		for _, p := range srv.Peers() {
			if want[p.ID()] {
				connected++
			}
		}
		if connected == len(listed) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connected to %d of %d listed nodes", connected, len(listed))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if it.Next() {
		t.Fatal("the server did not close the iterator")
	}
}
