package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClientClosed is what calls and subscriptions of a closed Client
// return.
var ErrClientClosed = errors.New("admin: client closed")

// ErrNeedsStream is what Subscribe returns on a client of an HTTP
// endpoint.
var ErrNeedsStream = errors.New("admin: subscriptions need a stream connection (a Unix socket), not HTTP")

// ErrSubscriptionOverflow ends a subscription whose receiver fell more
// than maxSubscriptionBacklog notifications behind.
var ErrSubscriptionOverflow = errors.New("admin: subscription receiver too slow: notifications dropped")

// maxResponseBytes bounds a response or notification the client reads.
const maxResponseBytes = 64 << 20

// maxSubscriptionBacklog bounds the notifications a subscription keeps
// for a receiver that does not take them.
const maxSubscriptionBacklog = 10000

// DialOption is an option of Dial.
type DialOption func(*Client)

// WithToken makes the client send token as bearer token (HTTP only).
func WithToken(token string) DialOption {
	return func(c *Client) { c.token = token }
}

// WithHTTPClient makes the client use hc for HTTP requests instead of a
// client of its own.
func WithHTTPClient(hc *http.Client) DialOption {
	return func(c *Client) { c.http = hc }
}

// Client calls the admin API of a node, over HTTP or a stream
// connection. It is safe for concurrent use.
type Client struct {
	endpoint string
	nextID   atomic.Uint64

	// HTTP
	url   string
	token string
	http  *http.Client

	// Stream
	conn    net.Conn
	writeMu sync.Mutex
	done    chan struct{} // closed when the reading goroutine ends
	mu      sync.Mutex    // guards the fields below
	pending map[string]*pendingCall
	subs    map[string]*ClientSubscription
	err     error // why the connection ended
}

// pendingCall is a call waiting for its response on a stream.
type pendingCall struct {
	resp chan *clientMessage // buffered: the reader never waits
	sub  *ClientSubscription // for admin_subscribe: registered when the response comes
}

// clientMessage is a message the client receives: a response or a
// notification.
type clientMessage struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *Error          `json:"error"`
}

// Dial returns a client of the API at endpoint: an http:// or https://
// URL, HOST:PORT (taken as http://HOST:PORT/), or the path of a Unix
// socket (unix://PATH works too), to which it connects. Over HTTP it connects for each call.
func Dial(ctx context.Context, endpoint string, opts ...DialOption) (*Client, error) {
	path := strings.TrimPrefix(endpoint, "unix://")
	c := &Client{endpoint: path}
	for _, o := range opts {
		o(c)
	}
	if u, ok := httpURL(endpoint); ok {
		c.url, c.endpoint = u, u
		if c.http == nil {
			c.http = &http.Client{Timeout: time.Minute}
		}
		return c, nil
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	c.conn = conn
	c.done = make(chan struct{})
	c.pending = make(map[string]*pendingCall)
	c.subs = make(map[string]*ClientSubscription)
	go c.read()
	return c, nil
}

// httpURL returns the URL of endpoint if it is an HTTP one.
func httpURL(endpoint string) (string, bool) {
	if strings.HasPrefix(endpoint, "http://") || strings.HasPrefix(endpoint, "https://") {
		return endpoint, true
	}
	if strings.Contains(endpoint, "/") {
		return "", false
	}
	if _, port, err := net.SplitHostPort(endpoint); err == nil {
		if _, err := strconv.ParseUint(port, 10, 16); err == nil {
			return "http://" + endpoint + "/", true
		}
	}
	return "", false
}

// Endpoint returns the endpoint of the client: the URL of an HTTP one
// ("http://127.0.0.1:8545/" when dialed as 127.0.0.1:8545), the path of
// a socket.
func (c *Client) Endpoint() string { return c.endpoint }

// Close closes the connection and ends the subscriptions. Calls under way
// return ErrClientClosed.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	c.mu.Lock()
	if c.err == nil {
		c.err = ErrClientClosed
	}
	c.mu.Unlock()
	err := c.conn.Close()
	<-c.done
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// Call calls method with params and returns its result. An error of the
// API is an *Error.
func (c *Client) Call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if c.conn == nil {
		return c.callHTTP(ctx, method, params)
	}
	return c.callStream(ctx, method, params, nil)
}

