package devprovider

import (
	"sync"
	"time"
)

// codeTTL is how long an authorization code stays redeemable.
const codeTTL = time.Minute

// session is one sign-in of one user at one client; codes, access tokens and refresh
// tokens all point back to it.
type session struct {
	clientID string
	claims   map[string]any // identity(user): sub and every claim, before scope filtering
	scope    string
	authTime time.Time
	maxAge   bool // the authorization request had max_age: auth_time is then always sent
	sid      string
}

type codeGrant struct {
	*session
	redirectURI, nonce, challenge string
	expires                       time.Time
}

type accessGrant struct {
	*session
	expires time.Time
}

// grantStore keeps codes and tokens in memory. Codes and refresh tokens are single-use.
type grantStore struct {
	mu        sync.Mutex
	codes     map[string]*codeGrant
	access    map[string]*accessGrant
	refresh   map[string]*session
	lastSweep time.Time
}

func newGrantStore() *grantStore {
	return &grantStore{
		codes:   map[string]*codeGrant{},
		access:  map[string]*accessGrant{},
		refresh: map[string]*session{},
	}
}

func (s *grantStore) putCode(g *codeGrant) string {
	code := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(time.Now())
	s.codes[code] = g
	return code
}

// takeCode redeems code: it is gone afterwards, whether or not it was still valid.
func (s *grantStore) takeCode(code string) (*codeGrant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[code]
	delete(s.codes, code)
	if !ok || time.Now().After(g.expires) {
		return nil, false
	}
	return g, true
}

func (s *grantStore) putAccess(g *accessGrant) string {
	tok := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[tok] = g
	return tok
}

func (s *grantStore) lookupAccess(tok string) (*accessGrant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[tok]
	if !ok || time.Now().After(g.expires) {
		return nil, false
	}
	return g, true
}

func (s *grantStore) putRefresh(sess *session) string {
	tok := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh[tok] = sess
	return tok
}

// takeRefresh redeems a refresh token; rotation means it never works twice.
func (s *grantStore) takeRefresh(tok string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.refresh[tok]
	delete(s.refresh, tok)
	return sess, ok
}

// sweep drops expired codes and access tokens, at most once a minute, so a long load
// test does not grow memory without bound. Callers hold s.mu.
func (s *grantStore) sweep(now time.Time) {
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for k, g := range s.codes {
		if now.After(g.expires) {
			delete(s.codes, k)
		}
	}
	for k, g := range s.access {
		if now.After(g.expires) {
			delete(s.access, k)
		}
	}
}
