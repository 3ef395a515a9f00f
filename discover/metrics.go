package discover

import (
	"time"

	"github.com/seednet/p2p/metrics"
)

// Metrics of discovery, reported to Config.Metrics. VERSION is v4 or v5:
//
//	p2p_discVERSION_table_nodes            gauge      nodes in the table
//	p2p_discVERSION_packets_total          counter    packets by direction (in, out)
//	p2p_discVERSION_packets_dropped_total  counter    packets dropped, by reason (the Stats field, in snake case)
//	p2p_discVERSION_lookup_seconds         histogram  duration of lookups

// lookupBuckets are the upper bounds, in seconds, of the lookup duration
// histogram: a lookup on a LAN takes milliseconds, on the internet
// seconds, and gives up after the response timeouts of a few rounds.
var lookupBuckets = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30}

type reasonCount struct {
	reason string
	n      uint64
}

// droppedByReason lists s's dropped packets by reason, in the order of
// Stats' fields.
func (s Stats) droppedByReason() []reasonCount {
	return []reasonCount{
		{"too_large", s.TooLarge}, {"net_restrict", s.NetRestrict},
		{"bad_packet", s.BadPacket}, {"bad_signature", s.BadSignature},
		{"expired", s.Expired}, {"far_expiration", s.FarExpiration},
		{"unsolicited", s.Unsolicited}, {"unknown_sender", s.UnknownSender},
	}
}

// droppedByReason lists s's dropped packets by reason, in the order of
// V5Stats' fields.
func (s V5Stats) droppedByReason() []reasonCount {
	return []reasonCount{
		{"net_restrict", s.NetRestrict}, {"not_v5", s.NotV5},
		{"bad_header", s.BadHeader}, {"bad_message", s.BadMessage},
		{"replayed", s.Replayed}, {"unexpected_handshake", s.UnexpectedHandshake},
		{"bad_handshake", s.BadHandshake}, {"bad_handshake_record", s.BadHandshakeRecord},
		{"rate_limited", s.RateLimited}, {"unsolicited_response", s.UnsolicitedResponse},
		{"unsolicited_whoareyou", s.UnsolicitedWhoareyou}, {"repeated_whoareyou", s.RepeatedWhoareyou},
		{"too_many_distances", s.TooManyDistances}, {"talk_overload", s.TalkOverload},
	}
}

// registerMetrics registers the figures of one discovery version, read at
// collection time, and returns the lookup histogram.
func registerMetrics(prov metrics.Provider, version string, tab *table, counts func() (in, out uint64, dropped []reasonCount)) metrics.Observer {
	if prov == nil {
		prov = metrics.Nop
	}
	prefix := "p2p_disc" + version + "_"
	prov.Func(prefix+"table_nodes", "Nodes in the discovery "+version+" table.", metrics.KindGauge, nil,
		func(emit func(float64, ...string)) { emit(float64(tab.len())) })
	prov.Func(prefix+"packets_total", "Discovery "+version+" packets by direction.", metrics.KindCounter, []string{"direction"},
		func(emit func(float64, ...string)) {
			in, out, _ := counts()
			emit(float64(in), "in")
			emit(float64(out), "out")
		})
	prov.Func(prefix+"packets_dropped_total", "Discovery "+version+" packets dropped, by reason.", metrics.KindCounter, []string{"reason"},
		func(emit func(float64, ...string)) {
			_, _, dropped := counts()
			for _, rc := range dropped {
				emit(float64(rc.n), rc.reason)
			}
		})
	return prov.Histogram(prefix+"lookup_seconds", "Duration of discovery "+version+" lookups.", lookupBuckets).With()
}

// observeSince records the time since start in h.
func observeSince(h metrics.Observer, start time.Time) {
	h.Observe(time.Since(start).Seconds())
}
