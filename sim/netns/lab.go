// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package netns

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/seednet/p2p/sim"
	"golang.org/x/sys/unix"
)

// Config sets up a lab.
type Config struct {
	// Hosts is how many host namespaces the lab has. Zero means one.
	Hosts int
	// Link is how each host is joined to the others; the zero Link does
	// no shaping.
	Link Link
	// Logger receives the commands the lab runs, at debug level, and its
	// Shaping at info level. Nil means none.
	Logger *slog.Logger
}

// MaxHosts is the most hosts a lab can have: one address each in the
// lab's /16.
const MaxHosts = 65533

// namePrefix starts the name of every namespace of this package, followed
// by the owner's process ID and a dash.
const namePrefix = "p2psim-"

// Interface names. They live only inside a lab's namespaces, so they
// never meet another lab's.
const (
	bridgeIf = "br0"  // the bridge in the hub
	hostIf   = "eth0" // each host's end of its veth
)

// hubIf is the hub's end of host i's veth.
func hubIf(i int) string { return "v" + strconv.Itoa(i) }

// hostAddr returns host i's address: 10.213.0.1 for host 0, and so on.
func hostAddr(i int) netip.Addr {
	v := i + 1
	return netip.AddrFrom4([4]byte{10, 213, byte(v >> 8), byte(v)})
}

var labCounter atomic.Uint32

// Lab is a set of network namespaces: one hub with a bridge, and hosts
// joined to it by veth pairs. Its methods are safe for concurrent use.
type Lab struct {
	cfg     Config
	log     *slog.Logger // nil means none
	prefix  string       // of its namespaces' names
	hub     string       // the hub namespace
	hosts   []*Host
	shaping Shaping

	closeOnce sync.Once
	closeErr  error
}

// New creates a lab of cfg.Hosts hosts. The caller must Close it. It first
// deletes the namespaces that labs of processes no longer alive have left
// behind. On error it leaves nothing behind either.
func New(cfg Config) (*Lab, error) {
	if cfg.Hosts == 0 {
		cfg.Hosts = 1
	}
	if cfg.Hosts < 0 || cfg.Hosts > MaxHosts {
		return nil, fmt.Errorf("netns: Config.Hosts %d is not between 1 and %d", cfg.Hosts, MaxHosts)
	}
	if err := cfg.Link.validate(); err != nil {
		return nil, err
	}
	if err := Available(); err != nil {
		return nil, err
	}
	sweep(cfg.Logger)
	prefix := fmt.Sprintf("%s%d-%d-", namePrefix, os.Getpid(), labCounter.Add(1))
	lab := &Lab{cfg: cfg, log: cfg.Logger, prefix: prefix, hub: prefix + "hub"}
	for i := range cfg.Hosts {
		lab.hosts = append(lab.hosts, &Host{index: i, ns: prefix + "h" + strconv.Itoa(i), addr: hostAddr(i), fd: -1})
	}
	if err := lab.build(); err != nil {
		lab.Close()
		return nil, err
	}
	if lab.log != nil {
		lab.log.Info("netns: lab ready", "prefix", prefix, "hosts", cfg.Hosts, "shaping", lab.shaping.String())
	}
	return lab, nil
}

// build creates the namespaces, links and shaping.
func (lab *Lab) build() error {
	// The namespaces, and the veth pairs created right in them.
	var b strings.Builder
	for _, ns := range lab.Namespaces() {
		fmt.Fprintf(&b, "netns add %s\n", ns)
	}
	for _, h := range lab.hosts {
		fmt.Fprintf(&b, "link add %s netns %s type veth peer name %s netns %s\n", hostIf, h.ns, hubIf(h.index), lab.hub)
	}
	if err := run(lab.log, b.String(), "ip", "-batch", "-"); err != nil {
		return fmt.Errorf("netns: creating namespaces: %w", err)
	}
	// The hub: a bridge of the hosts' veths.
	b.Reset()
	fmt.Fprintf(&b, "link set lo up\nlink add %s type bridge\nlink set %[1]s up\n", bridgeIf)
	for _, h := range lab.hosts {
		fmt.Fprintf(&b, "link set %s master %s up\n", hubIf(h.index), bridgeIf)
	}
	if err := run(lab.log, b.String(), "ip", "-n", lab.hub, "-batch", "-"); err != nil {
		return fmt.Errorf("netns: setting up the hub: %w", err)
	}
	// Each host: its address and its links up.
	for _, h := range lab.hosts {
		script := fmt.Sprintf("link set lo up\naddr add %s/16 dev %s\nlink set %[2]s up\n", h.addr, hostIf)
		if err := run(lab.log, script, "ip", "-n", h.ns, "-batch", "-"); err != nil {
			return fmt.Errorf("netns: setting up host %d: %w", h.index, err)
		}
		if err := h.open(); err != nil {
			return err
		}
	}
	lab.shaping = probeShaping(lab.log, lab.hub)
	return lab.shape()
}

