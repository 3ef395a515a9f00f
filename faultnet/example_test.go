package faultnet_test

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/seednet/p2p/faultnet"
)

// A Conn flips the lowest bit of the bytes at the offsets given, and
// counts what it did.
func ExampleWrap() {
	a, b := net.Pipe()
	c := faultnet.Wrap(a, faultnet.Config{Seed: 1, Write: faultnet.Faults{
		Delay:     time.Millisecond,
		CorruptAt: []int64{0, 4},
	}})
	go func() {
		c.Write([]byte("hello"))
		c.Close()
	}()
	got, _ := io.ReadAll(b)
	fmt.Printf("%s\n", got)
	s := c.Stats()
	fmt.Println("delayed", s.Delayed, "bits flipped", s.Corrupted)
	// Output:
	// ielln
	// delayed 1 bits flipped 2
}

// A PacketConn with a Drop probability loses packets; with the same Seed,
// the same ones.
func ExampleWrapPacket() {
	a, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	b, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	defer b.Close()
	pc := faultnet.WrapPacket(a, faultnet.Config{Seed: 1, Write: faultnet.Faults{Drop: 0.5}})
	defer pc.Close()
	to := b.LocalAddr().(*net.UDPAddr).AddrPort()
	for range 10 {
		pc.WriteToUDPAddrPort([]byte("ping"), to)
	}
	fmt.Println("dropped", pc.Stats().Dropped, "of 10")
	// Output:
	// dropped 5 of 10
}
