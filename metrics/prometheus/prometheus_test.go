package prometheus_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/metrics"
	p2pprom "github.com/seednet/p2p/metrics/prometheus"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func echo() p2p.Protocol {
	return p2p.Protocol{Name: "echo", Version: 1, Length: 2, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		if err := p2p.SendItems(rw, 0, "foo"); err != nil {
			return err
		}
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
			if msg.Code == 0 {
				if err := p2p.SendItems(rw, 1, "bar"); err != nil {
					return err
				}
			}
		}
	}}
}

func start(t *testing.T, srv *p2p.Server) *p2p.Server {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv.PrivateKey, srv.MaxPeers, srv.ListenAddr = key, 10, "127.0.0.1:0"
	srv.Protocols = []p2p.Protocol{echo()}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

// scrape GETs url and returns every sample by "name{label="value",...}"
// (labels in the order Prometheus writes them: sorted by name).
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("%v in\n%s", err, body)
	}
	out := make(map[string]float64)
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			slices.Sort(labels)
			key := name
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[key+"_count"] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

func waitFor(t *testing.T, url, series string, cond func(float64) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, ok := scrape(t, url)[series]
		if ok && cond(v) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v (present: %v)", series, v, ok)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestScrape runs two nodes that peer and exchange messages, one reporting
// to a client_golang registry served by promhttp, scrapes /metrics over
// HTTP and checks that the figures move; then restarts the node on the same
// registry.
func TestScrape(t *testing.T) {
	reg := prom.NewRegistry()
	srv := start(t, &p2p.Server{Metrics: p2pprom.New(reg)})
	web := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer web.Close()
	url := web.URL + "/metrics"

	before := scrape(t, url)
	if before[`p2p_discv4_table_nodes`] != 0 {
		t.Errorf("table nodes before: %v", before[`p2p_discv4_table_nodes`])
	}
	if _, ok := before[`p2p_discv5_packets_total{direction="in"}`]; !ok {
		t.Errorf("no discovery v5 packet counts: %v", before)
	}

	other := start(t, &p2p.Server{})
	other.AddPeer(srv.Self())
	is1 := func(v float64) bool { return v == 1 }
	waitFor(t, url, `p2p_peers{direction="inbound"}`, is1)
	waitFor(t, url, `p2p_handshake_seconds{direction="inbound"}_count`, is1)
	waitFor(t, url, `p2p_messages_total{code="1",direction="in",protocol="echo"}`, is1)
	waitFor(t, url, `p2p_message_bytes_total{code="0",direction="out",protocol="echo"}`, func(v float64) bool { return v > 0 })
	waitFor(t, url, `p2p_inbound_accepted_total`, is1)

	// Restart on the same registry: the metrics are found again and go on.
	srv.Stop()
	waitFor(t, url, `p2p_peers{direction="inbound"}`, func(v float64) bool { return v == 0 })
	waitFor(t, url, `p2p_dropped_total{reason="client quitting"}`, is1)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	other.AddPeer(srv.Self()) // static: redialed anyway
	waitFor(t, url, `p2p_peers{direction="inbound"}`, is1)
	waitFor(t, url, `p2p_inbound_accepted_total`, func(v float64) bool { return v >= 2 })
	waitFor(t, url, `p2p_handshake_seconds{direction="inbound"}_count`, func(v float64) bool { return v == 2 })
}

// TestWrapped: two servers on one registry, told apart by a constant label.
func TestWrapped(t *testing.T) {
	reg := prom.NewRegistry()
	a := start(t, &p2p.Server{Metrics: p2pprom.New(prom.WrapRegistererWith(prom.Labels{"node": "a"}, reg))})
	b := start(t, &p2p.Server{Metrics: p2pprom.New(prom.WrapRegistererWith(prom.Labels{"node": "b"}, reg))})
	web := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer web.Close()
	b.AddPeer(a.Self())
	is1 := func(v float64) bool { return v == 1 }
	waitFor(t, web.URL, `p2p_peers{direction="inbound",node="a"}`, is1)
	waitFor(t, web.URL, `p2p_peers{direction="outbound",node="b"}`, is1)
	waitFor(t, web.URL, `p2p_dials_total{node="b",outcome="peer"}`, is1)
}

// TestRegistryParses: the text that the dependency-free metrics.Registry
// writes for a node with a peer is read by Prometheus's own parser.
func TestRegistryParses(t *testing.T) {
	reg := metrics.NewRegistry()
	srv := start(t, &p2p.Server{Metrics: reg})
	web := httptest.NewServer(reg)
	defer web.Close()
	other := start(t, &p2p.Server{})
	other.AddPeer(srv.Self())
	waitFor(t, web.URL, `p2p_peers{direction="inbound"}`, func(v float64) bool { return v == 1 })
	waitFor(t, web.URL, `p2p_messages_total{code="1",direction="in",protocol="echo"}`, func(v float64) bool { return v == 1 })
	waitFor(t, web.URL, `p2p_handshake_seconds{direction="inbound"}_count`, func(v float64) bool { return v == 1 })
}

// TestGrafanaDashboard: every p2p_ metric the dashboard in
// metrics/grafana-dashboard.json queries is one a node reports.
func TestGrafanaDashboard(t *testing.T) {
	raw, err := os.ReadFile("../grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	reg := prom.NewRegistry()
	start(t, &p2p.Server{Metrics: p2pprom.New(reg)})
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := make(map[string]bool)
	for _, f := range fams {
		known[f.GetName()] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				known[f.GetName()+suffix] = true
			}
		}
	}
	// Families with labels appear once they have a series; the server's
	// push metrics with labels are known by name from the source.
	for _, name := range []string{"p2p_dials_total", "p2p_rejected_total", "p2p_dropped_total", "p2p_messages_total", "p2p_message_bytes_total", "p2p_discv4_lookup_seconds_bucket", "p2p_discv5_lookup_seconds_bucket", "p2p_handshake_seconds_bucket", "p2p_peers", "p2p_offenses_total"} {
		known[name] = true
	}
	nameRE := regexp.MustCompile(`p2p_[a-z0-9_]+`)
	panels := 0
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			panels++
			for _, name := range nameRE.FindAllString(target.Expr, -1) {
				if !known[name] {
					t.Errorf("panel %q queries %s, which no node reports", p.Title, name)
				}
			}
		}
	}
	if panels < 8 {
		t.Errorf("only %d queries in the dashboard", panels)
	}
}
