package p2p

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/seednet/p2p/metrics"
)

// The metrics a Server reports to its Metrics provider. Their names and
// labels are part of the API: dashboards are built on them (see
// metrics/grafana-dashboard.json).
const (
	metricPeers           = "p2p_peers"
	metricDials           = "p2p_dials_total"
	metricRejected        = "p2p_rejected_total"
	metricDropped         = "p2p_dropped_total"
	metricInboundAccepted = "p2p_inbound_accepted_total"
	metricPendingInbound  = "p2p_pending_inbound"
	metricHandshake       = "p2p_handshake_seconds"
	metricMessages        = "p2p_messages_total"
	metricMessageBytes    = "p2p_message_bytes_total"
	metricEventsDropped   = "p2p_events_dropped_total"
	metricOffenses        = "p2p_offenses_total"
	metricBans            = "p2p_bans"
	metricBandwidthWaits  = "p2p_bandwidth_waits_total"
	metricBandwidthWaited = "p2p_bandwidth_wait_seconds_total"
)

// Label values of the direction labels.
const (
	dirInbound  = "inbound"
	dirOutbound = "outbound"
	dirIn       = "in"
	dirOut      = "out"
)

// handshakeBuckets are the upper bounds, in seconds, of the handshake
// latency histogram: from a loopback handshake (a few ms) to the 5 s
// timeout.
var handshakeBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// maxCodeLabels is how many message codes of a protocol get a label value
// of their own; messages with higher codes are counted under "other".
const maxCodeLabels = 256

// serverMetrics holds the metrics of a running server. It is made at
// Start from Server.Metrics; with none set, every metric is a no-op and
// traffic is not reported per code at all.
type serverMetrics struct {
	prov                        metrics.Provider // nil: report nothing
	inboundPeers, outboundPeers metrics.Setter
	dials, rejected, dropped    metrics.Counter
	handshake                   metrics.Histogram
	msgs, bytes                 metrics.Counter
	offenses                    metrics.Counter
}

// newServerMetrics makes the metrics of a server with counters s.
func newServerMetrics(prov metrics.Provider, s *serverStats, bans *banList) *serverMetrics {
	m := &serverMetrics{prov: prov}
	if prov == nil {
		prov = metrics.Nop
	}
	peers := prov.Gauge(metricPeers, "Connected peers by direction (inbound: they dialed us).", "direction")
	m.inboundPeers, m.outboundPeers = peers.With(dirInbound), peers.With(dirOutbound)
	m.dials = prov.Counter(metricDials, "Dials by how they ended: peer, dial failed, resolve failed, or the reason the connection was refused.", "outcome")
	m.rejected = prov.Counter(metricRejected, "Connections refused or failed before they became peers, by direction and reason.", "direction", "reason")
	m.dropped = prov.Counter(metricDropped, `Peers that went away, by disconnect reason ("remote: " and the reason when the peer disconnected).`, "reason")
	for _, c := range []struct {
		name, help string
		v          *atomic.Uint64
	}{
		{metricInboundAccepted, "TCP connections accepted.", &s.inboundAccepted},
		{metricEventsDropped, "Peer events not delivered to a subscriber whose backlog was full.", &s.eventsDropped},
	} {
		prov.Func(c.name, c.help, metrics.KindCounter, nil, func(emit func(float64, ...string)) { emit(float64(c.v.Load())) })
	}
	for _, c := range []struct {
		name, help string
		v          *[2]atomic.Uint64
		scale      float64
	}{
		{metricBandwidthWaits, "Messages a bandwidth budget held, by direction.", &s.bwWaits, 1},
		{metricBandwidthWaited, "Time messages waited for a bandwidth budget, by direction.", &s.bwWaitNanos, 1e-9},
	} {
		prov.Func(c.name, c.help, metrics.KindCounter, []string{"direction"}, func(emit func(float64, ...string)) {
			emit(float64(c.v[0].Load())*c.scale, dirIn)
			emit(float64(c.v[1].Load())*c.scale, dirOut)
		})
	}
	if bans != nil {
		prov.Func(metricBans, "Bans in force, of node IDs and of IP addresses.", metrics.KindGauge, []string{"kind"},
			func(emit func(float64, ...string)) {
				var nodes, ips int
				for _, b := range bans.all(time.Now()) {
					if b.IP.IsValid() {
						ips++
					} else {
						nodes++
					}
				}
				emit(float64(nodes), "node")
				emit(float64(ips), "ip")
			})
	}
	m.handshake = prov.Histogram(metricHandshake, "Time from a connection's start to the peer being added (RLPx handshake and Hello), by direction.", handshakeBuckets, "direction")
	m.msgs = prov.Counter(metricMessages, `Messages by protocol ("p2p" is the base protocol), message code within the protocol, and direction.`, "protocol", "code", "direction")
	m.offenses = prov.Counter(metricOffenses, "Offenses reported to the reputation policy, by offense.", "offense")
	m.bytes = prov.Counter(metricMessageBytes, "Message payload bytes as on the wire (after snappy), by protocol, code and direction.", "protocol", "code", "direction")
	return m
}

// traffic returns the per-code metrics of a protocol, or nil when there is
// no provider.
func (m *serverMetrics) traffic(protocol string) *trafficMetrics {
	if m.prov == nil {
		return nil
	}
	return &trafficMetrics{m: m, protocol: protocol}
}

func direction(flags ConnFlag) string {
	if flags&InboundConn != 0 {
		return dirInbound
	}
	return dirOutbound
}

func (m *serverMetrics) peerAdded(flags ConnFlag, setupStart time.Time) {
	dir := direction(flags)
	m.handshake.With(dir).Observe(time.Since(setupStart).Seconds())
	m.peersGauge(flags).Add(1)
}

func (m *serverMetrics) peersGauge(flags ConnFlag) metrics.Setter {
	if flags&InboundConn != 0 {
		return m.inboundPeers
	}
	return m.outboundPeers
}

// trafficMetrics are one protocol's message counters by code, made on
// first use of each code.
type trafficMetrics struct {
	m        *serverMetrics
	protocol string
	codes    [maxCodeLabels]atomic.Pointer[codeMetrics]
	other    atomic.Pointer[codeMetrics]
}

type codeMetrics struct {
	msgsIn, msgsOut, bytesIn, bytesOut metrics.Adder
}

func (t *trafficMetrics) code(code uint64) *codeMetrics {
	slot, label := &t.other, "other"
	if code < maxCodeLabels {
		slot, label = &t.codes[code], ""
	}
	if c := slot.Load(); c != nil {
		return c
	}
	if label == "" {
		label = strconv.FormatUint(code, 10)
	}
	c := &codeMetrics{
		msgsIn:   t.m.msgs.With(t.protocol, label, dirIn),
		msgsOut:  t.m.msgs.With(t.protocol, label, dirOut),
		bytesIn:  t.m.bytes.With(t.protocol, label, dirIn),
		bytesOut: t.m.bytes.With(t.protocol, label, dirOut),
	}
	// Two goroutines may both make it; the provider gives both the same
	// counters, so either will do.
	slot.CompareAndSwap(nil, c)
	return slot.Load()
}
