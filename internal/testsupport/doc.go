// Package testsupport is the shared support of oidc_auth's tests, written
// once for the root package's tests, sitetests/, e2e/ and examples/demo:
//
//   - free loopback ports (ports.go);
//   - the development provider with the test client (provider.go);
//   - real Caddy in the test process: its global options with a storage
//     folder of the test's own, loading, starting and reloading a Caddyfile
//     (caddy.go);
//   - a cookie-jar HTTP client that signs in like a browser (browser.go);
//   - the names of oidc_auth's cookies (cookienames.go), and identity
//     sessions sealed with the cookie package, as an attacker who knows a
//     cookie_secret would (sessions.go);
//   - the module's route paths and timings that tests depend on, mirrored
//     as constants (module.go).
//
// It is for tests only: no code outside a _test.go file may import it.
package testsupport
