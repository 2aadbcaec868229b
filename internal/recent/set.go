package recent

import (
	"sync"
	"time"
)

// Set remembers keys for a while, in bounded memory: at most about twice
// the max it was made with, however many keys are added.
type Set struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	current map[string]time.Time
	old     map[string]time.Time
}

// New returns a Set that remembers a key for ttl, keeping at most 2*max keys.
func New(max int, ttl time.Duration) *Set {
	return &Set{ttl: ttl, max: max, current: map[string]time.Time{}, old: map[string]time.Time{}}
}

// Add records key and reports whether it was new (not seen within ttl).
func (s *Set) Add(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, gen := range [2]map[string]time.Time{s.current, s.old} {
		if t, ok := gen[key]; ok && now.Sub(t) < s.ttl {
			return false
		}
	}
	// Two generations: when the current one is full it becomes the old one,
	// so memory stays within 2*max keys.
	if len(s.current) >= s.max {
		s.old, s.current = s.current, make(map[string]time.Time, s.max)
	}
	s.current[key] = now
	return true
}
