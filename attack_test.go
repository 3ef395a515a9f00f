package p2p

import (
	"crypto/ecdsa"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/rlpx"
)

// The attack table: each attack runs on loopback against a fresh node
// (MaxPeers 20, discovery on, ThrottleLAN set so that the defences meant
// for the internet apply to loopback, the per-IP throttle off) that has an
// honest peer exchanging messages with it. Each attack must end in a clean
// refusal or drop with the right reason, the honest peer must keep its
// connection and keep exchanging, and the node's goroutines and heap must
// come back to where they were. The README's security section lists them.

// chatProtocol sends a message every 20 ms and counts those it receives.
func chatProtocol(received *atomic.Uint64) Protocol {
	return Protocol{Name: "chat", Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
		errc := make(chan error, 1)
		go func() {
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					errc <- err
					return
				}
				var items []string
				if err := msg.Decode(&items); err != nil {
					errc <- err
					return
				}
				received.Add(1)
			}
		}()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case err := <-errc:
				return err
			case <-tick.C:
				if err := SendItems(rw, 0, "hi"); err != nil {
					return err
				}
			}
		}
	}}
}

type attackEnv struct {
	hub, honest *Server
	hubGot      atomic.Uint64 // messages the hub received (from anyone on chat)
	honestGot   atomic.Uint64 // messages the honest peer received
	attackers   []net.Conn    // raw connections of the attack
}

func newAttackEnv(t *testing.T) *attackEnv {
	env := new(attackEnv)
	env.hub = startServer(t, &Server{MaxPeers: 20, ThrottleLAN: true, InboundThrottleTime: -1,
		Logger: discardLogger, Protocols: []Protocol{chatProtocol(&env.hubGot)}})
	// The honest peer dials from another /24.
	env.honest = startServer(t, &Server{NoDiscovery: true, ListenAddr: "127.0.1.1:0", Logger: discardLogger,
		Protocols: []Protocol{chatProtocol(&env.honestGot)},
		Dialer:    TCPDialer{&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 1, 1)}}}})
	env.honest.AddPeer(env.hub.Self())
	waitPeers(t, env.hub, 1)
	eventually(t, "honest chat", func() bool { return env.honestGot.Load() > 2 })
	return env
}

// honestUnhurt checks that the honest peer kept its connection and still
// exchanges messages.
func (env *attackEnv) honestUnhurt(t *testing.T) {
	t.Helper()
	if n := env.honest.Stats().PeersDropped; n != 0 {
		t.Errorf("the honest peer lost its connection (%d drops: %v)", n, env.honest.Stats().Dropped)
	}
	before := env.honestGot.Load()
	eventually(t, "honest peer still exchanging", func() bool { return env.honestGot.Load() >= before+5 })
}

func (env *attackEnv) hubAddr() string { return env.hub.ListenAddr }

// rejectedAfter waits until the hub counted reason more than n times.
func (env *attackEnv) waitRejected(t *testing.T, reason string, n uint64) {
	t.Helper()
	eventually(t, "refusal counted as "+reason, func() bool { return env.hub.Stats().Rejected[reason] > n })
}

func (env *attackEnv) waitDropped(t *testing.T, reason DiscReason) {
	t.Helper()
	eventually(t, "drop counted as "+reason.String(), func() bool { return env.hub.Stats().Dropped[reason.String()] > 0 })
}

