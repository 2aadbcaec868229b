package oidcauth

import (
	"sync"
	"time"
)

// recentSet remembers keys for a while, in bounded memory. The callback uses
// it to refuse a second use of the same state in this process even when the
// replayed request still carries the login-state cookie; the cookie itself
// is single-use in the browser, and the provider's codes are single-use too.
type recentSet struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	current map[string]time.Time
	old     map[string]time.Time
}

func newRecentSet(max int, ttl time.Duration) *recentSet {
	return &recentSet{ttl: ttl, max: max, current: map[string]time.Time{}, old: map[string]time.Time{}}
}

// Add records key and reports whether it was new (not seen within ttl).
func (s *recentSet) Add(key string, now time.Time) bool {
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
