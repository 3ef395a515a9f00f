package chunk_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/seednet/p2p"
	"github.com/seednet/p2p/chunk"
)

// Example sends 20 MiB, more than one message can hold, through a message
// pipe: one end as a protocol's Run would send it, the other as a Run would
// receive it.
func Example() {
	const codeFile = 0 // the message code the protocol gives to transfers
	ctx := context.Background()
	payload := bytes.Repeat([]byte("seednet "), 20<<20/8)
	local, remote := p2p.MsgPipe()
	defer local.Close()

	sent := make(chan error, 1)
	go func() {
		// Send reads its reader once, a chunk at a time: a file works too.
		sent <- chunk.Send(ctx, remote, codeFile, bytes.NewReader(payload), int64(len(payload)), nil)
	}()

	// In Run: read a message and, when it has the transfer's code, hand it
	// to Receive with a destination and the largest size to accept.
	msg, err := local.ReadMsg()
	if err != nil {
		fmt.Println(err)
		return
	}
	if msg.Code == codeFile {
		var file bytes.Buffer
		n, err := chunk.Receive(ctx, local, msg, &file, 64<<20, nil)
		if err != nil {
			// Throw away what file holds. When the peer broke the transfer,
			// err wraps p2p.ErrInvalidMsg: returned from Run, it drops the
			// peer with DiscProtocolError.
			fmt.Println("transfer failed:", err)
			return
		}
		fmt.Println("received", n, "bytes, intact:", bytes.Equal(file.Bytes(), payload))
	}
	fmt.Println("send:", <-sent)
	// Output:
	// received 20971520 bytes, intact: true
	// send: <nil>
}
