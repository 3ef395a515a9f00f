// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package sim

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ChurnConfig sets up Sim.Churn.
type ChurnConfig struct {
	// Rate is the share of the nodes replaced per minute: 0.1 stops a
	// tenth of them a minute, one at a time at even intervals, each
	// replaced at once by a new node (with new keys) so that the network
	// keeps its size.
	Rate float64
	// Keep protects the nodes with an index below it, such as a node the
	// dashboard shows.
	Keep int
	// Settle is how long a node must have run to count in the checks:
	// one just added has not found its peers yet. Zero means 30s.
	Settle time.Duration
	// Check is how often the network is checked. Zero means 1s.
	Check time.Duration
}

// ChurnResult is what Churn did and saw.
type ChurnResult struct {
	Replaced int           `json:"replaced"`
	Duration time.Duration `json:"duration"`
	// Checks counts the checks of the settled nodes (those that had run
	// for Settle); OneComponent those at which they formed one component.
	Checks       int `json:"checks"`
	OneComponent int `json:"one_component"`
	// MaxComponents is the most components a check saw, and MinPeers the
	// fewest peers of a settled node at any check.
	MaxComponents int `json:"max_components"`
	MinPeers      int `json:"min_peers"`
}

// String summarises r in one line.
func (r ChurnResult) String() string {
	return fmt.Sprintf("churn: %d nodes replaced in %v; settled nodes in one component at %d of %d checks (at most %d components), fewest peers %d",
		r.Replaced, r.Duration.Round(time.Second), r.OneComponent, r.Checks, r.MaxComponents, r.MinPeers)
}

// Churn replaces nodes at cfg.Rate until ctx ends, checking the network
// as it goes, and returns what it did. Its error is nil when ctx ended
// (that is how a churn run ends) and reports a node that could not be
// replaced otherwise. Nodes are picked at random from the Seed.
func (s *Sim) Churn(ctx context.Context, cfg ChurnConfig) (ChurnResult, error) {
	if cfg.Rate <= 0 || cfg.Rate > 60 {
		return ChurnResult{}, fmt.Errorf("sim: churn rate %v per minute: want more than 0 and at most 60", cfg.Rate)
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 30 * time.Second
	}
	if cfg.Check <= 0 {
		cfg.Check = time.Second
	}
	alive := len(s.Nodes())
	if alive-cfg.Keep < 1 {
		return ChurnResult{}, fmt.Errorf("sim: churn needs a node to replace: %d nodes, %d kept", alive, cfg.Keep)
	}
	every := time.Duration(float64(time.Minute) / (cfg.Rate * float64(alive)))
	replace := time.NewTicker(every)
	defer replace.Stop()
	check := time.NewTicker(cfg.Check)
	defer check.Stop()

	res := ChurnResult{MinPeers: -1}
	start := time.Now()
	end := func() ChurnResult {
		res.Duration = time.Since(start)
		res.MinPeers = max(res.MinPeers, 0) // with no check, 0
		return res
	}
	for {
		select {
		case <-ctx.Done():
			return end(), nil
		case <-replace.C:
			if err := s.replaceOne(cfg.Keep); err != nil {
				if errors.Is(err, ErrStopped) {
					return end(), err
				}
				return end(), fmt.Errorf("sim: churn: %w", err)
			}
			res.Replaced++
		case <-check.C:
			snap := s.Snapshot().Settled(cfg.Settle)
			if len(snap.Nodes) == 0 {
				continue
			}
			res.Checks++
			comps := len(snap.Components())
			if comps == 1 {
				res.OneComponent++
			}
			res.MaxComponents = max(res.MaxComponents, comps)
			if lo, _, _ := snap.PeerCounts(); res.MinPeers < 0 || lo < res.MinPeers {
				res.MinPeers = lo
			}
		}
	}
}

// replaceOne removes a random node with an index of keep or more and adds
// a new one.
func (s *Sim) replaceOne(keep int) error {
	s.mu.Lock()
	var pick []int
	for _, n := range s.nodes {
		if n != nil && n.Index >= keep {
			pick = append(pick, n.Index)
		}
	}
	if len(pick) == 0 {
		s.mu.Unlock()
		return errors.New("no node left to replace")
	}
	victim := pick[s.rng.IntN(len(pick))]
	s.mu.Unlock()
	if err := s.RemoveNode(victim); err != nil {
		return err
	}
	_, err := s.AddNode()
	return err
}
