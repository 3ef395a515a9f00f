package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/admin"
)

const endpointDoc = `The node is found at -endpoint: the path of its admin socket ('p2pnode
run' opens one at ` + ipcDefaultDoc + `
unless -ipc says otherwise, and -endpoint has the same default), or the
URL of its -http server, such as http://127.0.0.1:8545 (or 127.0.0.1:8545),
with -token FILE when it wants a token.`

const paramsDoc = `A parameter that is a JSON value (a number, true, false, null, "a string",
an array or an object) is passed as such; anything else as a string, so
that enode URLs need no quotes. A method's name may be shortened to what
follows its namespace: peers for admin_peers, stats for p2p_stats.`

func adminCommand() *command {
	return &command{
		name:    "admin",
		args:    "METHOD [PARAMS...]",
		summary: "call a method of a running node's admin API and print the result as JSON",
		doc: `Calls METHOD with PARAMS on a running node and prints the result as
indented JSON; an error of the API ends the command with status 1.

  p2pnode admin admin_peers
  p2pnode admin admin_addPeer enode://ID@10.0.0.5:30303
  p2pnode admin -endpoint http://127.0.0.1:8545 -token http.token p2p_stats

admin_subscribe peerEvents (or admin_peerEvents, or peerEvents) prints the
peer events as they come, one JSON object a line, until Ctrl-C; it needs
the socket. 'p2pnode attach' lists the methods ('help'), as does the
admin package's documentation.

` + paramsDoc + ` Put -- before parameters
that start with a dash.

` + endpointDoc,
		minArgs: 1,
		maxArgs: -1,
		setup: func(fs *flag.FlagSet) runFunc {
			cf := defineClientFlags(fs)
			return func(ctx context.Context, e *env, args []string) error {
				c, err := cf.dial(ctx)
				if err != nil {
					return err
				}
				defer c.Close()
				method := resolveMethod(args[0])
				params := make([]any, len(args)-1)
				for i, a := range args[1:] {
					params[i] = parseParam(a)
				}
				if isSubscribe(method) {
					ctx, stop := interruptible(ctx)
					defer stop()
					return cf.subscribe(ctx, c, e.stdout, subscribeArgs(method, params))
				}
				res, err := cf.call(ctx, c, method, params...)
				if err != nil {
					return err
				}
				return writeResult(e.stdout, res)
			}
		},
	}
}

func diagnoseCommand() *command {
	return &command{
		name:    "diagnose",
		summary: "ask a running node why it has the peers it has (or none), and what to do",
		doc: `Prints the node's diagnosis (its admin API's p2p_diagnose): a verdict,
the next step to take, and the findings behind them: whether other nodes
ever reached us, whether the address they see agrees with ours, the NAT
mappings, how dials failed, how the peer slots are split, addresses
throttled or restricted, and the health of discovery.

` + endpointDoc,
		maxArgs: 0,
		setup: func(fs *flag.FlagSet) runFunc {
			cf := defineClientFlags(fs)
			asJSON := fs.Bool("json", false, "print the diagnosis as JSON")
			return func(ctx context.Context, e *env, _ []string) error {
				c, err := cf.dial(ctx)
				if err != nil {
					return err
				}
				defer c.Close()
				res, err := cf.call(ctx, c, "p2p_diagnose")
				if err != nil {
					return err
				}
				if *asJSON {
					return writeResult(e.stdout, res)
				}
				var d p2p.Diagnosis
				if err := json.Unmarshal(res, &d); err != nil {
					return fmt.Errorf("p2p_diagnose: unexpected result: %v", err)
				}
				_, err = io.WriteString(e.stdout, d.String())
				return err
			}
		},
	}
}

func attachCommand() *command {
	return &command{
		name:    "attach",
		summary: "talk to a running node's admin API at a prompt",
		doc: `Reads lines of the form 'METHOD PARAMS...' and prints each result as
indented JSON. 'help' lists the methods; 'exit', 'quit' or the end of the
input (Ctrl-D) quits, as does Ctrl-C.

  > peers
  > addPeer enode://ID@10.0.0.5:30303
  > admin_subscribe peerEvents        (then the events as they come)
  > admin_unsubscribe 0x...

` + paramsDoc + `

` + endpointDoc,
		maxArgs: 0,
		setup: func(fs *flag.FlagSet) runFunc {
			cf := defineClientFlags(fs)
			return func(ctx context.Context, e *env, _ []string) error {
				ctx, stop := interruptible(ctx)
				defer stop()
				return cf.attach(ctx, e)
			}
		},
	}
}

// clientFlags are the flags of the commands that talk to a node.
type clientFlags struct {
	endpoint *string
	token    *string
}

func defineClientFlags(fs *flag.FlagSet) *clientFlags {
	return &clientFlags{
		endpoint: fs.String("endpoint", defaultIPCPath(), "the node's admin socket `PATH`, or the URL of its -http server"),
		token:    fs.String("token", "", "`FILE` with the token of the node's -http server (its -http.token)"),
	}
}