// Namespaces returns the names of the lab's namespaces, hub first, for
// `ip netns exec` and the like.
func (lab *Lab) Namespaces() []string {
	names := []string{lab.hub}
	for _, h := range lab.hosts {
		names = append(names, h.ns)
	}
	return names
}

// Shaping says how the kernel shapes the lab's Link.
func (lab *Lab) Shaping() Shaping { return lab.shaping }

// Hosts returns the number of hosts.
func (lab *Lab) Hosts() int { return len(lab.hosts) }

// Host returns host i, or nil if there is none.
func (lab *Lab) Host(i int) *Host {
	if i < 0 || i >= len(lab.hosts) {
		return nil
	}
	return lab.hosts[i]
}

// BasePort is the port of the first node Place puts on a host; the next
// gets BasePort+1, and so on.
const BasePort = 30303

// Place is a sim.Config.Place: it puts node i on host i % Hosts, listening
// (TCP, and UDP for discovery) on the host's address and port
// BasePort + i/Hosts.
func (lab *Lab) Place(index int) (sim.Placement, error) {
	if index < 0 {
		return sim.Placement{}, fmt.Errorf("netns: node index %d", index)
	}
	h := lab.hosts[index%len(lab.hosts)]
	port := BasePort + index/len(lab.hosts)
	if port > 65535 {
		return sim.Placement{}, fmt.Errorf("netns: node %d: no port left on host %d", index, h.index)
	}
	return sim.Placement{
		Network:    h,
		Dialer:     h,
		ListenAddr: netip.AddrPortFrom(h.addr, uint16(port)).String(),
	}, nil
}

// Close deletes the lab's namespaces, and with them its veths, bridge,
// qdiscs and nftables tables. It does not close the sockets made in them
// (stop the servers first): a namespace lives on, unnamed, until its last
// socket is closed. It is idempotent.
func (lab *Lab) Close() error {
	lab.closeOnce.Do(func() {
		for _, h := range lab.hosts {
			h.close()
		}
		var b strings.Builder
		var names []string
		// Hosts first: deleting the hub first would leave their veths
		// without a peer for a moment, which is harmless but noisy.
		for _, ns := range append(lab.Namespaces()[1:], lab.hub) {
			if nsExists(ns) {
				fmt.Fprintf(&b, "netns del %s\n", ns)
				names = append(names, ns)
			}
		}
		if b.Len() > 0 {
			lab.closeErr = run(lab.log, b.String(), "ip", "-force", "-batch", "-")
		}
		var left []string
		for _, ns := range names {
			if nsExists(ns) {
				left = append(left, ns)
			}
		}
		if len(left) > 0 {
			lab.closeErr = errors.Join(lab.closeErr, fmt.Errorf("netns: namespaces left: %s", strings.Join(left, " ")))
		}
	})
	return lab.closeErr
}

// sweep deletes the namespaces of labs whose process is gone.
func sweep(log *slog.Logger) {
	var b strings.Builder
	for _, name := range listNamespaces() {
		rest, ok := strings.CutPrefix(name, namePrefix)
		if !ok {
			continue
		}
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := unix.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			fmt.Fprintf(&b, "netns del %s\n", name)
		}
	}
	if b.Len() > 0 {
		if err := run(log, b.String(), "ip", "-force", "-batch", "-"); err != nil && log != nil {
			log.Warn("netns: sweeping stale namespaces", "err", err)
		}
	}
}
