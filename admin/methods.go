package admin

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/enode"
)

// Method describes a method of the API, for help texts (p2pnode attach
// lists them).
type Method struct {
	Name   string   // such as "admin_addPeer"
	Params []string // parameter names, in order; every parameter is a string and required
	Doc    string   // one line: what it does and returns
	// Stream is set for methods that need a stream connection (a Unix
	// socket): subscriptions.
	Stream bool
}

// method is a Method with its implementation. call gets the decoded
// parameters, one for each name of Params.
type method struct {
	Method
	call func(x *exchange, args []string) (any, error)
}

// methods are the methods of the API, in the order Methods lists them.
var methods = []*method{
	{Method{Name: "admin_nodeInfo", Doc: "the node: ID, name, enode URL, record, ports, listen address, NAT, discovery, counters"},
		func(x *exchange, _ []string) (any, error) {
			info := x.api.srv.NodeInfo()
			if info == nil {
				return nil, errNotRunning
			}
			return info, nil
		}},
	{Method{Name: "admin_peers", Doc: "the connected peers: ID, name, capabilities, addresses, direction, protocols"},
		func(x *exchange, _ []string) (any, error) {
			if x.api.srv.LocalNode() == nil {
				return nil, errNotRunning
			}
			return x.api.srv.PeersInfo(), nil
		}},
	{Method{Name: "admin_addPeer", Params: []string{"url"}, Doc: "connect to the node (enode:// URL or enr: record) and keep it connected; true"},
		nodeMethod((*p2p.Server).AddPeer)},
	{Method{Name: "admin_removePeer", Params: []string{"url"}, Doc: "forget the static node and disconnect it; true"},
		nodeMethod((*p2p.Server).RemovePeer)},
	{Method{Name: "admin_addTrustedPeer", Params: []string{"url"}, Doc: "let the node connect even when the peer limits are reached; true"},
		nodeMethod((*p2p.Server).AddTrustedPeer)},
	{Method{Name: "admin_removeTrustedPeer", Params: []string{"url"}, Doc: "make the node an ordinary one again; true"},
		nodeMethod((*p2p.Server).RemoveTrustedPeer)},
	{Method{Name: "admin_subscribe", Params: []string{"name"}, Stream: true,
		Doc: `subscribe to "peerEvents" (peers added and dropped); the subscription id, then admin_subscription notifications`},
		func(x *exchange, args []string) (any, error) { return x.subscribe(args[0]) }},
	{Method{Name: "admin_unsubscribe", Params: []string{"id"}, Stream: true, Doc: "end the subscription; true"},
		func(x *exchange, args []string) (any, error) { return x.unsubscribe(args[0]) }},
	{Method{Name: "p2p_stats", Doc: "the node's counters: admissions and rejections, dials and their outcomes, drops, traffic per protocol"},
		func(x *exchange, _ []string) (any, error) { return x.api.srv.Stats(), nil }},
	{Method{Name: "p2p_diagnose", Doc: "why the node has the peers it has: a verdict, the evidence, and the next step"},
		diagnose},
	{Method{Name: "rpc_modules", Doc: "the namespaces of the API and their versions"},
		func(*exchange, []string) (any, error) {
			return map[string]string{"admin": "1.0", "p2p": "1.0", "rpc": "1.0"}, nil
		}},
}

// methodHints explain names that scripts may try and that are not
// methods.
var methodHints = map[string]string{
	"admin_peerEvents": `peer events are a subscription: call admin_subscribe with ["peerEvents"] over the Unix socket`,
}

// Methods returns the methods of the API.
func Methods() []Method {
	list := make([]Method, len(methods))
	for i, m := range methods {
		list[i] = m.Method
		list[i].Params = append([]string(nil), m.Params...)
	}
	return list
}

func findMethod(name string) *method {
	for _, m := range methods {
		if m.Name == name {
			return m
		}
	}
	return nil
}

var errNotRunning = errorf(CodeServerError, "the node is not running")

// nodeMethod is a method that parses its url parameter and calls op with
// the node.
func nodeMethod(op func(*p2p.Server, *enode.Node)) func(*exchange, []string) (any, error) {
	return func(x *exchange, args []string) (any, error) {
		n, err := enode.Parse(enode.ValidSchemes, args[0])
		if err != nil {
			return nil, errorf(CodeInvalidParams, "invalid params: url: %s", strings.TrimPrefix(err.Error(), "enode: "))
		}
		if x.api.srv.LocalNode() == nil {
			return nil, errNotRunning
		}
		op(x.api.srv, n)
		return true, nil
	}
}

// decodeParams checks params, an array, an object, null or nil, against
// the method's parameters and returns their values in order.
func (m *method) decodeParams(params json.RawMessage) ([]string, *Error) {
	raw := make([]json.RawMessage, len(m.Params))
	switch jsonKind(params) {
	case "nothing", "null":
	case "an array":
		var list []json.RawMessage
		if err := json.Unmarshal(params, &list); err != nil {
			return nil, errorf(CodeInvalidParams, "invalid params: %v", err)
		}
		if len(list) > len(m.Params) {
			return nil, errorf(CodeInvalidParams, "invalid params: %s takes %s, have %d", m.Name, m.paramList(), len(list))
		}
		copy(raw, list)
	case "an object":
		var named map[string]json.RawMessage
		if err := json.Unmarshal(params, &named); err != nil {
			return nil, errorf(CodeInvalidParams, "invalid params: %v", err)
		}
		for name, v := range named {
			i := -1
			for j, p := range m.Params {
				if p == name {
					i = j
				}
			}
			if i < 0 {
				return nil, errorf(CodeInvalidParams, "invalid params: %s has no parameter %s (it takes %s)", m.Name, printable(name), m.paramList())
			}
			raw[i] = v
		}
	default:
		return nil, errorf(CodeInvalidParams, "invalid params: params must be an array or an object, is %s", jsonKind(params))
	}
	args := make([]string, len(m.Params))
	for i, v := range raw {
		if v == nil {
			return nil, errorf(CodeInvalidParams, "invalid params: missing parameter %d (%s) of %s", i+1, m.Params[i], m.Name)
		}
		if jsonKind(v) != "a string" || json.Unmarshal(v, &args[i]) != nil {
			return nil, errorf(CodeInvalidParams, "invalid params: parameter %d (%s) must be a string, is %s", i+1, m.Params[i], jsonKind(v))
		}
	}
	return args, nil
}

// paramList describes the parameters: "no parameters", "1 parameter
// (url)".
func (m *method) paramList() string {
	switch len(m.Params) {
	case 0:
		return "no parameters"
	case 1:
		return fmt.Sprintf("1 parameter (%s)", m.Params[0])
	}
	return fmt.Sprintf("%d parameters (%s)", len(m.Params), strings.Join(m.Params, ", "))
}
