package cpuclock

import (
	"testing"
	"time"
)

// Busy work shows up as CPU time, and the clock never runs backwards. The
// loop spins until the clock has counted 20 ms, so a loaded machine (which
// gives this process less of its wall time) only makes it take longer; it
// gives up after 10 s of wall time.
func TestProcessCountsBusyWork(t *testing.T) {
	before, ok := Process()
	if !ok {
		t.Skip("no process CPU clock on this platform")
	}
	x, last := 0, before
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		for range 100_000 {
			x++
		}
		now, _ := Process()
		if now < last {
			t.Fatalf("the CPU clock ran backwards: %v after %v", now, last)
		}
		if last = now; now-before >= 20*time.Millisecond {
			return
		}
	}
	t.Errorf("10 s of busy work counted as %v of CPU (x=%d)", last-before, x)
}
