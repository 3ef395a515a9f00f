package p2p

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/seednet/p2p/netutil"
)

// Diagnosis answers "why do I have 0 peers?" (and "why so few?"): it looks
// at the server's configuration, counters and state, and says what is
// wrong and what to do about it. Server.Diagnose makes one; String gives
// the readable report, and the fields carry the same for programs (it is
// what the admin API's p2p_diagnose returns).
type Diagnosis struct {
	Time    time.Time `json:"time"`
	Running bool      `json:"running"`
	Uptime  Duration  `json:"uptime"`
	// Verdict is one line: the state of the node and, when something is
	// wrong, the most likely cause.
	Verdict string `json:"verdict"`
	// NextStep is what to do about it, "" when nothing needs doing.
	NextStep string `json:"nextStep,omitempty"`
	// Peers, Inbound and Outbound count the connected peers.
	Peers    int `json:"peers"`
	Inbound  int `json:"inbound"`
	Outbound int `json:"outbound"`
	// Checks are the findings, one per subject, in a fixed order.
	Checks []Check `json:"checks"`
}

// Check is one finding of a Diagnosis.
type Check struct {
	// Name is the subject: "peers", "listener", "inbound", "endpoint",
	// "nat", "dials", "slots", "restrictions", "discovery".
	Name string `json:"name"`
	// Status is "ok", "info" (nothing wrong, for the record), "warn"
	// (may keep peers away) or "fail" (keeps peers away).
	Status  string   `json:"status"`
	Summary string   `json:"summary"`
	Details []string `json:"details,omitempty"`
}

// Statuses of a Check.
const (
	CheckOK   = "ok"
	CheckInfo = "info"
	CheckWarn = "warn"
	CheckFail = "fail"
)

// Duration is a time.Duration that reads as text in JSON ("1m30s").
type Duration time.Duration

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}

// reachabilityGrace is how long a listening node may run without anyone
// connecting to it before the diagnosis says it may not be reachable; and
// bootnodeGrace how long discovery may take to hear from a bootnode.
// Variables for tests.
var (
	reachabilityGrace = 5 * time.Minute
	bootnodeGrace     = 30 * time.Second
)

// Diagnose looks at the server and reports what keeps peers away, if
// anything. It is cheap enough to call every few seconds.
func (srv *Server) Diagnose() *Diagnosis {
	d := &Diagnosis{Time: time.Now()}
	r := srv.running()
	if r == nil {
		d.Verdict = "The server is not running."
		d.NextStep = "Start it (Server.Start); if Start failed, its error says which setting to fix."
		return d
	}
	d.Running = true
	d.Uptime = Duration(time.Since(r.started).Round(time.Second))
	st := srv.Stats()
	for _, p := range srv.Peers() {
		if p.Inbound() {
			d.Inbound++
		} else {
			d.Outbound++
		}
	}
	d.Peers = d.Inbound + d.Outbound

	dg := &diagnoser{srv: srv, r: r, st: st, d: d}
	dg.checkPeers()
	dg.checkListener()
	dg.checkInbound()
	dg.checkEndpoint()
	dg.checkNAT()
	dg.checkDials()
	dg.checkSlots()
	dg.checkRestrictions()
	dg.checkDiscovery()
	dg.verdict()
	return d
}

type diagnoser struct {
	srv *Server
	r   *serverRun
	st  Stats
	d   *Diagnosis
	// cause and next are the most important problem found so far, by
	// priority (lower is more important).
	prio        int
	cause, next string
}

func (g *diagnoser) add(c Check) { g.d.Checks = append(g.d.Checks, c) }

// problem records a possible cause of missing peers; the one with the
// lowest prio becomes the verdict.
func (g *diagnoser) problem(prio int, cause, next string) {
	if g.cause == "" || prio < g.prio {
		g.prio, g.cause, g.next = prio, cause, next
	}
}

