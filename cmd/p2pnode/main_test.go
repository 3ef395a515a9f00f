package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// mainEnv, set in the environment, makes the test binary run main: the
// tests run p2pnode as a subprocess without building it.
const mainEnv = "P2PNODE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		main()
		os.Exit(0)
	}
	// The nodes the tests run open their admin socket at the default
	// path, in the user's runtime directory: make it one of the tests'
	// own (the subprocesses inherit it).
	dir, err := os.MkdirTemp("", "p2pnode-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_RUNTIME_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// p2pnode returns a command that runs p2pnode with args, as a subprocess.
func p2pnode(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), exe, args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	return cmd
}

// runMain runs p2pnode as a subprocess and returns its outputs and exit
// status.
func runMain(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := p2pnode(t, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// runCmd runs p2pnode's run function in the test.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// leaves calls fn with every leaf command and its path.
func leaves(cmds []*command, prefix []string, fn func(path []string, c *command)) {
	for _, c := range cmds {
		path := append(append([]string(nil), prefix...), c.name)
		if c.subs != nil {
			leaves(c.subs, path, fn)
		} else {
			fn(path, c)
		}
	}
}

// Every command's help, as "CMD -h" and as "help CMD", succeeds and lists
// its flags.
func TestCommandHelp(t *testing.T) {
	leaves(commands(), nil, func(path []string, c *command) {
		t.Run(strings.Join(path, "_"), func(t *testing.T) {
			fs := flag.NewFlagSet("", flag.ContinueOnError)
			c.setup(fs)
			for _, args := range [][]string{
				append(append([]string(nil), path...), "-h"),
				append([]string{"help"}, path...),
			} {
				out, _, err := runCmd(t, args...)
				if err != nil {
					t.Fatalf("%q: %v", args, err)
				}
				if !strings.HasPrefix(out, "usage: p2pnode "+strings.Join(path, " ")) {
					t.Fatalf("%q: output starts %q", args, firstLine(out))
				}
				fs.VisitAll(func(f *flag.Flag) {
					if !strings.Contains(out, "  -"+f.Name+" ") && !strings.Contains(out, "  -"+f.Name+"\n") {
						t.Errorf("%q: flag -%s not listed:\n%s", args, f.Name, out)
					}
				})
			}
		})
	})
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// The overview lists every command, and each group's help its
// subcommands.
func TestOverviewHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}} {
		out, _, err := runCmd(t, args...)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		for _, c := range commands() {
			if !strings.Contains(out, "\n  "+c.name+" ") {
				t.Errorf("%q: command %s not listed", args, c.name)
			}
			for _, s := range c.subs {
				if !strings.Contains(out, "\n    "+s.name+" ") {
					t.Errorf("%q: command %s %s not listed", args, c.name, s.name)
				}
			}
		}
	}
	for _, c := range commands() {
		if c.subs == nil {
			continue
		}
		for _, args := range [][]string{{c.name, "-h"}, {"help", c.name}, {c.name, "help"}} {
			out, _, err := runCmd(t, args...)
			if err != nil {
				t.Fatalf("%q: %v", args, err)
			}
			for _, s := range c.subs {
				if !strings.Contains(out, "\n  "+s.name+" ") {
					t.Errorf("%q: %s not listed:\n%s", args, s.name, out)
				}
			}
		}
	}
}

// As a program: help exits 0, a wrong command line 2 with a pointer to the
// help, another error 1.
func TestExitStatus(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		code     int
		stdout   string // a substring of it
		stderr   string
		noStderr bool
	}{
		{args: []string{"-h"}, stdout: "commands:", noStderr: true},
		{args: []string{"help"}, stdout: "commands:", noStderr: true},
		{args: []string{"help", "discv5", "talk"}, stdout: "usage: p2pnode discv5 talk [flags] NODE PROTOCOL MESSAGE-HEX", noStderr: true},
		{args: []string{"run", "-h"}, stdout: "-maxpeers", noStderr: true},
		{args: []string{"frobnicate"}, code: 2, stderr: "p2pnode: unknown command \"frobnicate\"\np2pnode: run 'p2pnode help' for the list of commands\n"},
		{args: []string{"key", "generate"}, code: 2, stderr: "run 'p2pnode help key generate' for its usage"},
		{args: []string{"key", "to-enode", "k", "-tcp", "x"}, code: 2, stderr: "invalid value \"x\" for flag -tcp"},
		{args: []string{"-maxpeers", "0"}, code: 1, stderr: "p2pnode: -maxpeers must be positive, is 0\n"},
		{args: []string{"key", "to-id", "/nonexistent/key"}, code: 1, stderr: "cannot read the node key"},
	} {
		stdout, stderr, code := runMain(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) || (tt.noStderr && stderr != "") {
			t.Errorf("%q: exit %d (want %d)\nstdout: %q\nstderr: %q", tt.args, code, tt.code, stdout, stderr)
		}
	}
}

// Errors in the node's settings name the flag, never a field of the
// library.
func TestFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-maxpeers", "0"}, "-maxpeers must be positive, is 0"},
		{[]string{"-maxpeers", "x"}, `invalid value "x" for flag -maxpeers: not an integer`},
		{[]string{"-listen", "nonsense"}, `-listen "nonsense": want HOST:PORT`},
		{[]string{"-log.level", "loud"}, `-log.level "loud": want debug, info, warn or error`},
		{[]string{"-log.format", "xml"}, `-log.format "xml": want text or json`},
		{[]string{"-nat", "upnp:1.2.3.4"}, `-nat: "upnp" takes no argument`},
		{[]string{"-nat", "extip:nonsense"}, `-nat: "nonsense" is not an IP address`},
		{[]string{"-netrestrict", "10.0.0.0/8,10.0.0.0/33"}, `-netrestrict: invalid CIDR mask "10.0.0.0/33"`},
		{[]string{"-bootnodes", "enode://nonsense"}, `-bootnodes: entry 1 ("enode://nonsense")`},
		{[]string{"-static", "enr:-----"}, `-static: entry 1 ("enr:-----")`},
		{[]string{"-trusted", ",,enode://x@1.2.3.4:1"}, `-trusted: entry 1`},
		{[]string{"-dns", "enrtree://nonsense"}, `-dns: "enrtree://nonsense"`},
		{[]string{"-status.interval", "0s"}, "-status.interval must be positive, is 0s"},
		{[]string{"-discovery.v5=maybe"}, `invalid boolean value "maybe" for -discovery.v5`},
		{[]string{"-nodekey", "/nonexistent/dir/key"}, "-nodekey: cannot create the key file"},
		{[]string{"-maxpeers", "3", "extra"}, `unexpected argument "extra"`},
		{[]string{"-nosuchflag"}, "flag provided but not defined: -nosuchflag"},
	} {
		_, _, err := runCmd(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "Server.") {
			t.Errorf("%q: error %v\nwant it to contain %q", tt.args, err, tt.want)
		}
	}
}
