//go:build !unix

package sim

import "time"

// cpuTime returns 0: not measured on this system.
func cpuTime() time.Duration { return 0 }

// wallNow returns the zero time: not measured on this system.
func wallNow() time.Time { return time.Time{} }
