// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package netns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// cmdTimeout bounds each command the package runs (ip, tc, nft).
const cmdTimeout = 30 * time.Second

// run runs a command, with stdin as its input (such as the lines of
// `ip -batch -`), and returns an error that includes its output.
func run(log *slog.Logger, stdin string, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if log != nil {
		log.Debug("netns: command", "cmd", name+" "+strings.Join(args, " "), "lines", strings.Count(stdin, "\n"),
			"took", time.Since(start).Round(time.Microsecond), "err", err)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// runDirs are where `ip netns` keeps its namespaces (bind mounts, one
// file each), the first that exists being the one.
var runDirs = []string{"/run/netns", "/var/run/netns"}

// nsPath returns the file of the namespace called name.
func nsPath(name string) (string, error) {
	for _, d := range runDirs {
		p := d + "/" + name
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("netns: no namespace %s in %s", name, strings.Join(runDirs, " or "))
}

// nsExists says whether a namespace called name exists.
func nsExists(name string) bool {
	_, err := nsPath(name)
	return err == nil
}

// listNamespaces returns the names of the namespaces of `ip netns`.
func listNamespaces() []string {
	for _, d := range runDirs {
		es, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		names := make([]string, len(es))
		for i, e := range es {
			names[i] = e.Name()
		}
		return names
	}
	return nil
}

// Available reports why this process cannot build labs (nil when it can):
// it needs root, the ip command (iproute2), and a kernel that lets it
// create a network namespace with a bridge in it. Tests call it first and
// skip with its error, one line. The answer is computed once; the probe
// namespace it creates is deleted at once.
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
		return errors.New("netns: network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return errors.New("netns: no ip command (Debian package iproute2)")
	}
	name := fmt.Sprintf("%s%d-probe", namePrefix, os.Getpid())
	if err := run(nil, "", "ip", "netns", "add", name); err != nil {
		return fmt.Errorf("netns: cannot create a network namespace: %w", err)
	}
	defer run(nil, "", "ip", "netns", "del", name)
	if err := run(nil, "", "ip", "-n", name, "link", "add", "br0", "type", "bridge"); err != nil {
		return fmt.Errorf("netns: cannot create a bridge in a namespace: %w", err)
	}
	if _, err := nsPath(name); err != nil {
		return err
	}
	return nil
}