// dial returns a client of the node at -endpoint.
func (cf *clientFlags) dial(ctx context.Context) (*admin.Client, error) {
	var opts []admin.DialOption
	if *cf.token != "" {
		token, err := admin.ReadTokenFile(*cf.token)
		if err != nil {
			return nil, fmt.Errorf("-token: %v", err)
		}
		opts = append(opts, admin.WithToken(token))
	}
	c, err := admin.Dial(ctx, *cf.endpoint, opts...)
	if err != nil {
		return nil, cf.reachError(err)
	}
	return c, nil
}

// reachError explains an error in reaching the node.
func (cf *clientFlags) reachError(err error) error {
	var hint string
	switch {
	case errors.Is(err, fs.ErrNotExist) && *cf.endpoint == defaultIPCPath():
		hint = " (is a node running? 'p2pnode run' opens its socket there unless -ipc says otherwise; -endpoint names another)"
	case errors.Is(err, fs.ErrNotExist):
		hint = " (is a node running with -ipc " + *cf.endpoint + "?)"
	case errors.Is(err, syscall.ECONNREFUSED):
		hint = " (no node listens there)"
	}
	return fmt.Errorf("cannot reach the node at %s: %v%s", *cf.endpoint, unwrapOp(err), hint)
}

// unwrapOp returns the system error inside a network error, which says
// what went wrong without repeating the address.
func unwrapOp(err error) error {
	var se syscall.Errno
	if errors.As(err, &se) {
		return se
	}
	return err
}

// call calls method on the node. Errors of the API are returned as
// "METHOD: message", others as an error in reaching the node.
func (cf *clientFlags) call(ctx context.Context, c *admin.Client, method string, params ...any) (json.RawMessage, error) {
	res, err := c.Call(ctx, method, params...)
	var e *admin.Error
	switch {
	case errors.As(err, &e):
		return nil, fmt.Errorf("%s: %s", method, e.Message)
	case err != nil:
		return nil, cf.reachError(err)
	}
	return res, nil
}

// subscribe prints the notifications of a subscription, one a line,
// until ctx ends or the connection does.
func (cf *clientFlags) subscribe(ctx context.Context, c *admin.Client, w io.Writer, args []any) error {
	ch := make(chan json.RawMessage, 64)
	sub, err := c.Subscribe(ctx, "admin", ch, args...)
	var e *admin.Error
	switch {
	case errors.As(err, &e):
		return fmt.Errorf("admin_subscribe: %s", e.Message)
	case errors.Is(err, admin.ErrNeedsStream):
		return fmt.Errorf("subscriptions need the node's admin socket (its -ipc), not %s", c.Endpoint())
	case err != nil:
		return cf.reachError(err)
	}
	defer sub.Unsubscribe()
	for {
		select {
		case ev := <-ch:
			if _, err := fmt.Fprintf(w, "%s\n", compact(ev)); err != nil {
				return err
			}
		case err := <-sub.Err():
			return fmt.Errorf("subscription ended: %v", err)
		case <-ctx.Done():
			return nil
		}
	}
}

// attach runs the prompt.
func (cf *clientFlags) attach(ctx context.Context, e *env) error {
	c, err := cf.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := cf.call(ctx, c, "admin_nodeInfo")
	if err != nil {
		return err
	}
	var info p2p.NodeInfo
	json.Unmarshal(res, &info)
	out := &lockedWriter{w: e.stdout}
	out.printf("Connected to %s at %s.\n%s\n'help' lists the methods; 'exit' or Ctrl-D quits.\n", info.Name, c.Endpoint(), info.Enode)

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(e.stdin)
		sc.Buffer(nil, admin.DefaultMaxRequestBytes)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()

	s := &session{cf: cf, c: c, out: out, subs: make(map[string]*admin.ClientSubscription)}
	defer s.end()
	for {
		out.printf("> ")
		select {
		case line, ok := <-lines:
			if !ok {
				out.printf("\n")
				return nil
			}
			if quit, err := s.handle(ctx, line); quit || err != nil {
				return err
			}
		case <-ctx.Done():
			out.printf("\n")
			return nil
		}
	}
}

// session is the state of attach: the subscriptions it started.
type session struct {
	cf   *clientFlags
	c    *admin.Client
	out  *lockedWriter
	subs map[string]*admin.ClientSubscription
	wg   sync.WaitGroup // the goroutines printing notifications
}