func (g *diagnoser) checkPeers() {
	d, srv := g.d, g.srv
	c := Check{Name: "peers", Status: CheckOK,
		Summary: fmt.Sprintf("%d of %d (%d inbound, %d outbound)", d.Peers, srv.MaxPeers, d.Inbound, d.Outbound)}
	if d.Peers == 0 {
		c.Status = CheckFail
	}
	if n := g.st.PeersDropped; n > 0 {
		c.Details = append(c.Details, fmt.Sprintf("%d peers have come and gone; why they went: %s", n, topCounts(g.st.Dropped, 4)))
	}
	g.add(c)
}

func (g *diagnoser) checkListener() {
	r := g.r
	if r.listener == nil {
		g.add(Check{Name: "listener", Status: CheckWarn,
			Summary: "not listening (ListenAddr is empty): no node can connect to us, we can only dial"})
		if g.srv.NoDial {
			g.problem(0, "it neither listens (ListenAddr is empty) nor dials (NoDial is set)",
				"Set a ListenAddr (-addr) or turn NoDial off.")
		}
		return
	}
	addr := r.listener.Addr().String()
	c := Check{Name: "listener", Status: CheckOK, Summary: "listening on " + addr + " (TCP)"}
	if ap, err := netip.ParseAddrPort(addr); err == nil && ap.Addr().IsLoopback() {
		c.Status = CheckWarn
		c.Summary += ": a loopback address, so only this machine can connect"
		g.problem(6, "it listens on a loopback address ("+addr+"), which only this machine can reach",
			`Listen on all interfaces (ListenAddr ":30303") unless the node is meant for local tests.`)
	}
	g.add(c)
}

func (g *diagnoser) checkInbound() {
	s := &g.srv.stats
	if g.r.listener == nil {
		return
	}
	var total uint64
	parts := make([]string, 0, 3)
	for class, name := range addrClassNames {
		n := s.inboundByClass[class].Load()
		total += n
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d from %s", n, name))
		}
	}
	c := Check{Name: "inbound", Status: CheckOK}
	if total == 0 {
		c.Summary = "no node has connected to us since the start"
		if time.Duration(g.d.Uptime) >= reachabilityGrace {
			c.Status = CheckWarn
			c.Summary += fmt.Sprintf(" (%s ago): our TCP port may not be reachable from outside", time.Duration(g.d.Uptime))
			g.problem(5, "no node has connected to us in "+g.d.Uptime.String()+": our TCP port may not be reachable",
				"Open or forward the TCP and UDP port (NAT: -nat any or -nat extip:IP), and check the firewall.")
		} else {
			c.Status = CheckInfo
			c.Summary += " (give it a few minutes)"
		}
	} else {
		last := time.Unix(0, s.lastInbound.Load())
		c.Summary = fmt.Sprintf("%s accepted (%s), the last %s ago", plural(int(total), "connection"), strings.Join(parts, ", "),
			time.Since(last).Round(time.Second))
		if s.inboundByClass[classInternet].Load() == 0 {
			c.Details = append(c.Details, "none came from the internet: only local nodes have reached us so far")
		}
		if n := inboundPeers(g.st); n == 0 {
			c.Details = append(c.Details, "none of them became a peer; see restrictions and slots")
		}
	}
	g.add(c)
}

// inboundPeers returns how many connections accepted became peers, as far
// as the counters tell: accepted minus refused inbound is not kept, so
// this returns PeersAdded less the dials that became peers.
func inboundPeers(st Stats) uint64 {
	dialedPeers := st.DialOutcomes[outcomePeer]
	if st.PeersAdded < dialedPeers {
		return 0
	}
	return st.PeersAdded - dialedPeers
}

