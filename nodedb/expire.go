package nodedb

import (
	"context"
	"time"
)

// ExpireLoop deletes the entries of db not seen for NodeExpiration, once at
// the start and then every ExpireInterval, until ctx is done; it then
// returns ctx's error. It blocks: run it in a goroutine that you own. now
// is the clock; nil means time.Now. Errors of ExpireBefore are passed to
// onError if it is not nil, and the loop goes on.
func ExpireLoop(ctx context.Context, db DB, now func() time.Time, onError func(error)) error {
	if now == nil {
		now = time.Now
	}
	tick := time.NewTicker(ExpireInterval)
	defer tick.Stop()
	for {
		if _, err := db.ExpireBefore(now().Add(-NodeExpiration)); err != nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
