package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/seednet/p2p"
)

// FuzzHandleMessage: no message panics the decoder, and every answer is a
// JSON-RPC response (or batch of them) of bounded size. The node is not
// running, so that no input changes it.
func FuzzHandleMessage(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}`,
		`{"jsonrpc":"2.0","id":"x","method":"admin_addPeer","params":["enode://1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439@127.0.0.1:30303"]}`,
		`{"jsonrpc":"2.0","id":null,"method":"admin_removePeer","params":{"url":"enr:-"}}`,
		`[{"jsonrpc":"2.0","id":1,"method":"p2p_stats"},{"jsonrpc":"2.0","method":"x"},7,[]]`,
		`[]`, `[[[`, `{"id":{}}`, `"\ud800"`, `{"jsonrpc":"2.0","id":1e999,"method":"admin_peers","params":[1,2]}`,
		`{"jsonrpc":"2.0","id":1,"method":"admin_subscribe","params":["peerEvents"]}`,
	} {
		f.Add([]byte(s))
	}
	x := &exchange{ctx: context.Background(), api: newAPI(new(p2p.Server), Config{MaxBatch: 10})}
	f.Fuzz(func(t *testing.T, msg []byte) {
		resp := x.handleMessage(msg)
		if resp == nil {
			return // notifications only
		}
		if !json.Valid(resp) {
			t.Fatalf("invalid JSON response %q", resp)
		}
		if len(resp) > 4096+10*len(msg) {
			t.Fatalf("response of %d bytes to %d", len(resp), len(msg))
		}
		var one response
		var many []response
		switch {
		case json.Unmarshal(resp, &one) == nil:
			many = []response{one}
		case json.Unmarshal(resp, &many) == nil && len(many) > 0:
		default:
			t.Fatalf("not a response: %s", resp)
		}
		for _, r := range many {
			if r.Version != "2.0" || (r.Error == nil) == (r.Result == nil) || r.ID == nil {
				t.Fatalf("bad response %s to %q", resp, msg)
			}
		}
		if bytes.Contains(resp, []byte(`"code":-32603`)) {
			t.Fatalf("internal error for %q: %s", msg, resp)
		}
	})
}