func (g *diagnoser) checkEndpoint() {
	self := g.r.local.Node()
	adv := "none"
	if ip := self.IPAddr(); ip.IsValid() {
		adv = netip.AddrPortFrom(ip, uint16(self.UDP())).String()
	}
	stated := g.r.local.EndpointStatements()
	c := Check{Name: "endpoint", Status: CheckOK}
	if len(stated) == 0 {
		c.Status = CheckInfo
		c.Summary = "our record says " + adv + " (UDP); no node has told us yet how it sees us"
		if !g.srv.discoveryOn() {
			c.Summary = "our record says " + adv + " (UDP); discovery is off, so no node tells us how it sees us"
		}
		g.add(c)
		return
	}
	type seen struct {
		ep    netip.AddrPort
		hosts int
	}
	var list []seen
	total := 0
	for ep, n := range stated {
		list = append(list, seen{ep, n})
		total += n
	}
	slices.SortFunc(list, func(a, b seen) int {
		return cmp.Or(cmp.Compare(b.hosts, a.hosts), a.ep.Compare(b.ep))
	})
	for _, s := range list[:min(len(list), 4)] {
		c.Details = append(c.Details, fmt.Sprintf("%s, said by %d hosts", s.ep, s.hosts))
	}
	top := list[0].ep
	c.Summary = fmt.Sprintf("our record says %s; %d of %d hosts that told us see us at %s", adv, list[0].hosts, total, top)
	ip := self.IPAddr()
	switch {
	case !ip.IsValid() || ip != top.Addr():
		c.Status = CheckFail
		c.Summary = fmt.Sprintf("our record says %s, but %d of %d hosts that told us see us at %s", adv, list[0].hosts, total, top)
		g.problem(3, "other nodes see us at "+top.Addr().String()+", but our record gives "+adv+": they cannot reach us at the address we advertise",
			"Advertise the address they see: -nat extip:"+top.Addr().String()+" (Server.NAT = nat.ExtIP(...)), or let endpoint prediction run (no fixed IP).")
	case int(top.Port()) != self.UDP():
		c.Status = CheckWarn
		c.Summary = fmt.Sprintf("our record says %s, but hosts see our UDP port as %d: a NAT changes our port", adv, top.Port())
		if len(list) > 1 && list[1].ep.Addr() == top.Addr() {
			c.Details = append(c.Details, "hosts see different ports: a symmetric NAT, which only a port mapping (UPnP, NAT-PMP) or forwarding gets through")
		}
		g.problem(7, "a NAT changes our UDP port, so nodes that find us in discovery may not reach us",
			"Map the ports on the router (-nat any) or forward them by hand.")
	}
	g.add(c)
}

func (g *diagnoser) checkNAT() {
	self := g.r.local.Node()
	if g.r.nat == nil {
		c := Check{Name: "nat", Status: CheckInfo, Summary: "no port mapping configured (NAT is nil)"}
		if ip := self.IPAddr(); ip.IsValid() && (netutil.AddrIsLAN(ip) && !ip.IsLoopback()) {
			c.Status = CheckWarn
			c.Summary = "no port mapping, and our record's address " + ip.String() + " is a private one that nodes on the internet cannot reach"
			g.problem(4, "we advertise a private address ("+ip.String()+") and map no ports",
				"Set -nat any (UPnP or NAT-PMP on the router), or -nat extip:IP with the ports forwarded.")
		}
		g.add(c)
		return
	}
	info := g.r.nat.snapshot()
	c := Check{Name: "nat", Status: CheckOK, Summary: info.Method}
	if info.ExternalIP != "" {
		c.Summary += ", external IP " + info.ExternalIP
	}
	for _, m := range info.Mappings {
		if m.External == 0 {
			c.Details = append(c.Details, fmt.Sprintf("%s %d: not mapped", m.Protocol, m.Internal))
			c.Status = CheckWarn
		} else {
			c.Details = append(c.Details, fmt.Sprintf("%s %d -> %d, renewed %s ago", m.Protocol, m.Internal, m.External, time.Since(m.Renewed).Round(time.Second)))
		}
	}
	if info.LastError != "" {
		c.Status = CheckFail
		c.Summary += ": " + info.LastError
		g.problem(4, "the port mapping failed: "+info.LastError,
			"Check that the router has UPnP or NAT-PMP on, or forward the ports by hand and use -nat extip:IP.")
	}
	g.add(c)
}

