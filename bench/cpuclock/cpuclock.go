package cpuclock

import "time"

// Process returns the user+system CPU time of the whole process so far, and
// false where the platform offers no such clock.
func Process() (time.Duration, bool) { return process() }
