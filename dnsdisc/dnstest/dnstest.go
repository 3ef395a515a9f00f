// Package dnstest serves DNS node lists to tests. MapResolver answers TXT
// lookups from memory, for unit tests. NSD runs NSD, a real authoritative
// DNS server (Debian package nsd), on a loopback address and a free port,
// serving zone files the test wrote (with dnsdisc.WriteZoneFile), and gives
// a *net.Resolver that sends its queries there and nowhere else.
// SilentResolver is a resolver whose server never answers.
//
// Every resolver of this package talks to 127.0.0.1 only: tests must never
// send DNS queries off the machine.
package dnstest

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
)

// MapResolver is a dnsdisc.Resolver that answers from memory: each name
// holds its TXT records. Names are matched without regard to case or a
// final dot. It is safe for concurrent use, also while it is changed.
type MapResolver struct {
	mu  sync.Mutex
	txt map[string][]string
	n   int // lookups answered
}

// NewMapResolver returns a resolver holding the records of the given maps
// (name to the text of one TXT record), such as dnsdisc.Tree.ToTXT returns.
func NewMapResolver(records ...map[string]string) *MapResolver {
	r := &MapResolver{txt: make(map[string][]string)}
	for _, m := range records {
		r.Add(m)
	}
	return r
}

func normalize(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// Add sets the records of the names in m, one TXT record each.
func (r *MapResolver) Add(m map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, txt := range m {
		r.txt[normalize(name)] = []string{txt}
	}
}

// Set sets the TXT records of name; none removes the name.
func (r *MapResolver) Set(name string, txts ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(txts) == 0 {
		delete(r.txt, normalize(name))
		return
	}
	r.txt[normalize(name)] = txts
}

// Lookups returns how many lookups the resolver has answered.
func (r *MapResolver) Lookups() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// LookupTXT returns the records of name, or a *net.DNSError that
// IsNotFound if it has none.
func (r *MapResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	txts, ok := r.txt[normalize(name)]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return append([]string(nil), txts...), nil
}

// loopbackResolver returns a resolver that sends every query to addr (a
// loopback address) over the network the resolver asks for, UDP or TCP.
// Its connections close when the lookup's context ends, so that a
// cancelled lookup returns at once (Go's resolver itself only notices its
// socket's deadline) and leaves no goroutine waiting behind a test.
func loopbackResolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			context.AfterFunc(ctx, func() { conn.Close() })
			return conn, nil
		},
	}
}

// SilentResolver returns a resolver whose server, a UDP socket of the test
// on 127.0.0.1, reads queries and never answers: every lookup runs until
// its context ends. The socket is closed when the test ends.
func SilentResolver(t testing.TB) *net.Resolver {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			if _, _, err := conn.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return loopbackResolver(conn.LocalAddr().String())
}