func (g *diagnoser) checkDials() {
	srv, st := g.srv, g.st
	c := Check{Name: "dials", Status: CheckOK}
	if srv.NoDial {
		c.Status = CheckInfo
		c.Summary = "dialing is off (NoDial): peers must connect to us"
		g.add(c)
		return
	}
	done := uint64(0)
	for _, n := range st.DialOutcomes {
		done += n
	}
	ok := st.DialOutcomes[outcomePeer]
	if st.DialAttempts == 0 {
		c.Status = CheckInfo
		c.Summary = "no dial yet"
		if len(srv.StaticNodes) == 0 && !srv.discoveryOn() && len(srv.DNSDiscoveryURLs) == 0 && !hasDialCandidates(srv) {
			c.Status = CheckFail
			c.Summary = "nothing to dial: no static nodes, discovery off, no DNS lists, no protocol dial candidates"
			if g.d.Peers > 0 {
				// Peers come to us: fine, if that is the plan.
				c.Status = CheckInfo
				g.add(c)
				return
			}
			g.problem(1, "it has nothing to dial: no static nodes, no discovery, no DNS node lists",
				"Give it nodes: BootstrapNodes with discovery on (-bootnodes), StaticNodes (-static), DNSDiscoveryURLs, or AddPeer.")
		}
		g.add(c)
		return
	}
	c.Summary = fmt.Sprintf("%d dials, %d became peers", st.DialAttempts, ok)
	if done > 0 {
		c.Details = append(c.Details, "outcomes: "+topCounts(st.DialOutcomes, 6))
	}
	if ok == 0 && done > 0 {
		c.Status = CheckFail
		reason, n := topCount(st.DialOutcomes)
		share := fmt.Sprintf("%d of %d dials", n, done)
		switch reason {
		case outcomeDialFailed:
			g.problem(2, "our dials fail to connect ("+share+"): the nodes we try are unreachable, or our outbound traffic is blocked",
				"Check outbound TCP (firewall, proxy) and that the nodes we are given are up; try one by hand with AddPeer.")
		case outcomeResolveFailed:
			g.problem(2, "the host names of our nodes do not resolve ("+share+")",
				"Check the enode URLs' host names and the DNS set-up (Server.Resolver).")
		case "remote: " + DiscTooManyPeers.String():
			g.problem(2, "the nodes we dial are full and refuse us ("+share+" end in \"too many peers\")",
				"Find more nodes (more bootnodes, a DNS list), or ask the operators of a few nodes to add us as trusted.")
		case DiscUselessPeer.String(), "remote: " + DiscUselessPeer.String():
			g.problem(2, "the nodes we reach share no protocol with us ("+share+" end in \"useless peer\"): we are on the wrong network or run other protocol versions",
				"Check the bootnodes or the network, and the protocols' names and versions.")
		case rejectHandshakeFailed:
			g.problem(2, "the RLPx handshake fails with the nodes we dial ("+share+"): wrong node keys in their enode URLs, or not devp2p nodes",
				"Check the enode URLs (the key part must be the node's).")
		case rejectNetRestrict:
			g.problem(2, "NetRestrict refuses the nodes we would dial ("+share+")",
				"Widen NetRestrict (-netrestrict) or give nodes inside it.")
		default:
			g.problem(2, "our dials do not become peers ("+share+" end in \""+reason+"\")", "")
		}
	} else if rem := st.DialOutcomes["remote: "+DiscTooManyPeers.String()]; rem*2 > done {
		c.Status = CheckWarn
		c.Details = append(c.Details, fmt.Sprintf("%d of %d dials were refused as \"too many peers\": the network is busy", rem, done))
	}
	g.add(c)
}

func hasDialCandidates(srv *Server) bool {
	for _, p := range srv.Protocols {
		if p.DialCandidates != nil {
			return true
		}
	}
	return false
}

