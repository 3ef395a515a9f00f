package p2p

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/metrics"
)

// scrape returns the samples reg holds, by series ("name{labels}").
func scrape(t testing.TB, reg *metrics.Registry) map[string]float64 {
	t.Helper()
	var sb strings.Builder
	if err := reg.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	samples := make(map[string]float64)
	sc := bufio.NewScanner(strings.NewReader(sb.String()))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample line %q", line)
		}
		samples[line[:i]] = v
	}
	return samples
}

func waitSample(t testing.TB, reg *metrics.Registry, series string, want float64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, ok := scrape(t, reg)[series]
		if ok && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v (present %v), want %v", series, got, ok, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMetrics runs two servers reporting to registries and checks that the
// figures move: peers by direction, dials, the handshake histogram,
// traffic per protocol and code, drops, rejections, discovery; and that a
// restarted server reports to the same metrics again.
func TestMetrics(t *testing.T) {
	reg1, reg2 := metrics.NewRegistry(), metrics.NewRegistry()
	got1 := make(chan string, 10)
	srv1 := startServer(t, &Server{Name: "one", Metrics: reg1, Protocols: []Protocol{echoProtocol(got1)}})
	srv2 := startServer(t, &Server{Name: "two", Metrics: reg2, Protocols: []Protocol{echoProtocol(nil)}})

	before := scrape(t, reg1)
	if before[`p2p_peers{direction="inbound"}`] != 0 || before["p2p_discv4_table_nodes"] != 0 {
		t.Errorf("before peering: %v", before)
	}
	if _, ok := before["p2p_discv5_packets_total{direction=\"in\"}"]; !ok {
		t.Errorf("no discovery v5 packet counts: %v", before)
	}

	srv2.AddPeer(srv1.Self())
	waitPeers(t, srv1, 1)
	recvN(t, got1, 2)
	waitSample(t, reg1, `p2p_peers{direction="inbound"}`, 1)
	waitSample(t, reg2, `p2p_peers{direction="outbound"}`, 1)
	waitSample(t, reg2, `p2p_dials_total{outcome="peer"}`, 1)

	s1 := scrape(t, reg1)
	for series, want := range map[string]float64{
		`p2p_handshake_seconds_count{direction="inbound"}`:             1,
		`p2p_messages_total{protocol="echo",code="0",direction="in"}`:  1,
		`p2p_messages_total{protocol="echo",code="1",direction="in"}`:  1,
		`p2p_messages_total{protocol="echo",code="0",direction="out"}`: 1,
		`p2p_messages_total{protocol="p2p",code="0",direction="in"}`:   1, // Hello
		`p2p_messages_total{protocol="p2p",code="0",direction="out"}`:  1,
		`p2p_handshake_seconds_bucket{direction="inbound",le="+Inf"}`:  1,
		`p2p_inbound_accepted_total`:                                   1,
	} {
		if s1[series] != want {
			t.Errorf("%s = %v, want %v", series, s1[series], want)
		}
	}
	if s1[`p2p_message_bytes_total{protocol="echo",code="0",direction="in"}`] == 0 {
		t.Error("no bytes counted for echo code 0")
	}
	st := srv1.Stats()
	if in := s1[`p2p_message_bytes_total{protocol="echo",code="0",direction="in"}`] +
		s1[`p2p_message_bytes_total{protocol="echo",code="1",direction="in"}`]; in != float64(st.Traffic["echo"].BytesReceived) {
		t.Errorf("echo bytes in: metrics %v, Stats %d", in, st.Traffic["echo"].BytesReceived)
	}

	// A refusal: srv1 is full.
	srv1.Stop()
	srv1.MaxPeers = 1
	srv1.Start() // the same registry again: the values carry on
	waitPeers(t, srv2, 0)
	waitSample(t, reg1, `p2p_peers{direction="inbound"}`, 0)
	waitSample(t, reg2, `p2p_peers{direction="outbound"}`, 0)
	waitSample(t, reg2, `p2p_dropped_total{reason="remote: client quitting"}`, 1)
	waitSample(t, reg1, `p2p_dropped_total{reason="client quitting"}`, 1)

	srv3 := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
	srv2.AddPeer(srv1.Self()) // static: redialed
	waitSample(t, reg1, `p2p_peers{direction="inbound"}`, 1)
	srv3.AddPeer(srv1.Self())
	waitSample(t, reg1, `p2p_rejected_total{direction="inbound",reason="too many peers"}`, 1)
	waitSample(t, reg1, `p2p_handshake_seconds_count{direction="inbound"}`, 2)
}

func TestMetricsNone(t *testing.T) {
	// Without a provider nothing is reported and nothing breaks.
	srv1 := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
	srv2 := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
	srv2.AddPeer(srv1.Self())
	waitPeers(t, srv1, 1)
	if m := srv1.stats.base.m.Load(); m != nil {
		t.Error("per-code traffic metrics made without a provider")
	}
}
