package workloads

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common/mclock"
	gethv5 "github.com/ethereum/go-ethereum/p2p/discover/v5wire"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	gethrlp "github.com/ethereum/go-ethereum/rlp"
	"go.uber.org/goleak"

	"github.com/seednet/p2p/bench/harness"
	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// The discovery v5 cases measure the packet codecs, ours
// (discover/v5wire) and go-ethereum's (p2p/discover/v5wire), one node A
// talking to one node B, both in this process:
//
//   - discv5/encode/message: A encodes a PING under an established session
//     (masking, AES-GCM).
//   - discv5/decode/message: B decodes that packet.
//   - discv5/decode/handshake: B decodes a handshake packet that answers
//     its WHOAREYOU (ECDH, ID signature check, key derivation, AES-GCM);
//     B knows A's record, so the packet has none.
//   - discv5/decode/handshake-enr: the same for a first contact: the packet
//     carries A's record, which B verifies too.
//
// A handshake packet can be decoded only once (it uses up its challenge),
// so the handshake cases prepare packets in rounds of handshakeRound, each
// from another address of A, outside the timed part (see setupLoop); a
// round keeps as many challenges pending at B as a busy node would have.
// The Check of every case runs each pairing of the two libraries (ours to
// geth, geth to ours, and each to itself) through a handshake and messages
// both ways.

// decodeRing is how many message packets the decode case cycles through.
const decodeRing = 128

// handshakeRound is how many handshake packets are prepared at a time.
const handshakeRound = 16

func discv5Cases() []harness.Case {
	return []harness.Case{
		{
			Name: "discv5/encode/message", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: v5EncodeRun(newOursV5)},
				{Name: harness.Baseline, Run: v5EncodeRun(newGethV5)},
			},
			Check: checkV5Interop,
		},
		{
			Name: "discv5/decode/message", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: v5DecodeRun(newOursV5)},
				{Name: harness.Baseline, Run: v5DecodeRun(newGethV5)},
			},
			Check: checkV5Interop,
		},
		{
			Name: "discv5/decode/handshake", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: v5HandshakeRun(newOursV5, true)},
				{Name: harness.Baseline, Run: v5HandshakeRun(newGethV5, true)},
			},
			Check: checkV5Interop,
		},
		{
			Name: "discv5/decode/handshake-enr", Kind: harness.KindTime,
			Impls: []harness.Impl{
				{Name: "ours", Run: v5HandshakeRun(newOursV5, false)},
				{Name: harness.Baseline, Run: v5HandshakeRun(newGethV5, false)},
			},
			Check: checkV5Interop,
		},
	}
}

// v5Side is one node with one of the codecs. Packets go to and come from
// the node that the last call of meet introduced.
type v5Side interface {
	// id is the node ID, record the RLP of the node's record.
	id() [32]byte
	record() []byte
	// meet learns the peer's record.
	meet(peerRecord []byte) error
	// sendPing encodes a PING to the peer at its address: in a handshake
	// packet if a challenge from the peer is pending, else in a message
	// packet (random if there is no session).
	sendPing(to [32]byte, toAddr netip.AddrPort, reqID []byte) ([]byte, error)
	// sendWhoareyou encodes a challenge to id at addr; knowsRecord says
	// whether it names the peer's record as known.
	sendWhoareyou(id [32]byte, addr netip.AddrPort, nonce [12]byte, knowsRecord bool) ([]byte, error)
	// decode decodes a packet from addr: "unknown", "whoareyou" (which
	// becomes the pending challenge) or the message name, with the PING's
	// request ID and the packet's nonce.
	decode(pkt []byte, from netip.AddrPort) (kind string, reqID []byte, nonce [12]byte, err error)
}

var (
	v5AddrA = netip.MustParseAddrPort("127.0.0.1:30301")
	v5AddrB = netip.MustParseAddrPort("127.0.0.2:30302")
)

// The keys of nodes A and B.
var v5Keys = [2]KeyPair{mustKeyPair(), mustKeyPair()}

// v5Factory makes node A (0) or B (1) with one of the codecs.
type v5Factory func(which int) (v5Side, error)

// oursV5 is a node with our codec.
type oursV5 struct {
	ln        *enode.LocalNode
	c         *v5wire.Codec
	peer      *enode.Node
	challenge *v5wire.Whoareyou
	ping      v5wire.Ping
}

func newOursV5(which int) (v5Side, error) {
	key := v5Keys[which].Ours
	ln := enode.NewLocalNode(nil, key)
	// A clock that stands still: no challenge expires during a run.
	now := time.Now()
	c := v5wire.NewCodecWithConfig(ln, key, v5wire.Config{Clock: func() time.Time { return now }})
	return &oursV5{ln: ln, c: c}, nil
}

