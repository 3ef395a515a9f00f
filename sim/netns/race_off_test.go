// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

//go:build !race

package netns

const raceEnabled = false