func (g *diagnoser) checkSlots() {
	srv, d := g.srv, g.d
	in, out := srv.MaxInboundConns(), srv.MaxDialedConns()
	c := Check{Name: "slots", Status: CheckOK,
		Summary: fmt.Sprintf("MaxPeers %d: up to %d we dial, the rest (%d) for inbound; static and trusted peers on top", srv.MaxPeers, out, in)}
	switch {
	case srv.NoDial:
		c.Details = append(c.Details, "NoDial: every slot is for inbound peers")
	default:
		ratio := srv.DialRatio
		if ratio == 0 {
			ratio = DefaultDialRatio
		}
		c.Details = append(c.Details, fmt.Sprintf("DialRatio %d: one slot in %d is dialed", ratio, ratio))
	}
	c.Details = append(c.Details, fmt.Sprintf("now %d inbound, %d outbound", d.Inbound, d.Outbound))
	if d.Peers >= srv.MaxPeers {
		c.Summary += "; full"
	}
	if n := g.st.Rejected[DiscTooManyPeers.String()]; n > 0 {
		c.Details = append(c.Details, fmt.Sprintf("%d connections refused as \"too many peers\"", n))
	}
	g.add(c)
}

func (g *diagnoser) checkRestrictions() {
	srv, r, st := g.srv, g.r, g.st
	c := Check{Name: "restrictions", Status: CheckOK, Summary: "none refused anything"}
	if srv.NetRestrict != nil {
		c.Details = append(c.Details, "NetRestrict: "+srv.NetRestrict.String())
	}
	restricted, throttled := st.Rejected[rejectNetRestrict], st.Rejected[rejectThrottled]
	r.mu.Lock()
	now := time.Now()
	held := 0
	for _, until := range r.throttle {
		if now.Before(until) {
			held++
		}
	}
	r.mu.Unlock()
	if restricted > 0 || throttled > 0 {
		c.Summary = fmt.Sprintf("%d connections refused by NetRestrict, %d throttled (same IP again within %s)", restricted, throttled, srv.throttleTime())
		c.Status = CheckInfo
	}
	if held > 0 {
		c.Details = append(c.Details, fmt.Sprintf("%d addresses are throttled right now", held))
	}
	if restricted > 0 && inboundPeers(st) == 0 && st.DialOutcomes[outcomePeer] == 0 {
		c.Status = CheckWarn
		g.problem(3, fmt.Sprintf("NetRestrict refused %d connections and nothing got through", restricted),
			"Check that NetRestrict (-netrestrict) includes the networks of the nodes you expect.")
	}
	if bans := srv.Bans(); len(bans) > 0 {
		c.Details = append(c.Details, fmt.Sprintf("%s in force (Server.Bans); %d connections refused as banned", plural(len(bans), "ban"), st.Rejected[rejectBanned]))
	}
	if other := refusalsBesides(st.Rejected, rejectNetRestrict, rejectThrottled); other != "" {
		c.Details = append(c.Details, "other refusals: "+other)
	}
	g.add(c)
}

// refusalsBesides lists the counts of m except the given keys.
func refusalsBesides(m map[string]uint64, except ...string) string {
	rest := maps.Clone(m)
	for _, k := range except {
		delete(rest, k)
	}
	return topCounts(rest, 6)
}

