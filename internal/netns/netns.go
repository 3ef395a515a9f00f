// Package netns builds small networks of Linux network namespaces for
// tests that need a real kernel network stack between hosts: a NAT router
// with a LAN and a WAN side, daemons running in them (miniupnpd, stund),
// and test programs run inside a namespace.
//
// It needs root and the ip command (iproute2); Available says why not
// when it cannot work, and tests skip with that line. Every namespace,
// link and daemon a test creates is removed in the test's cleanup. The
// namespaces are linked only to each other, never to the host's network,
// so no packet of theirs leaves the machine.
//
// Test binaries run a piece of themselves inside a namespace with Child
// and RunChild: the parent starts its own executable under `ip netns
// exec`, naming the child function in the environment.
package netns

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Available reports why network namespaces cannot be used here (nil when
// they can): the tests need root, the ip command, and the right to create
// a namespace. The answer is computed once.
func Available() error {
	availOnce.Do(func() { availErr = checkAvailable() })
	return availErr
}

var (
	availOnce sync.Once
	availErr  error
)

func checkAvailable() error {
	if os.Geteuid() != 0 {
		return errors.New("network namespace tests need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return errors.New("network namespace tests need the ip command (Debian package iproute2)")
	}
	name := fmt.Sprintf("p2pprobe%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		return fmt.Errorf("cannot create a network namespace here: %s", bytes.TrimSpace(out))
	}
	exec.Command("ip", "netns", "del", name).Run()
	return nil
}

// Skip skips the test, with the reason, unless namespaces are available.
func Skip(t testing.TB) {
	t.Helper()
	if err := Available(); err != nil {
		t.Skip("skipped:", err)
	}
}

// NS is a network namespace.
type NS struct {
	Name string
}

var counter atomic.Uint32

// New creates a namespace with its loopback up, removed at the end of the
// test. Its name includes the process ID, so parallel test processes do
// not collide.
func New(t testing.TB, label string) *NS {
	t.Helper()
	ns := &NS{Name: fmt.Sprintf("p2p%d-%d-%s", os.Getpid(), counter.Add(1), label)}
	run(t, "ip", "netns", "add", ns.Name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns.Name).Run() })
	ns.Run(t, "ip", "link", "set", "lo", "up")
	return ns
}

// Run runs a command in the namespace and fails the test if it fails.
func (ns *NS) Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	return run(t, "ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}

// Command returns a command that runs in the namespace.
func (ns *NS) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Link joins a and b with a veth pair: interface aIf with address aCIDR
// (such as "10.77.1.2/24") in a, bIf with bCIDR in b.
func Link(t testing.TB, a *NS, aIf, aCIDR string, b *NS, bIf, bCIDR string) {
	t.Helper()
	run(t, "ip", "link", "add", aIf, "netns", a.Name, "type", "veth", "peer", "name", bIf, "netns", b.Name)
	a.Run(t, "ip", "addr", "add", aCIDR, "dev", aIf)
	a.Run(t, "ip", "link", "set", aIf, "up")
	b.Run(t, "ip", "addr", "add", bCIDR, "dev", bIf)
	b.Run(t, "ip", "link", "set", bIf, "up")
}
