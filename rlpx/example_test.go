package rlpx_test

import (
	"fmt"
	"net"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlpx"
)

// Two nodes on loopback TCP run the handshake and exchange a message.
func ExampleConn() {
	serverKey, _ := crypto.GenerateKey()
	clientKey, _ := crypto.GenerateKey()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fd, err := ln.Accept()
		if err != nil {
			return
		}
		conn := rlpx.NewConn(fd, nil) // recipient
		defer conn.Close()
		if _, err := conn.Handshake(serverKey); err != nil {
			return
		}
		code, data, _, err := conn.Read()
		if err != nil {
			return
		}
		conn.Write(code+1, append([]byte("re: "), data...))
	}()

	fd, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	conn := rlpx.NewConn(fd, &serverKey.PublicKey) // initiator: knows the server's key
	defer conn.Close()
	remote, err := conn.Handshake(clientKey)
	if err != nil {
		panic(err)
	}
	fmt.Println("talking to the expected node:", remote.Equal(&serverKey.PublicKey))
	conn.Write(0x10, []byte("hello"))
	code, data, _, _ := conn.Read()
	fmt.Printf("code %#x: %s\n", code, data)
	<-done
	// Output:
	// talking to the expected node: true
	// code 0x11: re: hello
}