// udp sends raw packets to the hub's discovery port from a loopback
// address.
func (env *attackEnv) udp(t *testing.T, from string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(from+":0")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (env *attackEnv) udpAddr() *net.UDPAddr {
	ep, _ := env.hub.Self().UDPEndpoint()
	return net.UDPAddrFromAddrPort(ep)
}

func (env *attackEnv) v4stats() discover.Stats { return env.hub.DiscoveryV4().Stats() }

// sendV4 encodes p with key and sends it count times.
func (env *attackEnv) sendV4(t *testing.T, c *net.UDPConn, key *ecdsa.PrivateKey, p v4wire.Packet, count int) {
	t.Helper()
	pkt, _, err := v4wire.Encode(key, p)
	if err != nil {
		t.Fatal(err)
	}
	for range count {
		c.WriteToUDP(pkt, env.udpAddr())
	}
}

// dialRaw opens TCP connections to the hub and keeps them until the
// attack is over (closeAttackers).
func (env *attackEnv) dialRaw(t *testing.T, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	for range n {
		c, err := net.Dial("tcp", env.hubAddr())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	env.attackers = append(env.attackers, conns...)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	return conns
}

// closeAttackers closes the attack's raw connections.
func (env *attackEnv) closeAttackers() {
	for _, c := range env.attackers {
		c.Close()
	}
	env.attackers = nil
}

func TestAttacks(t *testing.T) {
	expiry := func() uint64 { return uint64(time.Now().Add(20 * time.Second).Unix()) }
	attacks := []struct {
		name string
		run  func(t *testing.T, env *attackEnv)
	}{
		{"idle-connections", func(t *testing.T, env *attackEnv) {
			// 500 connections that never send a byte: queued, evicted or
			// refused; their slots turn over at the handshake deadline.
			env.dialRaw(t, 500)
			env.waitRejected(t, rejectTooManyPending, 0)
		}},
		{"slowloris-auth", func(t *testing.T, env *attackEnv) {
			// The start of an EIP-8 auth message (a size prefix of 384
			// bytes and 100 of them), then nothing: each holds its slot
			// until the handshake deadline.
			for _, c := range env.dialRaw(t, 20) {
				part := make([]byte, 102)
				part[0], part[1] = 0x01, 0x80
				c.Write(part)
			}
			eventually(t, "handshakes timed out", func() bool {
				r := env.hub.Stats().Rejected
				return r[rejectHandshakeFailed]+r[rejectBanned] >= 20
			})
			t.Logf("refusals: %v", env.hub.Stats().Rejected)
		}},
		{"garbage-auth", func(t *testing.T, env *attackEnv) {
			for _, c := range env.dialRaw(t, 10) {
				junk := make([]byte, 400)
				for i := range junk {
					junk[i] = byte(i * 7)
				}
				c.Write(junk)
			}
			eventually(t, "garbage refused", func() bool { return env.hub.Stats().Rejected[rejectHandshakeFailed] >= 10 })
		}},
		{"oversized-auth-prefix", func(t *testing.T, env *attackEnv) {
			// An EIP-8 size prefix of 65,535 bytes, then a trickle.
			c := env.dialRaw(t, 1)[0]
			c.Write([]byte{0xff, 0xff, 0x04})
			env.waitRejected(t, rejectHandshakeFailed, 0)
		}},
		{"bad-mac-frame", func(t *testing.T, env *attackEnv) {
			// After the RLPx handshake, a frame whose MAC is wrong.
			fd := env.dialRaw(t, 1)[0]
			c := rlpx.NewConn(fd, env.hub.Self().Pubkey())
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Handshake(testutil.NewKey(t)); err != nil {
				t.Fatal(err)
			}
			fd.Write(make([]byte, 64)) // a frame header and MACs of zeros
			env.waitRejected(t, rejectHelloFailed, 0)
		}},
		{"no-hello", func(t *testing.T, env *attackEnv) {
			c := rawConnect(t, env.hub, testutil.NewKey(t))
			defer c.Close()
			c.Write(baseProtocolLength, []byte{0xc0})
			expectDisconnectOrClose(t, c, DiscProtocolError)
			env.waitRejected(t, rejectHelloFailed, 0)
		}},
		{"hello-wrong-identity", func(t *testing.T, env *attackEnv) {
			c := rawConnect(t, env.hub, testutil.NewKey(t))
			defer c.Close()
			c.Write(handshakeMsg, mustHello(t, testutil.NewKey(t), "chat"))
			expectDisconnect(t, c, DiscUnexpectedIdentity)
		}},
		{"hello-too-big", func(t *testing.T, env *attackEnv) {
			key := testutil.NewKey(t)
			c := rawConnect(t, env.hub, key)
			defer c.Close()
			h, _ := encodeHello(string(make([]byte, 3000)), []Cap{{"chat", 1}}, 0, key)
			c.Write(handshakeMsg, h)
			expectDisconnect(t, c, DiscProtocolError)
		}},
		{"second-hello", func(t *testing.T, env *attackEnv) {
			key := testutil.NewKey(t)
			c := hostileChat(t, env.hub, key)
			c.Write(handshakeMsg, mustHello(t, key, "chat"))
			expectDisconnect(t, c, DiscProtocolError)
		}},
		{"code-outside-protocols", func(t *testing.T, env *attackEnv) {
			c := hostileChat(t, env.hub, testutil.NewKey(t))
			c.Write(200, []byte{0xc0})
			expectDisconnect(t, c, DiscProtocolError)
		}},
		{"undecodable-message", func(t *testing.T, env *attackEnv) {
			c := hostileChat(t, env.hub, testutil.NewKey(t))
			c.Write(baseProtocolLength, []byte{0xc3, 0x82, 0x01}) // a truncated list
			expectDisconnect(t, c, DiscProtocolError)
		}},
		{"snappy-bomb", func(t *testing.T, env *attackEnv) {
			// A compressed frame that claims 4 GiB uncompressed.
			c := hostileChat(t, env.hub, testutil.NewKey(t))
			c.SetSnappy(false)
			c.Write(baseProtocolLength, []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0x00})
			expectDisconnectOrClose(t, c, DiscProtocolError)
		}},
		{"useless-peer", func(t *testing.T, env *attackEnv) {
			key := testutil.NewKey(t)
			c := rawConnect(t, env.hub, key)
			defer c.Close()
			// Our Hello may cross the hub's Disconnect, or come first.
			_, err := exchangeHello(c, mustHello(t, key, "other"), env.hub.Self().Pubkey(), new(trafficCounters))
			switch {
			case isRemoteDisc(err, DiscUselessPeer):
			case err == nil:
				c.SetSnappy(true)
				expectDisconnect(t, c, DiscUselessPeer)
			default:
				t.Fatalf("got %v, want useless peer", err)
			}
		}},
		{"never-reads", func(t *testing.T, env *attackEnv) {
			// A peer that never reads what the chat protocol sends: our
			// writes to it block in the kernel's bounded send buffer; it
			// does not hold up the honest peer.
			c := hostileChat(t, env.hub, testutil.NewKey(t))
			defer c.Close()
			waitPeers(t, env.hub, 2)
			time.Sleep(200 * time.Millisecond)
		}},
		{"ping-flood", func(t *testing.T, env *attackEnv) {
			// 2,000 base protocol pings: answered, at the pace the
			// attacker reads, then it leaves.
			c := hostileChat(t, env.hub, testutil.NewKey(t))
			go func() {
				for {
					if _, _, _, err := c.Read(); err != nil {
						return
					}
				}
			}()
			for range 2000 {
				if _, err := c.Write(pingMsg, emptyList); err != nil {
					break
				}
			}
			c.Close()
		}},
		{"many-identities-one-subnet", func(t *testing.T, env *attackEnv) {
			// 30 identities from 127.0.0.x: at most MaxPeersPerSubnet
			// (a quarter of the 14 inbound slots, so 3) get in.
			for range 30 {
				hostileChatNoCheck(t, env.hub, testutil.NewKey(t))
			}
			env.waitRejected(t, rejectSubnetFull, 0)
			if n := env.hub.PeerCount(); n > 1+env.hub.maxPeersPerSubnet() {
				t.Errorf("%d peers, want at most %d from the subnet and the honest one", n, env.hub.maxPeersPerSubnet())
			}
		}},
		{"reconnect-storm", func(t *testing.T, env *attackEnv) {
			// One identity connecting again and again while connected.
			key := testutil.NewKey(t)
			c := hostileChat(t, env.hub, key)
			defer c.Close()
			for range 20 {
				c2 := rawConnect(t, env.hub, key)
				exchangeHello(c2, mustHello(t, key, "chat"), env.hub.Self().Pubkey(), new(trafficCounters))
				c2.Close()
			}
			env.waitRejected(t, DiscAlreadyConnected.String(), 0)
		}},
		{"repeat-offender-banned", func(t *testing.T, env *attackEnv) {
			// Five undecodable messages from one identity get it banned
			// (and its address: ThrottleLAN is set); then it is refused.
			key := testutil.NewKey(t)
			for range 5 {
				c := hostileChat(t, env.hub, key)
				c.Write(baseProtocolLength, []byte{0x05})
				expectDisconnect(t, c, DiscProtocolError)
				c.Close()
				eventually(t, "peer gone", func() bool { return env.hub.PeerCount() == 1 })
			}
			if len(env.hub.Bans()) != 2 {
				t.Fatalf("bans %+v", env.hub.Bans())
			}
			c, err := net.Dial("tcp", env.hubAddr())
			if err == nil {
				c.Close()
			}
			env.waitRejected(t, rejectBanned, 0)
		}},
		{"discv4-ping-flood-unverified", func(t *testing.T, env *attackEnv) {
			// 32 senders x 20 PINGs, none answering our ping-backs: what
			// the node sends them stays within what they sent (the reply
			// budget applies to loopback senders with ThrottleLAN).
			before := env.v4stats()
			var sentBytes int
			for i := range 32 {
				c := env.udp(t, fmt.Sprintf("127.0.2.%d", i+1))
				key := testutil.NewKey(t)
				from := netip.MustParseAddrPort(c.LocalAddr().String())
				p := &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(from, 0), To: v4wire.NewEndpoint(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(env.hub.Self().UDP())), 0), Expiration: expiry()}
				pkt, _, _ := v4wire.Encode(key, p)
				for range 20 {
					c.WriteToUDP(pkt, env.udpAddr())
					sentBytes += len(pkt)
				}
				time.Sleep(20 * time.Millisecond) // within the socket's receive buffer
			}
			time.Sleep(300 * time.Millisecond)
			after := env.v4stats()
			in, out := after.Received-before.Received, after.Sent-before.Sent
			t.Logf("640 PINGs sent (%d bytes), %d read: the node sent %d packets; %d PONGs and %d ping-backs limited",
				sentBytes, in, out, after.PongLimited-before.PongLimited, after.PingBackLimited-before.PingBackLimited)
			if in < 160 {
				t.Fatalf("only %d of 640 PINGs read", in)
			}
			if out > in+64 {
				t.Errorf("%d packets out for %d in", out, in)
			}
		}},
		{"discv4-findnode-unknown-sender", func(t *testing.T, env *attackEnv) {
			c := env.udp(t, "127.0.3.1")
			env.sendV4(t, c, testutil.NewKey(t), &v4wire.Findnode{Expiration: expiry()}, 100)
			eventually(t, "dropped", func() bool { return env.v4stats().UnknownSender >= 100 })
		}},
		{"discv4-unsolicited-neighbors", func(t *testing.T, env *attackEnv) {
			c := env.udp(t, "127.0.3.2")
			env.sendV4(t, c, testutil.NewKey(t), &v4wire.Neighbors{Expiration: expiry()}, 100)
			eventually(t, "dropped", func() bool { return env.v4stats().Unsolicited >= 100 })
		}},
		{"discv4-expired", func(t *testing.T, env *attackEnv) {
			c := env.udp(t, "127.0.3.3")
			env.sendV4(t, c, testutil.NewKey(t), &v4wire.Ping{Version: 4, Expiration: uint64(time.Now().Add(-time.Minute).Unix())}, 50)
			eventually(t, "dropped", func() bool { return env.v4stats().Expired >= 50 })
		}},
		{"discv4-far-future", func(t *testing.T, env *attackEnv) {
			c := env.udp(t, "127.0.3.4")
			env.sendV4(t, c, testutil.NewKey(t), &v4wire.Ping{Version: 4, Expiration: uint64(time.Now().AddDate(100, 0, 0).Unix())}, 50)
			eventually(t, "dropped", func() bool { return env.v4stats().FarExpiration >= 50 })
		}},
		{"discv4-garbage", func(t *testing.T, env *attackEnv) {
			c := env.udp(t, "127.0.3.5")
			for i := range 200 {
				junk := make([]byte, 98+i)
				junk[0] = byte(i)
				c.WriteToUDP(junk, env.udpAddr())
			}
			eventually(t, "dropped", func() bool { s := env.v4stats(); return s.BadPacket+s.Unhandled >= 200 })
		}},
		{"discv5-garbage", func(t *testing.T, env *attackEnv) {
			// Packets that are not v4 reach v5, which drops them.
			before := env.hub.DiscoveryV5().Stats()
			c := env.udp(t, "127.0.3.6")
			for i := range 100 {
				junk := make([]byte, 63+i)
				junk[5] = byte(i)
				c.WriteToUDP(junk, env.udpAddr())
			}
			eventually(t, "dropped", func() bool {
				s := env.hub.DiscoveryV5().Stats()
				return s.Dropped()-before.Dropped() >= 100
			})
		}},
	}
	if len(attacks) < 20 {
		t.Fatalf("only %d attacks", len(attacks))
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			env := newAttackEnv(t)
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			baseHeap, baseG := ms.HeapAlloc, runtime.NumGoroutine()

			a.run(t, env)
			env.honestUnhurt(t)

			// Back to baseline once the attacker's connections are gone:
			// close its raw connections, and disconnect its peers.
			env.closeAttackers()
			for _, p := range env.hub.Peers() {
				if p.ID() != env.honest.Self().ID() {
					p.Disconnect(DiscRequested)
				}
			}
			eventually(t, "attacker peers gone", func() bool { return env.hub.PeerCount() == 1 })
			eventually(t, "goroutines back to the baseline", func() bool {
				return runtime.NumGoroutine() <= baseG+4
			})
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > baseHeap+8<<20 {
				t.Errorf("heap %d KiB after the attack, %d KiB before", ms.HeapAlloc>>10, baseHeap>>10)
			}
		})
	}
}

