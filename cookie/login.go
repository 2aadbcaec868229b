package cookie

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
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
	// LoginHint is the login_hint the sign-in was started with, for the
	// retry without the default prompt.
	LoginHint string

	DefaultPrompt bool // the default prompt was sent, so a refusal of it may be retried once without it
	Retried       bool // this attempt is that retry
}

// loginFormat is the first byte of an encoded LoginState. Format 2 added
// LoginHint at the end; format 1 (sign-ins started before an upgrade) still
// opens, without it.
const (
	loginFormat       = 2
	loginFormatNoHint = 1
)

const (
	flagDefaultPrompt = 1 << iota
	flagRetried
)

func encodeLoginState(ls *LoginState) []byte {
	w := writer{b: make([]byte, 0, 2+5*10+len(ls.State)+len(ls.Provider)+len(ls.Nonce)+len(ls.Verifier)+len(ls.ReturnTo)+len(ls.LoginHint))}
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
	w.str(ls.LoginHint)
	return w.b
}

func decodeLoginState(b []byte) (*LoginState, error) {
	if len(b) == 0 || (b[0] != loginFormat && b[0] != loginFormatNoHint) {
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
	if b[0] == loginFormat {
		ls.LoginHint = r.str()
	}
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

// Abandoned sign-ins must not pile up: a browser that starts sign-in after
// sign-in and never finishes one would otherwise send ever more login-state
// cookies, until the Cookie header passes what servers accept (Caddy: 16 KiB)
// and every request, sign-in included, is refused. So a browser holds at
// most maxPendingLogins login states, the newest ones (two tabs signing in at
// once both still work), and each stays within maxLoginCookieLine: all of
// them together stay under 8 KB.
const (
	maxPendingLogins   = 3
	maxLoginCookieLine = 2560
)

// loginName is the cookie name for one sign-in attempt: the jar's name, the
// login infix, when the attempt started (milliseconds, base 36, so the
// oldest can be told) and a hash of the state. Two tabs signing in at once
// keep separate cookies; hashing keeps it a short, valid cookie name
// whatever the state holds.
func (j *Jar) loginName(state string, started time.Time) string {
	return j.name + loginInfix + strconv.FormatInt(started.UnixMilli(), 36) + "-" + loginHash(state)
}

func loginHash(state string) string {
	h := sha256.Sum256([]byte("oidc_auth login-state name\x00" + state))
	return b64.EncodeToString(h[:12])
}

// loginStarted reads the start time out of one of our login-state cookie
// names; ok is false for a name of another shape (then it counts as oldest).
func (j *Jar) loginStarted(name string) (started int64, ok bool) {
	rest, found := strings.CutPrefix(name, j.name+loginInfix)
	if !found {
		return 0, false
	}
	stamp, _, found := strings.Cut(rest, "-")
	if !found {
		return 0, false
	}
	ms, err := strconv.ParseInt(stamp, 36, 64)
	return ms, err == nil
}

// loginCookies lists the names of the login-state cookies r carries.
func (j *Jar) loginCookies(r *http.Request) []string {
	if r == nil {
		return nil
	}
	var names []string
	prefix := j.name + loginInfix
	for _, h := range r.Header["Cookie"] {
		for h != "" {
			var name string
			name, _, h = nextCookie(h)
			if strings.HasPrefix(name, prefix) && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// loginPurpose binds the sealed value to this jar, its site and this state:
// a value for state A never opens as state B, nor as a session, nor on
// another site.
func (j *Jar) loginPurpose(state string) string {
	return "login:" + j.name + "\x00" + j.scope + ":" + state
}

// WriteLoginState sets the cookie for one sign-in attempt, expiring after
// ttl (DefaultLoginTTL when ttl ≤ 0) both in the browser and inside the seal.
// Should the cookie outgrow maxLoginCookieLine (a very long ReturnTo),
// ReturnTo becomes "/" so the sign-in still works and lands on the site
// root. The oldest login states r carries beyond the newest few are expired
// (r may be nil).
func (j *Jar) WriteLoginState(w http.ResponseWriter, r *http.Request, ls *LoginState, ttl time.Duration) {
	if ttl <= 0 {
		ttl = DefaultLoginTTL
	}
	now := time.Now()
	expires := now.Add(ttl)
	maxAge := max(int(ttl/time.Second), 1)
	name, purpose := j.loginName(ls.State, now), j.loginPurpose(ls.State)
	c := j.cookie(name, j.codec.Seal(purpose, encodeLoginState(ls), expires), maxAge)
	if setCookieLineLen(c) > maxLoginCookieLine && ls.ReturnTo != "/" {
		short := *ls
		short.ReturnTo = "/"
		c.Value = j.codec.Seal(purpose, encodeLoginState(&short), expires)
	}
	j.expireOldLogins(w, r)
	j.setCookie(w, c)
}

// expireOldLogins expires all but the newest maxPendingLogins-1 login
// states r carries, making room for one more.
func (j *Jar) expireOldLogins(w http.ResponseWriter, r *http.Request) {
	names := j.loginCookies(r)
	if len(names) < maxPendingLogins {
		return
	}
	started := func(name string) int64 {
		ms, _ := j.loginStarted(name)
		return ms
	}
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(started(a), started(b)) })
	for _, name := range names[:len(names)-(maxPendingLogins-1)] {
		j.expire(w, name)
	}
}

// loginCookieFor finds the name of r's login-state cookie for state.
func (j *Jar) loginCookieFor(r *http.Request, state string) (string, bool) {
	suffix := "-" + loginHash(state)
	for _, name := range j.loginCookies(r) {
		if strings.HasSuffix(name, suffix) {
			return name, true
		}
	}
	return "", false
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
	name, ok := j.loginCookieFor(r, state)
	if !ok {
		return nil, ErrNoLoginState
	}
	value, ok := cookieValue(r, name)
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

// ClearLoginState expires r's cookie of one sign-in attempt, so that its
// callback cannot be replayed from this browser.
func (j *Jar) ClearLoginState(w http.ResponseWriter, r *http.Request, state string) {
	if name, ok := j.loginCookieFor(r, state); ok {
		j.expire(w, name)
	}
}
