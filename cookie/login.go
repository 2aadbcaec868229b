package cookie

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"time"
)

// ErrNoLoginState: the request carries no login-state cookie for this state
// (never started here, already used, or expired and dropped by the browser).
var ErrNoLoginState = errors.New("cookie: no login state for this sign-in")

// DefaultLoginTTL is how long a sign-in may take when WriteLoginState is
// given no ttl.
const DefaultLoginTTL = 10 * time.Minute

// loginInfix follows the jar's name in every login-state cookie name.
const loginInfix = "_login_"

// LoginState is what the callback needs to finish one sign-in attempt.
type LoginState struct {
	State    string // the state parameter; it also names and seals the cookie
	Provider string // the provider's name
	Nonce    string // the nonce the ID token must carry
	Verifier string // the PKCE code verifier
	ReturnTo string // where to land after sign-in

	DefaultPrompt bool // the default prompt was sent, so a refusal of it may be retried once without it
	Retried       bool // this attempt is that retry
}

// loginFormat is the first byte of an encoded LoginState.
const loginFormat = 1

const (
	flagDefaultPrompt = 1 << iota
	flagRetried
)

func encodeLoginState(ls *LoginState) []byte {
	w := writer{b: make([]byte, 0, 2+5*10+len(ls.State)+len(ls.Provider)+len(ls.Nonce)+len(ls.Verifier)+len(ls.ReturnTo))}
	w.byte(loginFormat)
	w.str(ls.State)
	w.str(ls.Provider)
	w.str(ls.Nonce)
	w.str(ls.Verifier)
	w.str(ls.ReturnTo)
	var flags byte
	if ls.DefaultPrompt {
		flags |= flagDefaultPrompt
	}
	if ls.Retried {
		flags |= flagRetried
	}
	w.byte(flags)
	return w.b
}

func decodeLoginState(b []byte) (*LoginState, error) {
	if len(b) == 0 || b[0] != loginFormat {
		return nil, errMalformed
	}
	r := newReader(b)
	r.off = 1
	ls := &LoginState{
		State:    r.str(),
		Provider: r.str(),
		Nonce:    r.str(),
		Verifier: r.str(),
		ReturnTo: r.str(),
	}
	flags := r.byte()
	if err := r.done(); err != nil {
		return nil, err
	}
	if flags&^(flagDefaultPrompt|flagRetried) != 0 {
		return nil, errMalformed
	}
	ls.DefaultPrompt = flags&flagDefaultPrompt != 0
	ls.Retried = flags&flagRetried != 0
	return ls, nil
}

// loginName is the cookie name for one sign-in attempt. It is derived from
// the state, so two tabs signing in at once keep separate cookies; hashing
// keeps it a short, valid cookie name whatever the state holds.
func (j *Jar) loginName(state string) string {
	h := sha256.Sum256([]byte("oidc_auth login-state name\x00" + state))
	return j.name + loginInfix + b64.EncodeToString(h[:12])
}

// loginPurpose binds the sealed value to this jar and this state: a value
// for state A never opens as state B, nor as a session.
func (j *Jar) loginPurpose(state string) string {
	return "login:" + j.name + ":" + state
}

// WriteLoginState sets the cookie for one sign-in attempt, expiring after
// ttl (DefaultLoginTTL when ttl ≤ 0) both in the browser and inside the seal.
// Should the cookie outgrow 4096 bytes (a very long ReturnTo), ReturnTo
// becomes "/" so the sign-in still works and lands on the site root.
func (j *Jar) WriteLoginState(w http.ResponseWriter, ls *LoginState, ttl time.Duration) {
	if ttl <= 0 {
		ttl = DefaultLoginTTL
	}
	expires := time.Now().Add(ttl)
	maxAge := max(int(ttl/time.Second), 1)
	name, purpose := j.loginName(ls.State), j.loginPurpose(ls.State)
	c := j.cookie(name, j.codec.Seal(purpose, encodeLoginState(ls), expires), maxAge)
	if setCookieLineLen(c) > maxSetCookieLine && ls.ReturnTo != "/" {
		short := *ls
		short.ReturnTo = "/"
		c.Value = j.codec.Seal(purpose, encodeLoginState(&short), expires)
	}
	http.SetCookie(w, c)
}

// setCookieLineLen is the length of the whole Set-Cookie header line for c.
func setCookieLineLen(c *http.Cookie) int {
	return setCookiePrefix + len(c.String())
}

// ReadLoginState returns the login state r carries for state: ErrNoLoginState
// when there is no cookie for it, ErrInvalid or ErrExpired when it does not
// open. The state inside must equal state.
func (j *Jar) ReadLoginState(r *http.Request, state string, now time.Time) (*LoginState, error) {
	if state == "" {
		return nil, ErrNoLoginState
	}
	value, ok := cookieValue(r, j.loginName(state))
	if !ok || value == "" {
		return nil, ErrNoLoginState
	}
	payload, err := j.codec.Open(j.loginPurpose(state), value, now)
	if err != nil {
		return nil, err
	}
	ls, err := decodeLoginState(payload)
	if err != nil || ls.State != state {
		return nil, ErrInvalid
	}
	return ls, nil
}

// ClearLoginState expires the cookie of one sign-in attempt, so that its
// callback cannot be replayed from this browser.
func (j *Jar) ClearLoginState(w http.ResponseWriter, state string) {
	j.expire(w, j.loginName(state))
}
