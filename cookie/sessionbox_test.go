package cookie

import (
	"runtime"
	"testing"
	"time"
)

// A session that fits the box opens with one allocation; one that does
// not (an Entra ID user in many groups) opens just as well.
func TestSessionsOpenWithAndWithoutTheBox(t *testing.T) {
	now := time.Now()
	for name, s := range benchSessions() {
		j := benchJar(t, JarConfig{CacheSize: -1})
		r := benchRequest(t, j, s)
		got, err := j.ReadSession(r, now)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Subject != s.Subject || got.Claims.Size() == 0 {
			t.Fatalf("%s: opened %+v", name, got)
		}
		if v, ok := got.Claims.LookupString("email"); name == "google" && (!ok || v != "jane.doe@example.com") {
			t.Fatalf("%s: email %q, %v", name, v, ok)
		}
		allocs := testing.AllocsPerRun(20, func() { _, _ = j.ReadSession(r, now) })
		if name == "google" && allocs != 1 {
			t.Errorf("google: %v allocations to open, want 1 (the box)", allocs)
		}
		if bytes := allocatedBytes(100, func() { _, _ = j.ReadSession(r, now) }); name == "google" && bytes > 768 {
			t.Errorf("google: %d bytes allocated to open, want at most 768 (the box's size class)", bytes)
		}
	}
}

// allocatedBytes is what f allocates per run, as the allocator counts it
// (whole size classes).
func allocatedBytes(runs int, f func()) uint64 {
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}
