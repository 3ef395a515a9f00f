package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain runs main instead of the tests when the test binary is started
// as a copy of the program.
func TestMain(m *testing.M) {
	if os.Getenv("GUIDE_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// copyOf is a running copy of the program, its output lines on lines.
type copyOf struct {
	cmd   *exec.Cmd
	lines chan string
}

func startCopy(t *testing.T, args ...string) *copyOf {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GUIDE_RUN_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &copyOf{cmd: cmd, lines: make(chan string, 100)}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			t.Logf("%s: %s", args, sc.Text())
			select {
			case c.lines <- sc.Text():
			default: // nobody waits for more lines
			}
		}
		io.Copy(io.Discard, out)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt) // a clean stop, as with Ctrl-C
		select {
		case <-readDone: // the copy exited and its output is read
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-readDone
			t.Errorf("copy %v did not stop on interrupt", args)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("copy %v exited with %v", args, err)
		}
	})
	return c
}

// waitLine returns the first line that starts with prefix.
func (c *copyOf) waitLine(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line := <-c.lines:
			if strings.HasPrefix(line, prefix) {
				return line
			}
		case <-timeout:
			t.Fatalf("no line %q within 30s", prefix)
		}
	}
}

// TestTwoCopiesSayFooAndBar: two copies of the guide's program on
// loopback; the one that dials says "foo", the other answers "bar", and the
// first prints "recv: bar".
func TestTwoCopiesSayFooAndBar(t *testing.T) {
	first := startCopy(t, "-listen", "127.0.0.1:0")
	url := strings.TrimPrefix(first.waitLine(t, "enode: "), "enode: ")
	second := startCopy(t, "-listen", "127.0.0.1:0", "-dial", url)
	second.waitLine(t, "enode: ")
	if got := second.waitLine(t, "recv: "); got != "recv: bar" {
		t.Fatalf("the dialing copy printed %q, want %q", got, "recv: bar")
	}
}
