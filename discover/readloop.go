package discover

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"time"
)

// readPackets reads packets from conn and passes each to handle until ctx
// ends or conn is closed; both discovery versions run their socket with
// it. The buffer has room for one byte more than maxSize, so that a
// packet over the limit shows as one. Other read errors are logged as
// what's, and reading goes on after a pause.
func readPackets(ctx context.Context, conn UDPConn, maxSize int, log *slog.Logger, what string, handle func([]byte, netip.AddrPort)) {
	buf := make([]byte, maxSize+1)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			log.Debug(what+" read error", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		handle(buf[:n], from)
	}
}