// hostileChat connects as key and completes the Hello exchange offering
// chat.
func hostileChat(t *testing.T, srv *Server, key *ecdsa.PrivateKey) *rlpx.Conn {
	t.Helper()
	c := rawConnect(t, srv, key)
	if _, err := exchangeHello(c, mustHello(t, key, "chat"), srv.Self().Pubkey(), new(trafficCounters)); err != nil {
		t.Fatal(err)
	}
	c.SetSnappy(true)
	t.Cleanup(func() { c.Close() })
	return c
}

// hostileChatNoCheck is hostileChat for connections the server may refuse.
func hostileChatNoCheck(t *testing.T, srv *Server, key *ecdsa.PrivateKey) *rlpx.Conn {
	t.Helper()
	c := rawConnect(t, srv, key)
	exchangeHello(c, mustHello(t, key, "chat"), srv.Self().Pubkey(), new(trafficCounters))
	t.Cleanup(func() { c.Close() })
	return c
}

// expectDisconnectOrClose is expectDisconnect for a server that may close
// the connection without a Disconnect (a read error on its side).
func expectDisconnectOrClose(t *testing.T, c *rlpx.Conn, want DiscReason) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		code, data, _, err := c.Read()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("no disconnect and no close, want %v", want)
			}
			return
		}
		if code == discMsg {
			if got := decodeDisconnect(data); got != want {
				t.Fatalf("disconnect reason %v, want %v", got, want)
			}
			return
		}
	}
}
