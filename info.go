package p2p

import (
	"fmt"
	"net"
	"time"
)

// NodeInfo describes the local node, with the field names of go-ethereum's
// admin_nodeInfo.
type NodeInfo struct {
	ID    string `json:"id"`    // node ID, hex
	Name  string `json:"name"`  // client name
	Enode string `json:"enode"` // enode URL
	ENR   string `json:"enr"`   // node record, when there is one
	IP    string `json:"ip"`
	Ports struct {
		Discovery int `json:"discovery"` // UDP port
		Listener  int `json:"listener"`  // TCP port
	} `json:"ports"`
	ListenAddr string   `json:"listenAddr"`
	NAT        *NATInfo `json:"nat,omitempty"` // port mappings, with Server.NAT
	// DiscoveryV4 and DiscoveryV5 describe the discovery versions that run.
	DiscoveryV4 *DiscoveryInfo `json:"discoveryV4,omitempty"`
	DiscoveryV5 *DiscoveryInfo `json:"discoveryV5,omitempty"`
	Protocols   map[string]any `json:"protocols"`
	Stats       Stats          `json:"stats"` // counters, see Stats
	Bans        []Ban          `json:"bans"`  // in force, see Server.Bans
}

// DiscoveryInfo describes one version of discovery.
type DiscoveryInfo struct {
	Nodes int `json:"nodes"` // nodes in its table
	// Stats counts the packets it dropped, by reason: a discover.Stats
	// for v4, a discover.V5Stats for v5.
	Stats any `json:"stats"`
}

// NodeInfo returns information about the local node, or nil when the
// server is not running.
func (srv *Server) NodeInfo() *NodeInfo {
	r := srv.running()
	if r == nil {
		return nil
	}
	n := r.local.Node()
	info := &NodeInfo{
		ID:        n.ID().String(),
		Name:      srv.name(),
		Enode:     n.URLv4(),
		IP:        n.IP().String(),
		Protocols: make(map[string]any),
		Stats:     srv.Stats(),
		Bans:      srv.Bans(),
	}
	if n.Record() != nil && n.Seq() > 0 {
		info.ENR = n.String()
	}
	info.Ports.Discovery = n.UDP()
	info.Ports.Listener = n.TCP()
	if r.listener != nil {
		info.ListenAddr = r.listener.Addr().String()
	}
	if r.nat != nil {
		info.NAT = r.nat.snapshot()
	}
	if r.disc != nil {
		info.DiscoveryV4 = &DiscoveryInfo{Nodes: len(r.disc.TableNodes()), Stats: r.disc.Stats()}
	}
	if r.disc5 != nil {
		info.DiscoveryV5 = &DiscoveryInfo{Nodes: len(r.disc5.AllNodes()), Stats: r.disc5.Stats()}
	}
	for _, p := range srv.Protocols {
		if _, ok := info.Protocols[p.Name]; ok {
			continue
		}
		var pi any = "unknown"
		if p.NodeInfo != nil {
			pi = p.NodeInfo()
		}
		info.Protocols[p.Name] = pi
	}
	return info
}

// PeerInfo describes a connected peer, with the field names of
// go-ethereum's admin_peers.
type PeerInfo struct {
	ENR     string   `json:"enr,omitempty"`
	Enode   string   `json:"enode"`
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Caps    []string `json:"caps"`
	Network struct {
		LocalAddress  string `json:"localAddress"`
		RemoteAddress string `json:"remoteAddress"`
		Inbound       bool   `json:"inbound"`
		Trusted       bool   `json:"trusted"`
		Static        bool   `json:"static"`
	} `json:"network"`
	Protocols map[string]any `json:"protocols"`

	// Ours, beside go-ethereum's fields: when the connection became a
	// peer, the round trip of the last ping answered (absent before the
	// first, 15 s in), and the traffic with the peer in every protocol.
	Connected time.Time `json:"connected"`
	RTT       Duration  `json:"rtt,omitempty"`
	Traffic   Traffic   `json:"traffic"`
}

// Info returns information about the peer.
func (p *Peer) Info() *PeerInfo {
	info := &PeerInfo{
		Enode:     p.Node().URLv4(),
		ID:        p.ID().String(),
		Name:      p.name,
		Caps:      []string{},
		Protocols: make(map[string]any),
	}
	if n := p.Node(); n.Seq() > 0 {
		info.ENR = n.String()
	}
	for _, c := range p.caps {
		info.Caps = append(info.Caps, c.String())
	}
	info.Network.LocalAddress = addrString(p.local)
	info.Network.RemoteAddress = addrString(p.remote)
	info.Network.Inbound = p.Inbound()
	info.Network.Trusted = p.trusted.Load()
	info.Network.Static = p.flags&StaticDialedConn != 0
	info.Connected = p.created
	info.RTT = Duration(p.RTT())
	info.Traffic = p.Traffic()
	for _, rw := range p.protos {
		var pi any = "unknown"
		if rw.PeerInfo != nil {
			if v := rw.PeerInfo(p.ID()); v != nil {
				pi = v
			} else {
				pi = "handshake"
			}
		}
		info.Protocols[rw.Name] = pi
	}
	return info
}

// PeersInfo returns information about every connected peer.
func (srv *Server) PeersInfo() []*PeerInfo {
	peers := srv.Peers()
	infos := make([]*PeerInfo, 0, len(peers))
	for _, p := range peers {
		infos = append(infos, p.Info())
	}
	return infos
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return fmt.Sprint(a)
}
