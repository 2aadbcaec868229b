package flow

import (
	"context"
	"time"

	"golang.org/x/sync/singleflight"
)

// shared runs fn once for all concurrent callers with the same key and
// returns its outcome to each of them, waiting no longer than ctx allows (a
// caller who gives up leaves the call running for the others) and no longer
// than the provider lives (Close releases every caller). A panic in fn
// becomes an error of class ErrUnavailable: singleflight would re-panic it in
// a goroutine of its own, which no one can recover and which stops the
// process; with the panic caught, the key is free again for the next call.
func shared[T any](p *Provider, g *singleflight.Group, key string, ctx context.Context, fn func() (T, error)) (T, error) {
	var zero T
	if err := p.closedErr(); err != nil {
		return zero, err
	}
	ch := g.DoChan(key, func() (v any, err error) {
		defer func() {
			if recover() != nil { // the value may quote anything: not in the message
				v, err = nil, p.newError(ErrUnavailable, nil, "internal error (a panic) during %s", key)
			}
		}()
		return fn()
	})
	p.onJoin(key)
	select {
	case r := <-ch:
		v, _ := r.Val.(T)
		return v, r.Err
	case <-ctx.Done():
		return zero, p.newError(ErrUnavailable, ctx.Err(), "gave up waiting for %s", key)
	case <-p.life.Done():
		return zero, p.closedErr()
	}
}

// onJoin tells a test that a caller joined the shared call for key.
func (p *Provider) onJoin(key string) {
	if p.joined != nil {
		p.joined(key)
	}
}

// afterFunc is time.After, or the test's clock.
func (p *Provider) afterFunc() func(time.Duration) <-chan time.Time {
	if p.after != nil {
		return p.after
	}
	return time.After
}