func (o *oursV5) id() [32]byte { return o.ln.ID() }

func (o *oursV5) record() []byte {
	b, err := rlp.EncodeToBytes(o.ln.Node().Record())
	if err != nil {
		panic(err)
	}
	return b
}

func (o *oursV5) meet(peerRecord []byte) error {
	var r enr.Record
	if err := rlp.DecodeBytes(peerRecord, &r); err != nil {
		return err
	}
	n, err := enode.New(enode.ValidSchemes, &r)
	o.peer = n
	return err
}

func (o *oursV5) sendPing(to [32]byte, toAddr netip.AddrPort, reqID []byte) ([]byte, error) {
	o.ping.ReqID, o.ping.ENRSeq = reqID, 1
	c := o.challenge
	o.challenge = nil
	enc, _, err := o.c.Encode(to, toAddr, &o.ping, c)
	return enc, err
}

func (o *oursV5) sendWhoareyou(id [32]byte, addr netip.AddrPort, nonce [12]byte, knowsRecord bool) ([]byte, error) {
	w := &v5wire.Whoareyou{Nonce: nonce}
	rand.Read(w.IDNonce[:])
	if knowsRecord {
		w.Node, w.RecordSeq = o.peer, o.peer.Seq()
	}
	enc, _, err := o.c.Encode(id, addr, w, nil)
	return enc, err
}

func (o *oursV5) decode(pkt []byte, from netip.AddrPort) (string, []byte, [12]byte, error) {
	_, _, p, err := o.c.Decode(pkt, from)
	if err != nil {
		return "", nil, [12]byte{}, err
	}
	switch p := p.(type) {
	case *v5wire.Unknown:
		return "unknown", nil, p.Nonce, nil
	case *v5wire.Whoareyou:
		p.Node = o.peer
		o.challenge = p
		return "whoareyou", nil, p.Nonce, nil
	default:
		return p.Name(), p.RequestID(), [12]byte{}, nil
	}
}

// gethV5 is a node with go-ethereum's codec.
type gethV5 struct {
	ln        *gethenode.LocalNode
	c         *gethv5.Codec
	peer      *gethenode.Node
	challenge *gethv5.Whoareyou
	ping      gethv5.Ping
}

func newGethV5(which int) (v5Side, error) {
	lns, err := gethV5Nodes()
	if err != nil {
		return nil, err
	}
	// A clock that stands still: no challenge expires during a run.
	c := gethv5.NewCodec(lns[which], v5Keys[which].Geth, new(mclock.Simulated), nil)
	return &gethV5{ln: lns[which], c: c}, nil
}

// gethV5Nodes returns go-ethereum LocalNodes for nodes A and B, made once.
// go-ethereum's LocalNode needs a node database, a LevelDB with goroutines:
// it is opened, used to sign the two records, and closed; the records do
// not change afterwards, so the LocalNodes never use it again. One of
// LevelDB's goroutines lingers for a second after Close; this waits for
// them all to end, so that no test sees them as leaked.
var gethV5Nodes = sync.OnceValues(func() ([2]*gethenode.LocalNode, error) {
	var lns [2]*gethenode.LocalNode
	before := goleak.IgnoreCurrent()
	db, err := gethenode.OpenDB("")
	if err != nil {
		return lns, err
	}
	for i := range lns {
		lns[i] = gethenode.NewLocalNode(db, v5Keys[i].Geth)
		lns[i].Node()
	}
	db.Close()
	// goleak.Find gives up after about half a second; LevelDB takes one.
	for deadline := time.Now().Add(3 * time.Second); goleak.Find(before) != nil && time.Now().Before(deadline); {
	}
	return lns, nil
})

func (g *gethV5) id() [32]byte { return g.ln.ID() }

func (g *gethV5) record() []byte {
	b, err := gethrlp.EncodeToBytes(g.ln.Node().Record())
	if err != nil {
		panic(err)
	}
	return b
}

func (g *gethV5) meet(peerRecord []byte) error {
	var r gethenr.Record
	if err := gethrlp.DecodeBytes(peerRecord, &r); err != nil {
		return err
	}
	n, err := gethenode.New(gethenode.ValidSchemes, &r)
	g.peer = n
	return err
}

func (g *gethV5) sendPing(to [32]byte, toAddr netip.AddrPort, reqID []byte) ([]byte, error) {
	g.ping.ReqID, g.ping.ENRSeq = reqID, 1
	c := g.challenge
	g.challenge = nil
	enc, _, err := g.c.Encode(to, toAddr.String(), &g.ping, c)
	return enc, err
}