type clientRequest struct {
	Version string `json:"jsonrpc"`
	ID      string `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

func (c *Client) newRequest(method string, params []any) ([]byte, string, error) {
	id := strconv.FormatUint(c.nextID.Add(1), 10)
	if params == nil {
		params = []any{}
	}
	b, err := json.Marshal(&clientRequest{Version: "2.0", ID: id, Method: method, Params: params})
	return b, strconv.Quote(id), err
}

func (c *Client) callHTTP(ctx context.Context, method string, params []any) (json.RawMessage, error) {
	body, _, err := c.newRequest(method, params)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxResponseBytes {
		return nil, fmt.Errorf("response larger than %d bytes", maxResponseBytes)
	}
	var msg clientMessage
	if err := json.Unmarshal(data, &msg); err != nil || (msg.Error == nil && msg.Result == nil) {
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: HTTP %s", c.url, resp.Status)
		}
		return nil, fmt.Errorf("%s: not a JSON-RPC response", c.url)
	}
	if msg.Error != nil {
		return nil, msg.Error
	}
	return msg.Result, nil
}

// callStream sends a request and waits for its response. With sub set,
// the response (to admin_subscribe) registers it.
func (c *Client) callStream(ctx context.Context, method string, params []any, sub *ClientSubscription) (json.RawMessage, error) {
	body, id, err := c.newRequest(method, params)
	if err != nil {
		return nil, err
	}
	pc := &pendingCall{resp: make(chan *clientMessage, 1), sub: sub}
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, err
	}
	c.pending[id] = pc
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	if err := c.write(ctx, body); err != nil {
		return nil, err
	}
	select {
	case msg := <-pc.resp:
		if msg.Error != nil {
			return nil, msg.Error
		}
		return msg.Result, nil
	case <-c.done:
		c.mu.Lock()
		defer c.mu.Unlock()
		return nil, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// write sends msg. A write that fails or times out may have sent part of
// it, after which the stream cannot be used: it closes the connection.
func (c *Client) write(ctx context.Context, msg []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	c.conn.SetWriteDeadline(deadline)
	if _, err := c.conn.Write(append(msg, '\n')); err != nil {
		c.conn.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	return nil
}

// read reads the messages of the stream and passes them on until the
// connection ends.
func (c *Client) read() {
	br := &boundedReader{r: c.conn}
	dec := json.NewDecoder(br)
	var err error
	for {
		br.max = dec.InputOffset() + maxResponseBytes
		var msg clientMessage
		if err = dec.Decode(&msg); err != nil {
			break
		}
		c.handle(&msg)
	}
	c.mu.Lock()
	if c.err == nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("admin: the node closed the connection")
		}
		c.err = err
	}
	subs := c.subs
	c.subs = nil
	c.mu.Unlock()
	for _, s := range subs {
		s.end(c.err)
	}
	close(c.done)
}

// handle passes on a message: a response to its call, a notification to
// its subscription.
func (c *Client) handle(msg *clientMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if msg.Method != "" && strings.HasSuffix(msg.Method, "_subscription") {
		var p struct {
			Subscription string          `json:"subscription"`
			Result       json.RawMessage `json:"result"`
		}
		if json.Unmarshal(msg.Params, &p) != nil {
			return
		}
		if s := c.subs[p.Subscription]; s != nil {
			if !s.push(p.Result) {
				delete(c.subs, p.Subscription)
				s.end(ErrSubscriptionOverflow) // does not wait for the receiver
			}
		}
		return
	}
	pc := c.pending[string(msg.ID)]
	if pc == nil {
		return // a call given up
	}
	delete(c.pending, string(msg.ID))
	if pc.sub != nil && msg.Error == nil {
		// Registered before the next message is read: the first
		// notification may follow right after.
		if json.Unmarshal(msg.Result, &pc.sub.id) == nil {
			c.subs[pc.sub.id] = pc.sub
		}
	}
	pc.resp <- msg
}

// Subscribe starts a subscription over a stream connection: it calls
// namespace_subscribe (admin_subscribe) with args, such as "peerEvents",
// and sends the result of each notification to ch until Unsubscribe or
// an error, which Err delivers. A receiver that falls far behind
// (thousands of notifications) ends the subscription with
// ErrSubscriptionOverflow.
func (c *Client) Subscribe(ctx context.Context, namespace string, ch chan<- json.RawMessage, args ...any) (*ClientSubscription, error) {
	if c.conn == nil {
		return nil, ErrNeedsStream
	}
	s := &ClientSubscription{
		c:         c,
		namespace: namespace,
		ch:        ch,
		wake:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
		errc:      make(chan error, 1),
		done:      make(chan struct{}),
	}
	go s.deliver()
	_, err := c.callStream(ctx, namespace+"_subscribe", args, s)
	c.mu.Lock()
	registered := c.subs != nil && s.id != "" && c.subs[s.id] == s
	if err != nil && registered {
		delete(c.subs, s.id)
	}
	c.mu.Unlock()
	if err == nil && !registered {
		err = fmt.Errorf("admin: %s_subscribe did not return a subscription id", namespace)
	}
	if err != nil {
		s.end(nil)
		return nil, err
	}
	return s, nil
}

// ClientSubscription is a subscription of a Client.
type ClientSubscription struct {
	c         *Client
	namespace string
	id        string
	ch        chan<- json.RawMessage

	mu      sync.Mutex // guards backlog and ended
	backlog []json.RawMessage
	ended   bool

	wake chan struct{} // a notification was queued
	quit chan struct{} // closed by end
	once sync.Once
	errc chan error    // the error that ended it; closed after
	done chan struct{} // closed when deliver has returned
}

// ID returns the subscription's id.
func (s *ClientSubscription) ID() string { return s.id }

// Err returns a channel that receives the error that ended the
// subscription (the connection ended, or ErrSubscriptionOverflow) and is
// closed after it, or closed without an error by Unsubscribe.
func (s *ClientSubscription) Err() <-chan error { return s.errc }

// Unsubscribe ends the subscription and tells the node (waiting up to
// five seconds for its answer). No notification is sent on the channel
// after it returns.
func (s *ClientSubscription) Unsubscribe() {
	c := s.c
	c.mu.Lock()
	registered := c.subs != nil && c.subs[s.id] == s
	if registered {
		delete(c.subs, s.id)
	}
	c.mu.Unlock()
	s.end(nil)
	if registered {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.callStream(ctx, s.namespace+"_unsubscribe", []any{s.id}, nil)
	}
}

// push queues a notification; false if the backlog is full.
func (s *ClientSubscription) push(result json.RawMessage) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return true
	}
	if len(s.backlog) >= maxSubscriptionBacklog {
		return false
	}
	s.backlog = append(s.backlog, result)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// end ends the subscription with err (nil for Unsubscribe) and waits for
// its delivery goroutine.
func (s *ClientSubscription) end(err error) {
	s.once.Do(func() {
		s.mu.Lock()
		s.ended = true
		s.backlog = nil
		s.mu.Unlock()
		close(s.quit)
		<-s.done
		if err != nil {
			s.errc <- err
		}
		close(s.errc)
	})
	<-s.done
}

// deliver sends the backlog to the receiver's channel.
func (s *ClientSubscription) deliver() {
	defer close(s.done)
	for {
		s.mu.Lock()
		var next json.RawMessage
		if len(s.backlog) > 0 {
			next = s.backlog[0]
			s.backlog = s.backlog[1:]
		}
		s.mu.Unlock()
		if next == nil {
			select {
			case <-s.wake:
				continue
			case <-s.quit:
				return
			}
		}
		select {
		case s.ch <- next:
		case <-s.quit:
			return
		}
	}
}
