package nodedb

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestExpireLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := NewMemory(Config{})
		defer db.Close()
		n := testNode(t, "10.0.0.1")
		if err := db.UpdateLastPongReceived(n.ID(), n.IPAddr(), time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateNode(n); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- ExpireLoop(ctx, db, nil, nil) }()

		time.Sleep(NodeExpiration - time.Minute)
		synctest.Wait()
		if db.Node(n.ID()) == nil {
			t.Fatal("node expired early")
		}
		time.Sleep(ExpireInterval + time.Minute)
		synctest.Wait()
		if db.Node(n.ID()) != nil {
			t.Fatal("node not expired after a day and an interval")
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("ExpireLoop returned %v", err)
		}
	})
}

func TestExpireLoopErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := NewMemory(Config{})
		db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), ExpireInterval*3/2)
		defer cancel()
		var errs []error
		err := ExpireLoop(ctx, db, nil, func(err error) { errs = append(errs, err) })
		if !errors.Is(err, context.DeadlineExceeded) || len(errs) != 2 || !errors.Is(errs[0], ErrClosed) {
			t.Fatalf("ExpireLoop: %v, errors %v", err, errs)
		}
	})
}