func (g *gethV5) sendWhoareyou(id [32]byte, addr netip.AddrPort, nonce [12]byte, knowsRecord bool) ([]byte, error) {
	w := &gethv5.Whoareyou{Nonce: nonce}
	rand.Read(w.IDNonce[:])
	if knowsRecord {
		w.Node, w.RecordSeq = g.peer, g.peer.Seq()
	}
	enc, _, err := g.c.Encode(id, addr.String(), w, nil)
	return enc, err
}

func (g *gethV5) decode(pkt []byte, from netip.AddrPort) (string, []byte, [12]byte, error) {
	_, _, p, err := g.c.Decode(pkt, from.String())
	if err != nil {
		return "", nil, [12]byte{}, err
	}
	switch p := p.(type) {
	case *gethv5.Unknown:
		return "unknown", nil, p.Nonce, nil
	case *gethv5.Whoareyou:
		p.Node = g.peer
		g.challenge = p
		return "whoareyou", nil, p.Nonce, nil
	default:
		return p.Name(), p.RequestID(), [12]byte{}, nil
	}
}

// v5Pair makes nodes A and B of one implementation that know each other's
// records.
func v5Pair(newSide v5Factory) (a, b v5Side, err error) {
	return v5Mixed(newSide, newSide)
}

func v5Mixed(newA, newB v5Factory) (a, b v5Side, err error) {
	if a, err = newA(0); err != nil {
		return nil, nil, err
	}
	if b, err = newB(1); err != nil {
		return nil, nil, err
	}
	if err = errors.Join(a.meet(b.record()), b.meet(a.record())); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// v5Handshake runs a handshake from a at aAddr to b as the protocol would,
// and checks that b gets the PING in it.
func v5Handshake(a, b v5Side, aAddr netip.AddrPort, knowsRecord bool) error {
	pkt, err := a.sendPing(b.id(), v5AddrB, []byte{1})
	if err != nil {
		return fmt.Errorf("first PING: %w", err)
	}
	kind, _, nonce, err := b.decode(pkt, aAddr)
	if err != nil || kind != "unknown" {
		return fmt.Errorf("first PING decoded as %q: %v", kind, err)
	}
	pkt, err = v5Challenge(a, b, aAddr, nonce, knowsRecord)
	if err != nil {
		return err
	}
	kind, id, _, err := b.decode(pkt, aAddr)
	if err != nil || kind != "PING/v5" || !bytes.Equal(id, []byte{2}) {
		return fmt.Errorf("handshake decoded as %q %x: %v", kind, id, err)
	}
	return nil
}

// v5Challenge has b challenge a at aAddr and returns a's handshake packet
// in answer, with a PING of request ID 2.
func v5Challenge(a, b v5Side, aAddr netip.AddrPort, nonce [12]byte, knowsRecord bool) ([]byte, error) {
	w, err := b.sendWhoareyou(a.id(), aAddr, nonce, knowsRecord)
	if err != nil {
		return nil, fmt.Errorf("WHOAREYOU: %w", err)
	}
	kind, _, _, err := a.decode(w, v5AddrB)
	if err != nil || kind != "whoareyou" {
		return nil, fmt.Errorf("WHOAREYOU decoded as %q: %v", kind, err)
	}
	pkt, err := a.sendPing(b.id(), v5AddrB, []byte{2})
	if err != nil {
		return nil, fmt.Errorf("handshake: %w", err)
	}
	return bytes.Clone(pkt), nil
}

// v5Messages sends a PING each way under the session and checks them.
func v5Messages(a, b v5Side) error {
	for i, dir := range []struct {
		from, to         v5Side
		fromAddr, toAddr netip.AddrPort
	}{{a, b, v5AddrA, v5AddrB}, {b, a, v5AddrB, v5AddrA}} {
		id := []byte{byte(10 + i)}
		pkt, err := dir.from.sendPing(dir.to.id(), dir.toAddr, id)
		if err != nil {
			return err
		}
		kind, got, _, err := dir.to.decode(pkt, dir.fromAddr)
		if err != nil || kind != "PING/v5" || !bytes.Equal(got, id) {
			return fmt.Errorf("message %d decoded as %q %x: %v", i, kind, got, err)
		}
	}
	return nil
}

// checkV5Interop runs a handshake and messages between every pairing of
// the two codecs, with and without the record in the handshake.
func checkV5Interop() error {
	sides := map[string]v5Factory{"ours": newOursV5, "geth": newGethV5}
	for an, newA := range sides {
		for bn, newB := range sides {
			for _, knows := range []bool{false, true} {
				a, b, err := v5Mixed(newA, newB)
				if err != nil {
					return err
				}
				err = v5Handshake(a, b, v5AddrA, knows)
				if err == nil {
					err = v5Messages(a, b)
				}
				if err != nil {
					return fmt.Errorf("%s to %s (record known: %v): %w", an, bn, knows, err)
				}
			}
		}
	}
	return nil
}

// v5Session returns nodes A and B with a session.
func v5Session(newSide v5Factory) (a, b v5Side, err error) {
	if a, b, err = v5Pair(newSide); err != nil {
		return nil, nil, err
	}
	if err = v5Handshake(a, b, v5AddrA, true); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

func v5EncodeRun(newSide v5Factory) func(harness.Budget) (harness.Sample, error) {
	return func(bu harness.Budget) (harness.Sample, error) {
		a, b, err := v5Session(newSide)
		if err != nil {
			return harness.Sample{}, err
		}
		to, reqID := b.id(), []byte{1, 2, 3, 4}
		return harness.Loop(bu, 0, func(n int) error {
			for range n {
				if _, err := a.sendPing(to, v5AddrB, reqID); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

func v5DecodeRun(newSide v5Factory) func(harness.Budget) (harness.Sample, error) {
	return func(bu harness.Budget) (harness.Sample, error) {
		a, b, err := v5Session(newSide)
		if err != nil {
			return harness.Sample{}, err
		}
		// Distinct packets, more of them than our codec's replay window
		// (the last 64 nonces of a session), decoded in turn: a packet
		// decoded again within the window is refused as a replay.
		pkts := make([][]byte, decodeRing)
		for i := range pkts {
			pkt, err := a.sendPing(b.id(), v5AddrB, []byte{1, 2, 3, 4})
			if err != nil {
				return harness.Sample{}, err
			}
			pkts[i] = bytes.Clone(pkt)
		}
		next := 0
		return harness.Loop(bu, 0, func(n int) error {
			for range n {
				if _, _, _, err := b.decode(pkts[next], v5AddrA); err != nil {
					return err
				}
				next = (next + 1) % len(pkts)
			}
			return nil
		})
	}
}

func v5HandshakeRun(newSide v5Factory, knowsRecord bool) func(harness.Budget) (harness.Sample, error) {
	return func(bu harness.Budget) (harness.Sample, error) {
		a, b, err := v5Pair(newSide)
		if err != nil {
			return harness.Sample{}, err
		}
		var (
			next  uint32 // addresses of A used so far
			pkts  = make([][]byte, handshakeRound)
			addrs = make([]netip.AddrPort, handshakeRound)
		)
		prepare := func() error {
			for i := range pkts {
				next++
				var ip [4]byte
				binary.BigEndian.PutUint32(ip[:], 0x0a000000|next)
				addrs[i] = netip.AddrPortFrom(netip.AddrFrom4(ip), 30303)
				pkt, err := v5Challenge(a, b, addrs[i], [12]byte{byte(i)}, knowsRecord)
				if err != nil {
					return err
				}
				pkts[i] = pkt
			}
			return nil
		}
		return setupLoop(bu, handshakeRound, prepare, func(i int) error {
			kind, _, _, err := b.decode(pkts[i], addrs[i])
			if err == nil && kind != "PING/v5" {
				err = fmt.Errorf("handshake decoded as %q", kind)
			}
			return err
		})
	}
}

// setupLoop measures op like harness.Loop, for operations that need a setup
// that must not be timed: prepare readies round operations, op(i) runs the
// i-th of them, and only the calls of op are timed (and their allocations
// counted). A warm-up of b.Warmup comes first.
func setupLoop(b harness.Budget, round int, prepare func() error, op func(i int) error) (harness.Sample, error) {
	var (
		s             harness.Sample
		warm          time.Duration
		before, after runtime.MemStats
		measuring     bool
	)
	for {
		if err := prepare(); err != nil {
			return harness.Sample{}, err
		}
		if measuring {
			runtime.ReadMemStats(&before)
		}
		n := round
		if measuring && b.MaxOps > 0 {
			n = int(min(int64(n), b.MaxOps-s.Ops))
		}
		start := time.Now()
		for i := range n {
			if err := op(i); err != nil {
				return harness.Sample{}, err
			}
		}
		elapsed := time.Since(start)
		if !measuring {
			if warm += elapsed; warm >= b.Warmup {
				measuring = true
				runtime.GC()
			}
			continue
		}
		runtime.ReadMemStats(&after)
		s.Ops += int64(n)
		s.Elapsed += elapsed
		s.Allocs += after.Mallocs - before.Mallocs
		s.AllocBytes += after.TotalAlloc - before.TotalAlloc
		if s.Elapsed >= b.Measure || (b.MaxOps > 0 && s.Ops >= b.MaxOps) {
			return s, nil
		}
	}
}
