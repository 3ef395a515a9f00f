package admin

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// post sends body to the handler at url as a JSON-RPC request.
func post(t *testing.T, url, body string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// errorOf decodes a single error response.
func errorOf(t *testing.T, data []byte) (id string, e *Error) {
	t.Helper()
	var r struct {
		Version string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   *Error          `json:"error"`
	}
	if err := json.Unmarshal(data, &r); err != nil || r.Version != "2.0" || r.Error == nil {
		t.Fatalf("not an error response (%v): %s", err, data)
	}
	return string(r.ID), r.Error
}

// Bad requests get JSON-RPC errors with the codes of the spec, and
// messages that say what is wrong; none crashes the handler.
func TestHTTPBadRequests(t *testing.T) {
	srv := startServer(t)
	ts := httptest.NewServer(NewHandler(srv, Config{}))
	defer ts.Close()

	batch := func(n int) string {
		reqs := make([]string, n)
		for i := range reqs {
			reqs[i] = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"rpc_modules"}`, i)
		}
		return "[" + strings.Join(reqs, ",") + "]"
	}
	for _, tt := range []struct {
		name   string
		body   string
		status int
		code   int
		id     string // the id of the error response
		msg    string // a substring of the error message
	}{
		{"malformed JSON", `{"jsonrpc":"2.0","id":1,"method":`, 200, CodeParseError, "null", "not valid JSON"},
		{"two values", `{"jsonrpc":"2.0","id":1,"method":"rpc_modules"} {}`, 200, CodeParseError, "null", "not valid JSON"},
		{"empty body", ``, 200, CodeParseError, "null", "not valid JSON"},
		{"not an object", `42`, 200, CodeInvalidRequest, "null", "want a JSON object, have a number"},
		{"wrong version", `{"jsonrpc":"1.0","id":7,"method":"rpc_modules"}`, 200, CodeInvalidRequest, "7", `"jsonrpc" must be "2.0"`},
		{"no version", `{"id":"a","method":"rpc_modules"}`, 200, CodeInvalidRequest, `"a"`, `"jsonrpc" must be "2.0"`},
		{"id an object", `{"jsonrpc":"2.0","id":{},"method":"rpc_modules"}`, 200, CodeInvalidRequest, "null", "id must be a string, a number or null, is an object"},
		{"method a number", `{"jsonrpc":"2.0","id":1,"method":5}`, 200, CodeInvalidRequest, "1", "method must be a non-empty string"},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`, 200, CodeMethodNotFound, "1", "the method eth_blockNumber does not exist"},
		{"odd method name", `{"jsonrpc":"2.0","id":1,"method":"a\nb"}`, 200, CodeMethodNotFound, "1", `the method "a\nb" does not exist`},
		{"peerEvents as a method", `{"jsonrpc":"2.0","id":1,"method":"admin_peerEvents"}`, 200, CodeMethodNotFound, "1", `call admin_subscribe with ["peerEvents"]`},
		{"param of the wrong type", `{"jsonrpc":"2.0","id":1,"method":"admin_addPeer","params":[42]}`, 200, CodeInvalidParams, "1", "parameter 1 (url) must be a string, is a number"},
		{"null param", `{"jsonrpc":"2.0","id":1,"method":"admin_addPeer","params":[null]}`, 200, CodeInvalidParams, "1", "parameter 1 (url) must be a string, is null"},
		{"missing param", `{"jsonrpc":"2.0","id":1,"method":"admin_addPeer","params":[]}`, 200, CodeInvalidParams, "1", "missing parameter 1 (url) of admin_addPeer"},
		{"too many params", `{"jsonrpc":"2.0","id":1,"method":"admin_peers","params":["x"]}`, 200, CodeInvalidParams, "1", "admin_peers takes no parameters, have 1"},
		{"unknown param name", `{"jsonrpc":"2.0","id":1,"method":"admin_addPeer","params":{"enode":"x"}}`, 200, CodeInvalidParams, "1", "admin_addPeer has no parameter enode (it takes 1 parameter (url))"},
		{"params a string", `{"jsonrpc":"2.0","id":1,"method":"admin_addPeer","params":"enode://x"}`, 200, CodeInvalidParams, "1", "params must be an array or an object, is a string"},
		{"bad URL", `{"jsonrpc":"2.0","id":1,"method":"admin_addPeer","params":["enode://nonsense"]}`, 200, CodeInvalidParams, "1", "invalid params: url: "},
		{"subscription over HTTP", `{"jsonrpc":"2.0","id":1,"method":"admin_subscribe","params":["peerEvents"]}`, 200, CodeMethodNotFound, "1", "subscriptions need a stream connection"},
		{"empty batch", `[]`, 200, CodeInvalidRequest, "null", "empty batch"},
		{"huge batch", batch(DefaultMaxBatch + 1), 200, CodeInvalidRequest, "null", "batch too large: more than 100 requests"},
		{"huge body", `{"jsonrpc":"2.0","id":1,"method":"rpc_modules","params":["` + strings.Repeat("x", DefaultMaxRequestBytes) + `"]}`,
			413, CodeInvalidRequest, "null", "request body too large: the limit is 1048576 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := post(t, ts.URL, tt.body, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %s, want %d: %s", resp.Status, tt.status, data)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			id, e := errorOf(t, data)
			if e.Code != tt.code || id != tt.id || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("error %d %q, id %s; want %d containing %q, id %s", e.Code, e.Message, id, tt.code, tt.msg, tt.id)
			}
		})
	}
	// The node still answers.
	_, data := post(t, ts.URL, `{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}`, nil)
	if !bytes.Contains(data, []byte(`"result":{"admin":"1.0","p2p":"1.0","rpc":"1.0"}`)) {
		t.Fatalf("after the bad requests: %s", data)
	}
}

