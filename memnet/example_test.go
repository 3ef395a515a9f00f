package memnet_test

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/seednet/p2p/memnet"
)

// Two hosts 40 ms apart: one listens, the other dials and sends.
func Example() {
	nw := memnet.New(memnet.Config{Seed: 1, Link: memnet.Link{Latency: 40 * time.Millisecond}})
	defer nw.Close()
	server, client := nw.NewHost(), nw.NewHost()

	l, err := server.Listen(":8000")
	if err != nil {
		panic(err)
	}
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		c.Write([]byte("hello from " + c.LocalAddr().String()))
		c.Close()
	}()

	c, err := client.DialContext(context.Background(), "tcp", "10.0.0.1:8000")
	if err != nil {
		panic(err)
	}
	defer c.Close()
	msg, _ := io.ReadAll(c)
	fmt.Printf("%s got %q\n", c.LocalAddr(), msg)
	// Output: 10.0.0.2:32768 got "hello from 10.0.0.1:8000"
}

// A partition cuts the network in two until Heal.
func ExampleNetwork_Partition() {
	nw := memnet.New(memnet.Config{})
	defer nw.Close()
	a, b, c := nw.NewHost(), nw.NewHost(), nw.NewHost()
	nw.Partition([]netip.Addr{a.Addr(), b.Addr()}, []netip.Addr{c.Addr()})
	fmt.Println(nw.Reachable(a.Addr(), b.Addr()), nw.Reachable(a.Addr(), c.Addr()))
	nw.Heal()
	fmt.Println(nw.Reachable(a.Addr(), c.Addr()))
	// Output:
	// true false
	// true
}
