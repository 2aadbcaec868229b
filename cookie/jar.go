package cookie

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"time"
)

var (
	// ErrNoSession: the request carries no session cookie at all.
	ErrNoSession = errors.New("cookie: no session")
	// ErrTooLarge: the session would take more cookie space than the jar's
	// budget allows; drop something (the ID token, claims) and try again.
	ErrTooLarge = errors.New("cookie: session too large for cookies")
	// ErrUnknownClient: the session names a provider the jar has no client
	// for, so it cannot be bound to an issuer and client_id.
	ErrUnknownClient = errors.New("cookie: session names a provider this site does not have")
)

// Defaults of JarConfig.
const (
	DefaultName   = "oidc_auth"
	DefaultMaxAge = 30 * 24 * time.Hour // as Streamlit's cookie
	// DefaultMaxSessionBytes is about four full cookies: enough for 10 kB
	// of claims (an Entra ID token listing many groups) once sealed and
	// base64-encoded, and within what Caddy and Go accept in request
	// headers (1 MiB). Proxies in front may allow less (nginx: 8 KiB a line
	// by default).
	DefaultMaxSessionBytes = 16 << 10
	DefaultCacheSize       = 4096
)

// JarConfig configures a Jar. Codec and Clients are required.
type JarConfig struct {
	Codec *Codec
	// Scope is where the cookies are valid: the origin of the site's
	// redirect_uri, or its cookie domain. Every value is sealed for it, so a
	// cookie from another site never opens here, even with the same secret.
	Scope string
	// Clients are the providers a session may name, each with the issuer
	// and client_id it was issued for. A session is bound to its provider's
	// pair: one that names a provider not listed here, or one listed with
	// another issuer or client_id, reads as signed out.
	Clients map[string]Client
	Name    string // base cookie name, default "oidc_auth"
	Secure  bool   // add Secure
	// Domain, when set, is every cookie's Domain attribute (cookie_domain):
	// the browser sends them to every host under it, and expiring them
	// carries it too, or the browser would keep them. Empty: host-only.
	Domain    string
	MaxAge    time.Duration // default session lifetime, 30 days
	CacheSize int           // opened-session cache entries; 0 → DefaultCacheSize (4096), <0 → no cache
	// IdleTimeout, when set, also ends a session that long after its
	// Renewed time (sliding expiration): in the seal, in Max-Age and when
	// read. Never past Expires. 0: sessions end at Expires only.
	IdleTimeout time.Duration
	// MaxSessionBytes is the most Cookie-header bytes a session may take,
	// as SessionSize counts them; 0 → DefaultMaxSessionBytes.
	MaxSessionBytes int
	// SignOutPath, when set, is the path of the sign-out route: a session's
	// ID token then goes into a cookie of its own with that Path, sent only
	// there (ReadIDTokenHint reads it), instead of inside the identity
	// cookie that goes with every request. Empty: the session keeps it.
	SignOutPath string
}

// Client is what a session is issued for at one provider.
type Client struct{ Issuer, ClientID string }

// bindingSize is the length of the tag a session carries for its client.
const bindingSize = 16

// binding is the tag of a client: a hash of its issuer and client_id.
func (c Client) binding() [bindingSize]byte {
	h := sha256.Sum256([]byte("oidc_auth session binding\x00" + c.Issuer + "\x00" + c.ClientID))
	return [bindingSize]byte(h[:bindingSize])
}

// boundClient is a client with its tag, found with one lookup when a
// session opens: the tag to check, the client for the claims' context.
type boundClient struct {
	name string // the provider's
	Client
	tag [bindingSize]byte
}

// client returns the client of the provider called name. A site has a
// handful of providers: comparing their names is faster than hashing one.
func (j *Jar) client(name string) (*boundClient, bool) {
	for i := range j.clients {
		if j.clients[i].name == name {
			return &j.clients[i], true
		}
	}
	return nil, false
}

// Jar reads and writes this module's cookies: the identity session, split
// across as many cookies as it needs, and one login-state cookie per sign-in
// attempt. Every cookie is HttpOnly, Path=/ and SameSite=Lax (the callback
// arrives as a cross-site navigation, which Strict would strip), and Secure
// when so configured. A Jar is safe for concurrent use.
type Jar struct {
	codec           *Codec
	name            string
	secure          bool
	domain          string
	domainPlain     bool // domain is "" or one net/http writes as it is (setCookie)
	maxAge          time.Duration
	idle            time.Duration // 0: no idle timeout
	maxSessionBytes int
	scope           string
	sessionSealer   *sealer
	clients         []boundClient // found by provider name with client
	cache           *sessionCache // nil when disabled
	opened          spreadCounter // decryptions, for Opened
	signOutPath     string        // "": the ID token stays in the session
	hintName        string
	hintApart       string // hintName when it does not contain name (stripLast), else ""
	hintSealer      *sealer
}

