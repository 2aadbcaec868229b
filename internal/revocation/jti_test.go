package revocation

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
)

func TestJTIIsUsableOnceAcrossInstances(t *testing.T) {
	dir := t.TempDir()
	a := NewUsedJTIs(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	b := NewUsedJTIs(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	ctx, now := context.Background(), time.Now()
	until := now.Add(10 * time.Minute)
	if ok, err := a.Claim(ctx, "default", "jti-1", until, now); !ok || err != nil {
		t.Fatalf("first use: %v %v", ok, err)
	}
	if ok, err := b.Claim(ctx, "default", "jti-1", until, now); ok || err != nil {
		t.Errorf("replay to another instance: accepted=%v err=%v", ok, err)
	}
	if ok, err := a.Claim(ctx, "default", "jti-1", until, now); ok || err != nil {
		t.Errorf("replay to the same instance: accepted=%v err=%v", ok, err)
	}
	if ok, _ := b.Claim(ctx, "other", "jti-1", until, now); !ok {
		t.Error("the same jti from another provider was refused")
	}
	b.Release(ctx, "default", "jti-1")
	if ok, _ := a.Claim(ctx, "default", "jti-1", until, now); !ok {
		t.Error("a released jti (sign-out not recorded) was refused on retry")
	}
	if ok, _ := a.Claim(ctx, "default", "jti-1", until, until.Add(time.Second)); !ok {
		t.Error("a jti past its time was refused")
	}
}

func TestConcurrentClaimsOfOneJTIAdmitOne(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	var wg sync.WaitGroup
	results := make(chan bool, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := NewUsedJTIs(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
			ok, err := s.Claim(context.Background(), "default", "raced", now.Add(time.Minute), now)
			if err != nil {
				t.Error(err)
			}
			results <- ok
		}()
	}
	wg.Wait()
	close(results)
	admitted := 0
	for ok := range results {
		if ok {
			admitted++
		}
	}
	if admitted != 1 {
		t.Errorf("%d of 4 concurrent uses of one jti admitted, want 1", admitted)
	}
}

func TestJTISweepDeletesOnlyPastIDs(t *testing.T) {
	st := &certmagic.FileStorage{Path: t.TempDir()}
	s := NewUsedJTIs(st, time.Hour, zap.NewNop())
	ctx, now := context.Background(), time.Now()
	_, _ = s.Claim(ctx, "default", "old", now.Add(time.Minute), now)
	_, _ = s.Claim(ctx, "default", "current", now.Add(time.Hour), now)
	later := now.Add(jtiSweepEvery + time.Minute)
	_, _ = s.Claim(ctx, "default", "trigger", later.Add(time.Hour), later)
	oldKey, _ := jtiKey("default", "old")
	curKey, _ := jtiKey("default", "current")
	if st.Exists(ctx, oldKey) {
		t.Error("a jti past its time was kept")
	}
	if !st.Exists(ctx, curKey) {
		t.Error("a jti still in its time was deleted")
	}
}

func TestJTIWithoutStorageIsRememberedInProcess(t *testing.T) {
	s := NewUsedJTIs(nil, time.Hour, zap.NewNop())
	now := time.Now()
	if ok, _ := s.Claim(context.Background(), "default", "j", now.Add(time.Minute), now); !ok {
		t.Fatal("first use refused")
	}
	if ok, _ := s.Claim(context.Background(), "default", "j", now.Add(time.Minute), now); ok {
		t.Error("replay accepted")
	}
}
