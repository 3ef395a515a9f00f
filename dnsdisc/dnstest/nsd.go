package dnstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// NSD is an NSD server that a test started. It serves its zones over UDP
// and TCP on Addr, a loopback address, until the test ends.
type NSD struct {
	Addr netip.AddrPort

	t    testing.TB
	dir  string
	cmd  *exec.Cmd
	out  *lockedBuffer // NSD's standard output and error
	done chan struct{} // closed when the process has exited
	err  error         // how it exited; read after done is closed
	stop sync.Once
}

// nsdPath returns the path of the nsd binary, "" if it is not installed.
// Debian puts it in /usr/sbin, which is not on every user's PATH.
func nsdPath() string {
	if p, err := exec.LookPath("nsd"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/nsd", "/usr/local/sbin/nsd"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// StartNSD starts NSD serving zones (zone file text by origin, such as
// "nodes.example.org") on 127.0.0.1 and a free port, and stops it when the
// test ends. NSD runs in the foreground with a configuration in a
// temporary directory: no chroot, no change of user, no control socket. If
// NSD is not installed, the test is skipped. StartNSD returns once the
// server answers queries.
func StartNSD(t testing.TB, zones map[string]string) *NSD {
	t.Helper()
	bin := nsdPath()
	if bin == "" {
		t.Skip("skipping: NSD is not installed (Debian package nsd; scripts/deps.sh installs it as root), so there is no real DNS server to test against")
	}
	var lastErr error
	for range 3 { // the free port may be taken before NSD binds it
		s, err := startNSD(t, bin, zones)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("starting NSD: %v", lastErr)
	return nil
}

func startNSD(t testing.TB, bin string, zones map[string]string) (*NSD, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := t.TempDir()
	s := &NSD{
		Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port),
		t:    t,
		dir:  dir,
		out:  new(lockedBuffer),
		done: make(chan struct{}),
	}
	if err := s.writeConfig(zones); err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "-d", "-c", filepath.Join(dir, "nsd.conf"))
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	// Its own process group, so that its children (NSD forks a server and
	// a zone transfer process) can be killed with it if need be; and
	// SIGTERM if the test binary dies without cleaning up (a test timeout),
	// so that no NSD outlives it.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(s.Stop)
	if err := s.waitReady(zones); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w\n%s", err, s.Log())
	}
	return s, nil
}

// freePort returns a port that is free for both UDP and TCP on 127.0.0.1.
func freePort() (uint16, error) {
	for range 10 {
		u, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		u.Close()
		if err != nil {
			continue
		}
		l.Close()
		return uint16(port), nil
	}
	return 0, errors.New("no port free for both UDP and TCP")
}

func (s *NSD) zoneFile(origin string) string {
	return filepath.Join(s.dir, strings.TrimSuffix(origin, ".")+".zone")
}

func (s *NSD) writeConfig(zones map[string]string) error {
	var b strings.Builder
	fmt.Fprintf(&b, `server:
	ip-address: %s@%d
	server-count: 1
	tcp-count: 16
	username: ""
	chroot: ""
	zonesdir: %q
	pidfile: ""
	database: ""
	zonelistfile: %q
	xfrdfile: %q
	xfrdir: %q
	logfile: %q
	verbosity: 1
	do-ip6: no
	hide-version: yes
remote-control:
	control-enable: no
`, s.Addr.Addr(), s.Addr.Port(), s.dir, filepath.Join(s.dir, "zone.list"),
		filepath.Join(s.dir, "xfrd.state"), s.dir, filepath.Join(s.dir, "nsd.log"))
	origins := make([]string, 0, len(zones))
	for origin := range zones {
		origins = append(origins, origin)
	}
	sort.Strings(origins)
	for _, origin := range origins {
		fmt.Fprintf(&b, "zone:\n\tname: %q\n\tzonefile: %q\n", strings.TrimSuffix(origin, "."), s.zoneFile(origin))
		if err := os.WriteFile(s.zoneFile(origin), []byte(zones[origin]), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(s.dir, "nsd.conf"), []byte(b.String()), 0o644)
}

// waitReady waits until the server answers a query for every zone's apex
// (with records or without: a DNS answer either way).
func (s *NSD) waitReady(zones map[string]string) error {
	r := s.Resolver()
	deadline := time.Now().Add(15 * time.Second)
	for origin := range zones {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			_, err := r.LookupTXT(ctx, strings.TrimSuffix(origin, ".")+".")
			cancel()
			var dnsErr *net.DNSError
			if err == nil || errors.As(err, &dnsErr) && dnsErr.IsNotFound {
				break
			}
			select {
			case <-s.done:
				return fmt.Errorf("nsd exited: %v", s.err)
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("nsd does not answer for %s: %v", origin, err)
			}
		}
	}
	return nil
}

// Resolver returns a resolver that sends every query to the server.
func (s *NSD) Resolver() *net.Resolver {
	return loopbackResolver(s.Addr.String())
}

// Reload replaces the zone file of origin (one of the zones the server was
// started with) and makes NSD read its zones again (SIGHUP). NSD reloads in
// the background: the new records are served a moment later.
func (s *NSD) Reload(origin, zone string) error {
	if err := os.WriteFile(s.zoneFile(origin), []byte(zone), 0o644); err != nil {
		return err
	}
	return s.cmd.Process.Signal(syscall.SIGHUP)
}

// Log returns what NSD wrote to its log file and its outputs.
func (s *NSD) Log() string {
	logfile, _ := os.ReadFile(filepath.Join(s.dir, "nsd.log"))
	return string(logfile) + s.out.String()
}

// Stop stops the server: SIGTERM, which NSD passes on to its children, and
// SIGKILL to its process group if it has not exited 5 s later. It is called
// when the test ends, and may be called before.
func (s *NSD) Stop() {
	s.stop.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.done
		}
	})
}

// lockedBuffer is a bytes.Buffer that the process's output copier and the
// test may use at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