// NewJar returns a Jar for cfg, with defaults filled in. A nil Codec or a
// Name that is not a valid cookie name is a programming error and panics.
func NewJar(cfg JarConfig) *Jar {
	if cfg.Codec == nil {
		panic("cookie: JarConfig.Codec is nil")
	}
	if len(cfg.Clients) == 0 {
		panic("cookie: JarConfig.Clients is empty: sessions must be bound to a provider's issuer and client_id")
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if err := (&http.Cookie{Name: cfg.Name, Value: "x"}).Valid(); err != nil {
		panic("cookie: JarConfig.Name " + cfg.Name + " is not a valid cookie name")
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.MaxSessionBytes <= 0 {
		cfg.MaxSessionBytes = DefaultMaxSessionBytes
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	j := &Jar{
		codec:           cfg.Codec,
		name:            cfg.Name,
		secure:          cfg.Secure,
		domain:          cfg.Domain,
		maxAge:          cfg.MaxAge,
		idle:            max(cfg.IdleTimeout, 0),
		maxSessionBytes: cfg.MaxSessionBytes,
		scope:           cfg.Scope,
		// The name and the scope are part of the purposes: two jars of
		// different names or sites never accept each other's sessions.
		sessionSealer: cfg.Codec.purpose("session:" + cfg.Name + "\x00" + cfg.Scope),
		hintSealer:    cfg.Codec.purpose("hint:" + cfg.Name + "\x00" + cfg.Scope),
		clients:       make([]boundClient, 0, len(cfg.Clients)),
		signOutPath:   cfg.SignOutPath,
		hintName:      hintName(cfg.Name),
	}
	// net/http drops a Domain it finds invalid; setCookie then leaves it the job.
	j.domainPlain = (&http.Cookie{Name: "x", Value: "x", Domain: cfg.Domain}).Valid() == nil
	if !strings.Contains(j.hintName, j.name) {
		j.hintApart = j.hintName // a __Host- session's hint is a __Secure- cookie
	}
	if cfg.SignOutPath != "" && !strings.HasPrefix(cfg.SignOutPath, "/") {
		panic("cookie: JarConfig.SignOutPath " + cfg.SignOutPath + " is not an absolute path")
	}
	for name, c := range cfg.Clients {
		j.clients = append(j.clients, boundClient{name: name, Client: c, tag: c.binding()})
	}
	if cfg.CacheSize > 0 {
		j.cache = newSessionCache(cfg.CacheSize)
	}
	return j
}

// Name is the base name of the session cookie.
func (j *Jar) Name() string { return j.name }

// MaxSessionBytes is the budget WriteSession enforces, in SessionSize's unit.
func (j *Jar) MaxSessionBytes() int { return j.maxSessionBytes }

// cookie builds one of our cookies with the attributes every one of them
// carries. maxAge < 0 expires the cookie at once.
func (j *Jar) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		Domain:   j.domain,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   j.secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// expire tells the browser to drop the cookie called name.
func (j *Jar) expire(w http.ResponseWriter, name string) {
	j.setCookie(w, j.cookie(name, "", -1))
}

// ours tells whether a cookie name belongs to this jar: the session, its
// pieces, the sign-out hint, or a login state.
func (j *Jar) ours(name string) bool {
	if name == j.name {
		return true
	}
	if _, ok := pieceIndex(name, j.name); ok {
		return true
	}
	if j.isHint(name) {
		return true
	}
	return strings.HasPrefix(name, j.name) && strings.HasPrefix(name[len(j.name):], loginInfix)
}

// StripCookies removes every cookie of this jar (session pieces, login
// states) from r's Cookie header, so upstreams never see them, and keeps the
// other cookies byte for byte. A header left empty is removed.
func (j *Jar) StripCookies(r *http.Request) {
	headers := r.Header["Cookie"]
	if len(headers) == 1 {
		// The usual case: rewrite the one line in place, most often
		// with the session as its last cookie (stripLast).
		stripped, removed := j.stripLast(headers[0])
		if !removed {
			stripped, removed = stripCookies(headers[0], j.ours)
		}
		if removed {
			if trimOWS(stripped) == "" {
				delete(r.Header, "Cookie") // the key is canonical: Del would canonicalize it again
			} else {
				headers[0] = stripped
			}
		}
		return
	}
	changed := false
	kept := headers[:0:0]
	for i, h := range headers {
		stripped, removed := stripCookies(h, j.ours)
		if removed && !changed {
			changed = true
			kept = append(make([]string, 0, len(headers)), headers[:i]...)
		}
		if changed && trimOWS(stripped) != "" {
			kept = append(kept, stripped)
		}
	}
	if !changed {
		return
	}
	if len(kept) == 0 {
		delete(r.Header, "Cookie")
		return
	}
	r.Header["Cookie"] = kept
}

// stripLast is stripCookies for the line a browser most often sends: the
// site's cookies, then the session, which it has sent in the same place
// since sign-in (a browser keeps the order in which cookies were first
// set). When the last cookie is ours and the line holds no other name of
// ours, it returns the line without it; otherwise removed is false and the
// whole line must be parsed. Every name of ours contains the jar's name,
// or else the hint's (hintName), so searching for them tells: the first
// place the name is found must be the last cookie's name.
func (j *Jar) stripLast(h string) (stripped string, removed bool) {
	i := strings.Index(h, j.name)
	if i < 0 || strings.IndexByte(h[i:], ';') >= 0 {
		return "", false
	}
	if j.hintApart != "" && strings.Contains(h[:i], j.hintApart) {
		return "", false
	}
	start := strings.LastIndexByte(h[:i], ';') + 1
	if name, _, _ := strings.Cut(h[start:], "="); !j.ours(trimOWS(name)) {
		return "", false
	}
	if start == 0 {
		return "", true
	}
	return strings.TrimLeft(h[:start-1], " \t;"), true
}

// End is when s stops opening: its Expires, or its idle deadline (Renewed
// plus the jar's IdleTimeout) when that comes first.
func (j *Jar) End(s *Session) time.Time {
	if j.idle > 0 {
		if idleEnd := s.Renewed.Add(j.idle); idleEnd.Before(s.Expires) {
			return idleEnd
		}
	}
	return s.Expires
}

// expired is the one expiry rule: at or past the second of expires.
func expired(now, expires time.Time) bool { return now.Unix() >= expires.Unix() }
