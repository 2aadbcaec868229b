// Package devprovider is a small OpenID Connect provider for development, demos and tests.
//
// It signs in the users it is given (or, with TrustLoginHint, anyone named in login_hint),
// issues RS256/ES256-signed ID tokens, and can be told to misbehave on purpose (see Behavior)
// so that relying parties can be tested against broken providers. It is not a production
// provider: passwords are plain, state lives in memory and its sign-in page says so.
//
// It must not import the module's other packages or Caddy: it stands for any
// provider, and a relying party's tests must not share its code.
package devprovider
