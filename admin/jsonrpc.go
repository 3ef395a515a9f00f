package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// The JSON-RPC 2.0 error codes of the API.
const (
	CodeParseError     = -32700 // the message is not valid JSON
	CodeInvalidRequest = -32600 // valid JSON, but not a JSON-RPC 2.0 request (or too large)
	CodeMethodNotFound = -32601 // no such method, or not over this transport
	CodeInvalidParams  = -32602 // a parameter is missing, of the wrong type or value, or extra
	CodeInternalError  = -32603 // the result could not be encoded
	CodeServerError    = -32000 // the node could not do it (it is not running, say)
)

// Error is a JSON-RPC error: the API answers with it, and Client returns
// it (use errors.As) when the API did.
type Error struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"` // unused by this API; kept from other servers
}

func (e *Error) Error() string { return fmt.Sprintf("%s (JSON-RPC error %d)", e.Message, e.Code) }

func errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// request is a JSON-RPC request as it arrives. Every field is kept raw so
// that a field of the wrong type is reported as such, not as a failure to
// decode the whole request; a field that is absent stays nil, which tells
// a notification (no "id") from a request with "id": null.
type request struct {
	Version json.RawMessage `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  json.RawMessage `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// response is a JSON-RPC response. ID is "null" when the request's could
// not be read; Result is "null" rather than empty for a null result, so
// that it is written.
type response struct {
	Version string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// notification is a subscription notification, sent over a stream.
type notification struct {
	Version string             `json:"jsonrpc"`
	Method  string             `json:"method"`
	Params  notificationParams `json:"params"`
}

type notificationParams struct {
	Subscription string `json:"subscription"`
	Result       any    `json:"result"`
}

var nullID = json.RawMessage("null")

// errorResponse encodes an error response.
func errorResponse(id json.RawMessage, e *Error) json.RawMessage {
	if id == nil {
		id = nullID
	}
	b, err := json.Marshal(&response{Version: "2.0", ID: id, Error: e})
	if err != nil { // cannot happen: id was checked, the message is a string
		return json.RawMessage(`{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"cannot encode the error"}}`)
	}
	return b
}

// exchange is the handling of one message, a request or a batch, from one
// client.
type exchange struct {
	ctx    context.Context
	api    *api
	stream *streamConn // the connection it came on; nil over HTTP

	// after are run once the response is written: subscriptions
	// created by the message start sending then, so that their first
	// notification never comes before the response that gives their id.
	after []func()
}

// handleMessage answers msg, one request or a batch of them. It returns
// the response to send, or nil when there is none (msg held only
// notifications).
func (x *exchange) handleMessage(msg []byte) json.RawMessage {
	if !json.Valid(msg) {
		return errorResponse(nil, errorf(CodeParseError, "parse error: the message is not valid JSON"))
	}
	msg = bytes.TrimLeft(msg, " \t\r\n")
	if len(msg) > 0 && msg[0] == '[' {
		return x.handleBatch(msg)
	}
	return x.handleRequest(msg)
}

// handleBatch answers a batch. Its requests are handled in order; the
// response holds theirs in the same order (notifications have none).
func (x *exchange) handleBatch(msg []byte) json.RawMessage {
	// Decoding the elements one by one bounds what a huge batch of tiny
	// elements allocates before it is refused.
	dec := json.NewDecoder(bytes.NewReader(msg))
	if _, err := dec.Token(); err != nil { // '['; msg is valid JSON
		return errorResponse(nil, errorf(CodeParseError, "parse error: %v", err))
	}
	var reqs []json.RawMessage
	for dec.More() {
		if len(reqs) == x.api.cfg.MaxBatch {
			return errorResponse(nil, errorf(CodeInvalidRequest, "batch too large: more than %d requests", x.api.cfg.MaxBatch))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return errorResponse(nil, errorf(CodeParseError, "parse error: %v", err))
		}
		reqs = append(reqs, raw)
	}
	if len(reqs) == 0 {
		return errorResponse(nil, errorf(CodeInvalidRequest, "empty batch"))
	}
	var out bytes.Buffer
	out.WriteByte('[')
	n := 0
	for _, raw := range reqs {
		resp := x.handleRequest(raw)
		if resp == nil {
			continue
		}
		if n > 0 {
			out.WriteByte(',')
		}
		out.Write(resp)
		n++
	}
	if n == 0 {
		return nil
	}
	out.WriteByte(']')
	return out.Bytes()
}

// handleRequest answers one request: raw is valid JSON. It returns nil
// for a notification (a request without id), whose result is not sent.
func (x *exchange) handleRequest(raw json.RawMessage) json.RawMessage {
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		return errorResponse(nil, errorf(CodeInvalidRequest, "invalid request: want a JSON object, have %s", jsonKind(raw)))
	}
	if req.ID != nil && !validID(req.ID) {
		return errorResponse(nil, errorf(CodeInvalidRequest, "invalid request: id must be a string, a number or null, is %s", jsonKind(req.ID)))
	}
	var version string
	if req.Version == nil || json.Unmarshal(req.Version, &version) != nil || version != "2.0" {
		return errorResponse(req.ID, errorf(CodeInvalidRequest, `invalid request: "jsonrpc" must be "2.0"`))
	}
	var name string
	if req.Method == nil || json.Unmarshal(req.Method, &name) != nil || name == "" {
		return errorResponse(req.ID, errorf(CodeInvalidRequest, "invalid request: method must be a non-empty string"))
	}
	result, rerr := x.call(name, req.Params)
	if req.ID == nil {
		return nil
	}
	if rerr != nil {
		return errorResponse(req.ID, rerr)
	}
	b, err := json.Marshal(&response{Version: "2.0", ID: req.ID, Result: result})
	if err != nil {
		return errorResponse(req.ID, errorf(CodeInternalError, "cannot encode the response: %v", err))
	}
	return b
}

// call runs method name with the raw params and encodes its result.
func (x *exchange) call(name string, params json.RawMessage) (json.RawMessage, *Error) {
	m := findMethod(name)
	if m == nil {
		if hint, ok := methodHints[name]; ok {
			return nil, errorf(CodeMethodNotFound, "the method %s does not exist: %s", name, hint)
		}
		return nil, errorf(CodeMethodNotFound, "the method %s does not exist (rpc_modules lists the namespaces)", printable(name))
	}
	args, perr := m.decodeParams(params)
	if perr != nil {
		return nil, perr
	}
	result, err := m.call(x, args)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, errorf(CodeServerError, "%s", err.Error())
	}
	b, err := json.Marshal(result)
	if err != nil {
		return nil, errorf(CodeInternalError, "cannot encode the result of %s: %v", name, err)
	}
	return b, nil
}

// validID reports whether id, valid JSON, is a string, a number or null.
func validID(id json.RawMessage) bool {
	switch k := jsonKind(id); k {
	case "a string", "a number", "null":
		return true
	}
	return false
}

// jsonKind names the type of the valid JSON value v, for messages.
func jsonKind(v json.RawMessage) string {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return "nothing"
	}
	switch c := v[0]; {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}

// printable shortens a name from a request for an error message, and
// quotes it when it is not plain.
func printable(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		return fmt.Sprintf("%q...", s)
	}
	for _, r := range s {
		if !(r == '_' || r == '.' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return fmt.Sprintf("%q", s)
		}
	}
	return s
}
