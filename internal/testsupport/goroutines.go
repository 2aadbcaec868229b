package testsupport

import (
	"bytes"
	"runtime"
	"time"
)

// Goroutines counts the goroutines of this process whose stack holds frame,
// a function as the stack trace names it ("internal/revocation.(*Store).run(").
func Goroutines(frame string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Count(buf[:n], []byte(frame))
		}
		buf = make([]byte, 2*len(buf))
	}
}

// WaitGoroutines waits up to 2 s until want goroutines hold frame, and says
// how many do.
func WaitGoroutines(frame string, want int) int {
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := Goroutines(frame)
		if n == want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}
