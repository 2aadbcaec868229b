package flow

import (
	"context"
	"testing"
	"time"
)

// A shared call that panics becomes an "unavailable" error for its callers,
// and the next call with the same key runs (instead of waiting forever or
// crashing the process).
func TestSharedCallThatPanicsIsAnErrorAndFreesItsKey(t *testing.T) {
	p := bareProvider(Config{Name: "t"})
	_, err := shared(p, &p.calls, "discovery", context.Background(), func() (int, error) { panic("boom") })
	wantClass(t, err, ErrUnavailable)
	done := make(chan int, 1)
	go func() {
		v, _ := shared(p, &p.calls, "discovery", context.Background(), func() (int, error) { return 7, nil })
		done <- v
	}()
	select {
	case v := <-done:
		if v != 7 {
			t.Errorf("the call after the panic gave %d", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the call after a panicking one never completed")
	}
}

// A caller whose context ends is released at once; the call goes on and its
// outcome reaches the callers still waiting.
func TestSharedCallReleasesACallerWhoGivesUp(t *testing.T) {
	p := bareProvider(Config{Name: "t"})
	started, release := make(chan struct{}), make(chan struct{})
	result := make(chan int, 1)
	go func() {
		v, _ := shared(p, &p.calls, "k", context.Background(), func() (int, error) {
			close(started)
			<-release
			return 1, nil
		})
		result <- v
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := shared(p, &p.calls, "k", ctx, func() (int, error) { return 2, nil })
	wantClass(t, err, ErrUnavailable)
	close(release)
	if v := <-result; v != 1 {
		t.Errorf("the waiting caller got %d", v)
	}
}
