package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// command is a subcommand of p2pnode ("run", "key generate"), or a group
// of them ("key"). The command line uses the standard library's flag
// package: every leaf command has its own flag set, whose flags may come
// before, between or after the positional arguments.
type command struct {
	name    string     // as typed
	args    string     // the positional arguments in the usage line, such as "FILE"
	summary string     // one line, in the list of commands
	doc     string     // paragraphs shown by help after the usage line; may be empty
	subs    []*command // the subcommands of a group; nil for a leaf

	// minArgs and maxArgs bound the number of positional arguments of a
	// leaf; maxArgs -1 means any number.
	minArgs, maxArgs int

	// setup defines the leaf's flags on fs and returns the function that
	// runs the command once they are parsed.
	setup func(fs *flag.FlagSet) runFunc
}

// runFunc runs a command with its positional arguments. ctx is the
// program's context; commands that stop cleanly on Ctrl-C add the signals
// to it themselves (see interruptible).
type runFunc func(ctx context.Context, env *env, args []string) error

// env is where a command reads and writes.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError is an error in the command line: an unknown command or flag,
// a bad flag value or a wrong number of arguments. main exits with status
// 2 for it, and points to the command's help.
type usageError struct {
	path string // the command, such as "key generate"; "" for p2pnode itself
	err  error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// helpHint says where the help for the command of err is.
func helpHint(err error) string {
	var ue *usageError
	if !errors.As(err, &ue) {
		return ""
	}
	if ue.path == "" {
		return "run 'p2pnode help' for the list of commands"
	}
	return fmt.Sprintf("run 'p2pnode help %s' for its usage", ue.path)
}

func usageErrorf(path, format string, args ...any) error {
	return &usageError{path: path, err: fmt.Errorf(format, args...)}
}

// commands are p2pnode's commands, in the order help lists them.
func commands() []*command {
	return []*command{
		runCommand(),
		dumpconfigCommand(),
		adminCommand(),
		attachCommand(),
		diagnoseCommand(),
		keyCommand(),
		enrCommand(),
		discv4Command(),
		discv5Command(),
		dnsCommand(),
	}
}

const overview = `p2pnode runs a devp2p node (go-ethereum compatible: RLPx, discovery v4 and v5,
EIP-1459 DNS node lists) and offers tools around node keys, node records,
discovery and DNS node lists.

usage:
  p2pnode [run] [flags]           run a node (the command when the first argument is a flag or absent)
  p2pnode COMMAND [arguments]     run a tool, or talk to a running node (admin, attach, diagnose)
`

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// run is the program, with its arguments and outputs given, reading the
// standard input.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runIO(ctx, args, os.Stdin, stdout, stderr)
}

// runIO is the program, with its arguments, input and outputs given.
func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	cmds := commands()
	switch {
	case len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])):
		return runLeaf(ctx, e, cmds[0], "run", args)
	case isHelp(args[0]) && args[0] != "help":
		writeOverview(stdout, cmds)
		return nil
	case args[0] == "help":
		return help(stdout, cmds, args[1:])
	}
	c, path, rest, err := find(cmds, args)
	if err != nil {
		return err
	}
	if c.subs != nil {
		if len(rest) > 0 && isHelp(rest[0]) {
			writeHelp(stdout, c, path)
			return nil
		}
		var names []string
		for _, s := range c.subs {
			names = append(names, s.name)
		}
		if len(rest) == 0 {
			return usageErrorf(path, "'p2pnode %s' needs a subcommand: %s", path, strings.Join(names, ", "))
		}
		return usageErrorf(path, "unknown command 'p2pnode %s %s' (want one of: %s)", path, rest[0], strings.Join(names, ", "))
	}
	return runLeaf(ctx, e, c, path, rest)
}

// find follows args through the command tree as far as they name
// commands, and returns the command reached, its path and the arguments
// left.
func find(cmds []*command, args []string) (c *command, path string, rest []string, err error) {
	for i, a := range args {
		var next *command
		for _, s := range cmds {
			if s.name == a {
				next = s
			}
		}
		if next == nil {
			if c == nil {
				return nil, "", nil, usageErrorf("", "unknown command %q", a)
			}
			return c, path, args[i:], nil
		}
		c = next
		path = strings.TrimPrefix(path+" "+a, " ")
		if c.subs == nil {
			return c, path, args[i+1:], nil
		}
		cmds = c.subs
	}
	return c, path, nil, nil
}

// help writes the help of the command that args name, or the overview.
func help(w io.Writer, cmds []*command, args []string) error {
	if len(args) == 0 {
		writeOverview(w, cmds)
		return nil
	}
	c, path, rest, err := find(cmds, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf(path, "'p2pnode %s' has no subcommand %q", path, rest[0])
	}
	writeHelp(w, c, path)
	return nil
}

func writeOverview(w io.Writer, cmds []*command) {
	fmt.Fprint(w, overview)
	fmt.Fprintln(w, "\ncommands:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range cmds {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
		for _, s := range c.subs {
			fmt.Fprintf(tw, "    %s\t%s\n", strings.TrimSpace(s.name+" "+s.args), s.summary)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nRun 'p2pnode help COMMAND' or 'p2pnode COMMAND -h' for a command's flags and")
	fmt.Fprintln(w, "details, such as 'p2pnode help run' for the node's settings.")
}

// writeHelp writes the help of command c: its usage line, its doc, and its
// flags or subcommands.
func writeHelp(w io.Writer, c *command, path string) {
	if c.subs != nil {
		fmt.Fprintf(w, "usage: p2pnode %s COMMAND [arguments]\n\n%s.\n", path, sentence(c.summary))
		if c.doc != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.doc))
		}
		fmt.Fprintln(w, "\ncommands:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range c.subs {
			fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace(s.name+" "+s.args), s.summary)
		}
		tw.Flush()
		fmt.Fprintf(w, "\nRun 'p2pnode help %s COMMAND' for a command's flags.\n", path)
		return
	}
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	c.setup(fs)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	usage := "p2pnode " + path
	if hasFlags {
		usage += " [flags]"
	}
	if c.args != "" {
		usage += " " + c.args
	}
	fmt.Fprintf(w, "usage: %s\n\n%s.\n", usage, sentence(c.summary))
	if c.doc != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.doc))
	}
	if hasFlags {
		if c.args != "" {
			fmt.Fprintln(w, "\nflags (they may also follow the arguments):")
		} else {
			fmt.Fprintln(w, "\nflags:")
		}
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// sentence capitalizes the first letter of a summary.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// runLeaf parses the flags of leaf command c and runs it.
func runLeaf(ctx context.Context, e *env, c *command, path string, args []string) error {
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fn := c.setup(fs)
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		writeHelp(e.stdout, c, path)
		return nil
	}
	if err != nil {
		return &usageError{path: path, err: err}
	}
	switch {
	case len(pos) < c.minArgs && c.args != "":
		return usageErrorf(path, "missing arguments (usage: p2pnode %s %s)", path, c.args)
	case c.maxArgs >= 0 && len(pos) > c.maxArgs:
		return usageErrorf(path, "unexpected argument %q", pos[c.maxArgs])
	}
	return fn(ctx, e, pos)
}

// parseArgs parses flags that may come before, between or after the
// positional arguments, and returns the positional ones. Everything after
// "--" is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
