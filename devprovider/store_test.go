package devprovider

import (
	"testing"
	"time"
)

func TestStoreSweepsExpiredGrants(t *testing.T) {
	s := newGrantStore()
	sess := &session{clientID: "c"}
	past, future := time.Now().Add(-time.Second), time.Now().Add(time.Hour)
	s.putCode(&codeGrant{session: sess, expires: past})
	live := s.putCode(&codeGrant{session: sess, expires: future})
	s.putAccess(&accessGrant{session: sess, expires: past})
	s.lastSweep = time.Time{} // due now
	s.putCode(&codeGrant{session: sess, expires: future})
	if len(s.codes) != 2 || len(s.access) != 0 {
		t.Errorf("after sweep: %d codes, %d access tokens", len(s.codes), len(s.access))
	}
	if _, ok := s.takeCode(live); !ok {
		t.Error("live code swept")
	}
}

func TestStoreRefreshIsSingleUse(t *testing.T) {
	s := newGrantStore()
	tok := s.putRefresh(&session{clientID: "c"})
	if _, ok := s.takeRefresh(tok); !ok {
		t.Fatal("fresh refresh token refused")
	}
	if _, ok := s.takeRefresh(tok); ok {
		t.Error("refresh token worked twice")
	}
}
