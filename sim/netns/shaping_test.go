// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package netns

import (
	"strings"
	"testing"
	"time"
)

func TestShapingString(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Shaping
		want string
	}{
		{"no netem", Shaping{NoNetem: "kernel lacks sch_netem", Rate: ByTBF, Loss: ByNftables},
			"tc netem unavailable (kernel lacks sch_netem): latency and jitter not shaped; rate by tbf, loss by nftables"},
		{"netem", Shaping{Netem: true, Latency: ByNetem, Jitter: ByNetem, Loss: ByNetem, Rate: ByTBF},
			"tc netem available: latency by netem, jitter by netem, rate by tbf, loss by netem"},
		{"nothing", Shaping{NoNetem: "no tc command"},
			"tc netem unavailable (no tc command): latency, jitter, rate and loss not shaped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestScripts checks the tc and nft scripts, the netem ones included,
// which a kernel without netem cannot run.
func TestScripts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		link  Link
		netem bool
		want  string
	}{
		{"zero", Link{}, false, ""},
		{"rate", Link{Rate: 1 << 20}, false,
			"qdisc add dev eth0 root handle 10: tbf rate 8388608bit burst 16384 limit 121241\n"},
		{"loss without netem", Link{Loss: 0.2}, false, ""},
		{"netem", Link{Latency: 20 * time.Millisecond, Jitter: time.Millisecond, Loss: 0.2, Rate: 10 << 20}, true,
			"qdisc add dev eth0 root handle 1: netem limit 10000 delay 20000us 1000us loss 20.000000%\n" +
				"qdisc add dev eth0 parent 1:1 handle 10: tbf rate 83886080bit burst 104857 limit 1153433\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := hostTC(tc.link, tc.netem); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	if got := nftLoss(0.2); !strings.Contains(got, `iifname "eth0" numgen random mod 1000000 < 200000 drop`) ||
		!strings.Contains(got, "hook prerouting") {
		t.Errorf("nft script:\n%s", got)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Hosts: -1},
		{Hosts: MaxHosts + 1},
		{Link: Link{Loss: 1.5}},
		{Link: Link{Loss: -0.1}},
		{Link: Link{Latency: -time.Second}},
		{Link: Link{Rate: -1}},
	} {
		if lab, err := New(cfg); err == nil {
			lab.Close()
			t.Errorf("New(%+v) did not fail", cfg)
		}
	}
}
