package p2p

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// Protocol is a sub-protocol that peers speak over the connection, such as
// "eth" or an application's own. The server runs Run once for every peer
// that supports the same name and version.
type Protocol struct {
	// Name is the protocol's name, at most 8 ASCII characters by convention.
	Name string
	// Version is the protocol's version. When both sides support several
	// versions of a protocol, the highest common one runs.
	Version uint
	// Length is the number of message codes the protocol uses: its messages
	// have codes 0 to Length-1.
	Length uint64
	// Run is called in its own goroutine for every peer that speaks the
	// protocol. It should read messages from rw until ReadMsg returns an
	// error (io.EOF: the peer is gone) and must return then. Whatever it
	// returns ends the connection to the peer, with the reason:
	//   - a DiscReason, or an error wrapping one: that reason;
	//   - ErrInvalidMsg or ErrInvalidMsgCode, wrapped or not (the errors of
	//     Msg.Decode, and of WriteMsg with a code of Length or more):
	//     DiscProtocolError;
	//   - nil: DiscQuitting;
	//   - any other error: DiscSubprotocolError.
	Run func(peer *Peer, rw MsgReadWriter) error
	// NodeInfo, if set, returns protocol-specific data about this node for
	// Server.NodeInfo.
	NodeInfo func() any
	// PeerInfo, if set, returns protocol-specific data about a connected
	// peer for Peer.Info. It may return nil.
	PeerInfo func(id enode.ID) any
	// DialCandidates, if set, is a source of nodes the server should dial to
	// find peers for this protocol.
	DialCandidates enode.Iterator
	// Attributes are entries the protocol adds to the local node record.
	Attributes []enr.Entry
}

func (p Protocol) cap() Cap { return Cap{p.Name, p.Version} }

// Cap is a capability: a protocol name and version, as announced in Hello.
type Cap struct {
	Name    string
	Version uint
}

func (c Cap) String() string { return fmt.Sprintf("%s/%d", c.Name, c.Version) }

// Cmp orders capabilities by name, then version: it returns -1, 0 or +1
// as c sorts before, with or after other.
func (c Cap) Cmp(other Cap) int { return compareCaps(c, other) }

func compareCaps(a, b Cap) int {
	if c := cmp.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return cmp.Compare(a.Version, b.Version)
}

// matchProtocols decides which of our protocols run with a peer that
// announced caps, and where each one's message codes start. As devp2p
// specifies: the shared capabilities are sorted by name, then version; of
// several shared versions of one name the highest wins; the winners get
// consecutive code ranges from baseProtocolLength on, in name order.
func matchProtocols(protocols []Protocol, caps []Cap) []*protoRW {
	sorted := slices.Clone(caps)
	slices.SortFunc(sorted, compareCaps)
	var result []*protoRW
	for _, c := range sorted {
		i := slices.IndexFunc(protocols, func(p Protocol) bool { return p.cap() == c })
		if i < 0 {
			continue
		}
		// A higher version of the protocol that matched last replaces it.
		if n := len(result); n > 0 && result[n-1].Name == c.Name {
			result = result[:n-1]
		}
		result = append(result, &protoRW{Protocol: &protocols[i]})
	}
	offset := uint64(baseProtocolLength)
	for _, rw := range result {
		rw.offset = offset
		offset += rw.Length
	}
	return result
}
