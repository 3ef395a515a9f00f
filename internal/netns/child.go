package netns

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const childEnv = "P2P_NETNS_CHILD"

// Children are the functions a test binary can run inside a namespace,
// by name. A child reads its argument from the environment (Arg) and
// reports with Report; it runs until its work is done or its stdin
// closes.
type Children map[string]func()

// RunChild runs the child the environment names and exits, or returns
// when the process is not a child. Call it first in TestMain.
func RunChild(children Children) {
	name := os.Getenv(childEnv)
	if name == "" {
		return
	}
	f, ok := children[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "netns: no child %q\n", name)
		os.Exit(2)
	}
	f()
	os.Exit(0)
}

// Arg returns the child's argument.
func Arg() string { return os.Getenv(childEnv + "_ARG") }

// Report writes a result line for the parent: JSON after a marker.
func Report(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	fmt.Printf("NETNS-REPORT %s\n", b)
}

// WaitStdinClosed blocks until the parent ends the child.
func WaitStdinClosed() { io.Copy(io.Discard, os.Stdin) }

// Child is a running child process.
type Child struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	reports chan string
	done    chan struct{}
}

// StartChild runs this test binary's child name inside ns with arg.
// The child ends when the test does (its stdin closes), or with Stop.
func (ns *NS) StartChild(t testing.TB, name, arg string) *Child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := ns.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+name, childEnv+"_ARG="+arg)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &Child{cmd: cmd, stdin: stdin, reports: make(chan string, 16), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if r, ok := strings.CutPrefix(line, "NETNS-REPORT "); ok {
				c.reports <- r
				continue
			}
			t.Logf("%s in %s: %s", name, ns.Name, line)
		}
		io.Copy(io.Discard, out)
	}()
	t.Cleanup(c.Stop)
	return c
}

// Next waits for the child's next report and decodes it into v.
func (c *Child) Next(t testing.TB, v any) {
	t.Helper()
	select {
	case r := <-c.reports:
		if err := json.Unmarshal([]byte(r), v); err != nil {
			t.Fatalf("child report %q: %v", r, err)
		}
	case <-c.done:
		t.Fatal("the child exited without a report")
	case <-time.After(60 * time.Second):
		t.Fatal("no report from the child within 60s")
	}
}

// Stop ends the child: its stdin closes, and it is killed if it has not
// exited 10 seconds later.
func (c *Child) Stop() {
	c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
	c.cmd.Wait()
}