// Errors before the JSON-RPC layer have their HTTP status.
func TestHTTPStatus(t *testing.T) {
	srv := startServer(t)
	ts := httptest.NewServer(NewHandler(srv, Config{Hosts: []string{"node.example.org"}}))
	defer ts.Close()
	for _, tt := range []struct {
		name, method, contentType, host string
		status                          int
		msg                             string
	}{
		{"GET", "GET", "", "", 405, "takes JSON-RPC requests as POST, not GET"},
		{"form", "POST", "application/x-www-form-urlencoded", "", 415, "Content-Type must be application/json"},
		{"text/plain, as a cross-site form would", "POST", "text/plain", "", 415, "Content-Type must be application/json"},
		{"no content type", "POST", "", "", 415, "Content-Type must be application/json"},
		{"charset", "POST", "application/json; charset=utf-8", "", 200, ""},
		{"DNS rebinding", "POST", "application/json", "attacker.example.com:8545", 403, `host "attacker.example.com:8545" is not allowed`},
		{"localhost", "POST", "application/json", "localhost:8545", 200, ""},
		{"IPv6 address", "POST", "application/json", "[::1]:8545", 200, ""},
		{"allowed name", "POST", "application/json", "Node.Example.org.:8545", 200, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), tt.method, ts.URL, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}`))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %s, want %d: %s", resp.Status, tt.status, data)
			}
			if tt.status == 405 && resp.Header.Get("Allow") != "POST" {
				t.Errorf("Allow: %q", resp.Header.Get("Allow"))
			}
			if tt.msg != "" {
				if _, e := errorOf(t, data); !strings.Contains(e.Message, tt.msg) {
					t.Fatalf("error %q, want %q", e.Message, tt.msg)
				}
			}
		})
	}
}

// A batch is answered in order, without the notifications; a batch of
// notifications only, and a notification, get an empty body.
func TestHTTPBatchAndNotifications(t *testing.T) {
	srv := startServer(t)
	ts := httptest.NewServer(NewHandler(srv, Config{}))
	defer ts.Close()

	_, data := post(t, ts.URL, `[
		{"jsonrpc":"2.0","id":"a","method":"rpc_modules"},
		{"jsonrpc":"2.0","method":"rpc_modules"},
		{"jsonrpc":"2.0","id":2,"method":"nope"},
		5,
		{"jsonrpc":"2.0","id":null,"method":"admin_peers"}
	]`, nil)
	var resps []struct {
		ID     json.RawMessage `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *Error          `json:"error"`
	}
	if err := json.Unmarshal(data, &resps); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	if len(resps) != 4 ||
		string(resps[0].ID) != `"a"` || resps[0].Result == nil ||
		string(resps[1].ID) != "2" || resps[1].Error.Code != CodeMethodNotFound ||
		string(resps[2].ID) != "null" || resps[2].Error.Code != CodeInvalidRequest ||
		string(resps[3].ID) != "null" || string(resps[3].Result) != "[]" {
		t.Fatalf("batch response: %s", data)
	}

	for _, body := range []string{
		`{"jsonrpc":"2.0","method":"rpc_modules"}`,
		`[{"jsonrpc":"2.0","method":"rpc_modules"},{"jsonrpc":"2.0","method":"nope"}]`,
	} {
		resp, data := post(t, ts.URL, body, nil)
		if resp.StatusCode != 200 || len(data) != 0 {
			t.Fatalf("%s: %s %q", body, resp.Status, data)
		}
	}
}

