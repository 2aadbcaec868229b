package revocation

import (
	"context"
	"errors"
	"io/fs"
	"time"

	"go.uber.org/zap"
)

// RefreshEvery bounds how stale this process's view of the shared storage
// may be: a sign-out posted to another Caddy reaches this one within about
// this long.
const RefreshEvery = 2 * time.Second

// refreshTimeout bounds one read of the storage; on failure the last
// snapshot stays and the next read comes after the usual interval.
const refreshTimeout = 5 * time.Second

// fullListEvery bounds how long entries past their lifetime are kept when
// nothing changes (they are dropped at each full listing).
const fullListEvery = 10 * time.Minute

// keepPastMaxAge is how long past cookie_max_age an entry is kept, for
// clock differences between the Caddys that share the storage.
const keepPastMaxAge = time.Minute

// maxDeletesPerRefresh bounds the storage work of one refresh.
const maxDeletesPerRefresh = 100

// Start reads the storage once, so the first request already knows every
// sign-out recorded so far, then starts the goroutine that rereads it
// every RefreshEvery until ctx ends or Stop is called. Requests never wait
// on the storage. Without storage, or when already started, it does
// nothing.
func (s *Store) Start(ctx context.Context) {
	s.life.Lock()
	defer s.life.Unlock()
	if s.storage == nil || s.done != nil {
		return
	}
	ctx, s.stopped = context.WithCancel(ctx)
	s.done = make(chan struct{})
	next := s.poll(ctx, time.Now())
	go s.run(ctx, next)
}

// Stop ends the refresher and returns once it has: no storage work of this
// Store goes on after it. It may be called more than once, or without Start.
func (s *Store) Stop() {
	s.life.Lock()
	defer s.life.Unlock()
	if s.done == nil {
		return
	}
	s.stopped()
	<-s.done
}

// run is the refresher: it reads the storage whenever the last read is
// RefreshEvery old.
func (s *Store) run(ctx context.Context, next time.Time) {
	defer close(s.done)
	timer := time.NewTimer(time.Until(next))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		next = s.poll(ctx, time.Now())
		timer.Reset(time.Until(next))
	}
}

// poll brings the snapshot up to date with the storage if the last read is
// RefreshEvery old at now, and returns when the next read is due.
func (s *Store) poll(ctx context.Context, now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Before(s.nextCheck) {
		return s.nextCheck
	}
	rctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	if err := s.refresh(rctx, now); err != nil && ctx.Err() == nil {
		s.logger.Warn("could not read revoked sessions from storage; using the last known list", zap.Error(err))
	}
	s.nextCheck = now.Add(RefreshEvery)
	return s.nextCheck
}

// refresh lists the storage when something changed (or the last listing is
// old) and publishes a new snapshot, deleting a few entries past their
// lifetime on the way. The caller holds s.mu.
func (s *Store) refresh(ctx context.Context, now time.Time) error {
	changed, err := s.storage.Load(ctx, revokedChangedKey)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if !s.listedAt.IsZero() && string(changed) == string(s.changed) && now.Sub(s.listedAt) < fullListEvery {
		return nil
	}
	keys, err := s.storage.List(ctx, revokedPrefix, true)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	oldest := now.Add(-s.maxAge - keepPastMaxAge)
	snap := &snapshot{providers: map[string]*providerRevocations{}}
	var expired []string
	for _, key := range keys {
		provider, kind, h, at, ok := parseRevokedKey(key)
		if !ok {
			continue
		}
		if at.Before(oldest) {
			expired = append(expired, key)
			continue
		}
		pr := snap.providers[provider]
		if pr == nil {
			pr = newProviderRevocations()
			snap.providers[provider] = pr
		}
		pr.add(kind, h, at)
	}
	// Entries this process recorded while the listing ran are in the
	// storage too (Revoke stores before it takes s.mu), so the new
	// snapshot replaces the old one whole.
	s.snap.Store(snap)
	s.changed, s.listedAt = changed, now
	for i, key := range expired {
		if i == maxDeletesPerRefresh {
			break
		}
		if err := s.storage.Delete(ctx, key); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.logger.Debug("could not delete an expired revocation", zap.String("key", key), zap.Error(err))
		}
	}
	return nil
}