func (g *diagnoser) checkDiscovery() {
	srv, r := g.srv, g.r
	if !srv.discoveryOn() {
		g.add(Check{Name: "discovery", Status: CheckInfo, Summary: "off: peers come only from static nodes, DNS lists, AddPeer and protocols"})
		return
	}
	c := Check{Name: "discovery", Status: CheckOK}
	var parts []string
	empty := true
	if r.disc != nil {
		n := len(r.disc.TableNodes())
		s := r.disc.Stats()
		parts = append(parts, fmt.Sprintf("v4: %d nodes in the table", n))
		c.Details = append(c.Details, fmt.Sprintf("v4: %d packets in, %d out, %d dropped", s.Received, s.Sent, s.Dropped()))
		empty = empty && n == 0
	}
	if r.disc5 != nil {
		n := len(r.disc5.AllNodes())
		s := r.disc5.Stats()
		parts = append(parts, fmt.Sprintf("v5: %d nodes in the table", n))
		c.Details = append(c.Details, fmt.Sprintf("v5: %d packets in, %d out, %d dropped", s.Received, s.Sent, s.Dropped()))
		empty = empty && n == 0
	}
	c.Summary = strings.Join(parts, ", ")
	if empty {
		boot := len(srv.BootstrapNodes) + len(srv.BootstrapNodesV5)
		switch {
		case boot == 0:
			c.Status = CheckFail
			c.Summary += ": no bootnodes, so discovery has nobody to ask"
			if len(srv.StaticNodes) == 0 && len(srv.DNSDiscoveryURLs) == 0 {
				g.problem(1, "discovery has no bootnodes and nothing else gives it nodes",
					"Set BootstrapNodes (-bootnodes) to a few nodes of the network, or DNSDiscoveryURLs.")
			}
		case time.Duration(g.d.Uptime) >= bootnodeGrace:
			c.Status = CheckFail
			c.Summary += fmt.Sprintf(": none of the %d bootnodes answered", boot)
			g.problem(2, "discovery found nobody: the bootnodes do not answer",
				"Check the bootnodes' enode URLs (their UDP ports) and that outbound UDP is not blocked.")
		default:
			c.Status = CheckInfo
			c.Summary += " (starting)"
		}
	}
	g.add(c)
}

func (g *diagnoser) verdict() {
	d := g.d
	switch {
	case d.Peers == 0 && g.cause != "":
		d.Verdict = "No peers: " + g.cause + "."
		d.NextStep = g.next
	case d.Peers == 0:
		d.Verdict = "No peers yet, and nothing found wrong: the server may still be starting."
		d.NextStep = "Wait a minute and diagnose again; if nothing changes, look at the dial outcomes above."
	case g.cause != "" && g.prio <= 5:
		d.Verdict = fmt.Sprintf("%s, but %s.", plural(d.Peers, "peer"), g.cause)
		d.NextStep = g.next
	default:
		d.Verdict = fmt.Sprintf("Healthy: %s (%d inbound, %d outbound).", plural(d.Peers, "peer"), d.Inbound, d.Outbound)
	}
}

// String returns the report as text for people.
func (d *Diagnosis) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Diagnosis at %s", d.Time.Format(time.DateTime))
	if d.Running {
		fmt.Fprintf(&b, ", up %s", time.Duration(d.Uptime))
	}
	fmt.Fprintf(&b, "\n\n%s\n", d.Verdict)
	if d.NextStep != "" {
		fmt.Fprintf(&b, "Next step: %s\n", d.NextStep)
	}
	if len(d.Checks) > 0 {
		b.WriteByte('\n')
	}
	for _, c := range d.Checks {
		fmt.Fprintf(&b, "%-6s %-12s %s\n", "["+c.Status+"]", c.Name, c.Summary)
		for _, line := range c.Details {
			fmt.Fprintf(&b, "%20s%s\n", "", line)
		}
	}
	return b.String()
}

// topCount returns the key with the highest count.
func topCount(m map[string]uint64) (string, uint64) {
	var best string
	var n uint64
	for k, v := range m {
		if v > n || (v == n && k < best) {
			best, n = k, v
		}
	}
	return best, n
}

// topCounts formats the k highest counts of m: "too many peers 12, dial
// failed 3".
func topCounts(m map[string]uint64, k int) string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), strings.Compare(a, b)) })
	var parts []string
	for i, key := range keys {
		if i == k {
			parts = append(parts, fmt.Sprintf("%d more", len(keys)-k))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", key, m[key]))
	}
	return strings.Join(parts, ", ")
}

// Address classes of inbound connections.
const (
	classLoopback = iota
	classLAN
	classInternet
)

var addrClassNames = [...]string{classLoopback: "loopback", classLAN: "the LAN", classInternet: "the internet"}

func addrClass(ip netip.Addr) int {
	switch {
	case ip.IsLoopback():
		return classLoopback
	case netutil.AddrIsLAN(ip):
		return classLAN
	}
	return classInternet
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
