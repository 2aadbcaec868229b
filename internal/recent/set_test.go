package recent

import (
	"fmt"
	"testing"
	"time"
)

func TestSetRefusesAKeySeenWithinItsTime(t *testing.T) {
	s := New(4, time.Minute)
	now := time.Now()
	if !s.Add("a", now) {
		t.Fatal("a new key was refused")
	}
	if s.Add("a", now.Add(30*time.Second)) {
		t.Error("a key seen 30 s ago was accepted again")
	}
	if !s.Add("a", now.Add(2*time.Minute)) {
		t.Error("a key seen longer ago than its time was refused")
	}
}

func TestSetStaysBounded(t *testing.T) {
	s := New(4, time.Hour)
	now := time.Now()
	for i := 0; i < 100; i++ {
		s.Add(fmt.Sprint("k", i), now)
	}
	if n := len(s.current) + len(s.old); n > 8 {
		t.Errorf("%d keys kept, want at most 8", n)
	}
	if s.Add("k99", now) {
		t.Error("the latest key was forgotten")
	}
}
