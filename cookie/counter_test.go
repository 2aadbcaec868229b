package cookie

import (
	"sync"
	"testing"
)

// Counts from many goroutines at once all arrive.
func TestSpreadCounterCountsEveryAdd(t *testing.T) {
	var c spreadCounter
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 1000 {
				c.add()
			}
		})
	}
	wg.Wait()
	if got := c.load(); got != 16*1000 {
		t.Fatalf("counted %d, want %d", got, 16*1000)
	}
}