// handle runs one line. It returns quit for 'exit', and an error when
// the connection to the node is lost.
func (s *session) handle(ctx context.Context, line string) (quit bool, err error) {
	words, err := splitLine(line)
	if err != nil {
		s.out.printf("error: %v\n", err)
		return false, nil
	}
	if len(words) == 0 {
		return false, nil
	}
	switch words[0] {
	case "exit", "quit":
		return true, nil
	case "help":
		s.help()
		return false, nil
	}
	method := resolveMethod(words[0])
	params := make([]any, len(words)-1)
	for i, w := range words[1:] {
		params[i] = parseParam(w)
	}
	switch {
	case isSubscribe(method):
		s.subscribe(ctx, subscribeArgs(method, params))
		return false, nil
	case method == "admin_unsubscribe" && len(params) == 1:
		if id, ok := params[0].(string); ok && s.subs[id] != nil {
			s.subs[id].Unsubscribe()
			delete(s.subs, id)
			s.out.printf("true\n")
			return false, nil
		}
	}
	res, err := s.c.Call(ctx, method, params...)
	var e *admin.Error
	switch {
	case errors.As(err, &e):
		s.out.printf("error: %s\n", e.Message)
	case err != nil && strings.HasPrefix(s.c.Endpoint(), "http"):
		s.out.printf("error: %v\n", err) // the node may be back for the next call
	case err != nil:
		return true, fmt.Errorf("lost the connection to the node: %v", err)
	default:
		s.out.printf("%s", indent(res))
	}
	return false, nil
}

// subscribe starts a subscription whose notifications are printed as
// they come.
func (s *session) subscribe(ctx context.Context, args []any) {
	ch := make(chan json.RawMessage, 64)
	sub, err := s.c.Subscribe(ctx, "admin", ch, args...)
	if err != nil {
		var e *admin.Error
		if errors.As(err, &e) {
			err = errors.New(e.Message)
		}
		s.out.printf("error: %v\n", err)
		return
	}
	s.subs[sub.ID()] = sub
	s.out.printf("subscription %s: notifications follow ('admin_unsubscribe %s' ends it)\n", sub.ID(), sub.ID())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case ev := <-ch:
				s.out.printf("\n%s: %s\n> ", sub.ID(), compact(ev))
			case err, ok := <-sub.Err():
				if ok {
					s.out.printf("\nsubscription %s ended: %v\n", sub.ID(), err)
				}
				return
			}
		}
	}()
}

// end ends the subscriptions.
func (s *session) end() {
	for _, sub := range s.subs {
		sub.Unsubscribe()
	}
	s.wg.Wait()
}

// help lists the methods.
func (s *session) help() {
	var b strings.Builder
	b.WriteString("Methods (parameters in capitals; the part after _ is enough, as peers for admin_peers):\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, m := range admin.Methods() {
		usage := m.Name
		for _, p := range m.Params {
			usage += " " + strings.ToUpper(p)
		}
		doc := m.Doc
		if m.Stream {
			doc += " (socket only)"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", usage, doc)
	}
	tw.Flush()
	b.WriteString("Also: help, exit (or quit, Ctrl-D).\n")
	s.out.printf("%s", b.String())
}

// lockedWriter serializes the writes of the prompt and of the
// subscriptions' goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// resolveMethod returns the method that name names: itself, or the
// method whose name ends in _name.
func resolveMethod(name string) string {
	if strings.Contains(name, "_") {
		return name
	}
	if name == "peerEvents" {
		return "admin_peerEvents"
	}
	for _, m := range admin.Methods() {
		if _, short, _ := strings.Cut(m.Name, "_"); short == name {
			return m.Name
		}
	}
	return name
}

// isSubscribe reports whether method starts a subscription.
func isSubscribe(method string) bool {
	return method == "admin_subscribe" || method == "admin_peerEvents"
}

// subscribeArgs returns the arguments of admin_subscribe for method.
func subscribeArgs(method string, params []any) []any {
	if method == "admin_peerEvents" {
		return []any{"peerEvents"}
	}
	return params
}

// parseParam returns a parameter as given on the command line: a JSON
// value as such, anything else as a string.
func parseParam(s string) any {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return s
}

// splitLine splits a line of attach into words: runs of characters
// without white space, or JSON strings, arrays and objects, which may
// have spaces inside.
func splitLine(line string) ([]string, error) {
	var words []string
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '"' || c == '[' || c == '{':
			dec := json.NewDecoder(strings.NewReader(line[i:]))
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("word %d: %v", len(words)+1, err)
			}
			n := int(dec.InputOffset())
			words = append(words, line[i:i+n])
			i += n
		default:
			j := strings.IndexAny(line[i:], " \t\r")
			if j < 0 {
				j = len(line) - i
			}
			words = append(words, line[i:i+j])
			i += j
		}
	}
	return words, nil
}

// writeResult writes a result indented.
func writeResult(w io.Writer, res json.RawMessage) error {
	_, err := w.Write(indent(res))
	return err
}

func indent(res json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Indent(&b, res, "", "  ") != nil {
		return append(res, '\n')
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func compact(res json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Compact(&b, res) != nil {
		return res
	}
	return b.Bytes()
}
