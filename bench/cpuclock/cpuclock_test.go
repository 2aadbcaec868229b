package cpuclock

import (
	"testing"
	"time"
)

// Busy work shows up as CPU time; the clock never runs backwards.
func TestProcessCountsBusyWork(t *testing.T) {
	before, ok := Process()
	if !ok {
		t.Skip("no process CPU clock on this platform")
	}
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	after, _ := Process()
	if used := after - before; used < 20*time.Millisecond {
		t.Errorf("50 ms of busy work counted as %v of CPU (x=%d)", used, x)
	}
}