// A client that never finishes its body is answered 408 within
// BodyTimeout, although the http.Server has no timeouts (httptest's has
// none).
func TestHTTPSlowBody(t *testing.T) {
	srv := startServer(t)
	const timeout = 300 * time.Millisecond
	ts := httptest.NewServer(NewHandler(srv, Config{BodyTimeout: timeout}))
	defer ts.Close()

	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\":")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusRequestTimeout || !bytes.Contains(data, []byte("request body not received within 300ms")) {
		t.Fatalf("%s: %s", resp.Status, data)
	}
	if elapsed < timeout || elapsed > timeout+5*time.Second {
		t.Fatalf("answered after %v", elapsed)
	}
}

// With a token, requests without it get 401; the token is taken as a
// bearer token and as the password of basic authentication.
func TestHTTPToken(t *testing.T) {
	srv := startServer(t)
	const token = "0123456789abcdef0123"
	ts := httptest.NewServer(NewHandler(srv, Config{Token: token}))
	defer ts.Close()
	const body = `{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}`
	for _, tt := range []struct {
		name, auth string
		status     int
	}{
		{"none", "", 401},
		{"wrong", "Bearer 0123456789abcdef0124", 401},
		{"prefix", "Bearer 0123456789abcdef012", 401},
		{"other scheme", "Token " + token, 401},
		{"bad basic", "Basic !!!", 401},
		{"bearer", "Bearer " + token, 200},
		{"bearer, lower case", "bearer " + token, 200},
		{"basic", "Basic " + basic("anyone", token), 200},
		{"basic, wrong", "Basic " + basic(token, "x"), 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.auth != "" {
				h.Set("Authorization", tt.auth)
			}
			resp, data := post(t, ts.URL, body, h)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %s, want %d: %s", resp.Status, tt.status, data)
			}
			if tt.status == 401 {
				if got := resp.Header.Values("WWW-Authenticate"); len(got) != 2 || !strings.HasPrefix(got[0], "Basic ") {
					t.Errorf("WWW-Authenticate: %q", got)
				}
				if _, e := errorOf(t, data); !strings.Contains(e.Message, "missing or wrong token") {
					t.Errorf("error %q", e.Message)
				}
			}
		})
	}
}

func basic(user, password string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, password)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// Protect puts other handlers behind the same checks.
func TestProtect(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		io.WriteString(w, "ok")
	})
	ts := httptest.NewServer(Protect(Config{Token: "0123456789abcdef", MaxRequestBytes: 10}, inner))
	defer ts.Close()
	for _, tt := range []struct {
		name, auth, host, body string
		status                 int
	}{
		{"no token", "", "", "", 401},
		{"token", "Bearer 0123456789abcdef", "", "", 200},
		{"body at the limit", "Bearer 0123456789abcdef", "", "0123456789", 200},
		{"body over the limit", "Bearer 0123456789abcdef", "", "0123456789x", 413},
		{"foreign host", "Bearer 0123456789abcdef", "example.com", "", 403},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), "POST", ts.URL+"/metrics", strings.NewReader(tt.body))
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %s, want %d", resp.Status, tt.status)
			}
		})
	}
}
