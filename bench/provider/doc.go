// Command provider runs the project's development OpenID provider for the
// load test (bench/run.sh): on 127.0.0.1 only, one client, and sign-in by
// login_hint with no form, so scripts can sign in as anyone.
//
//	go run ./bench/provider -addr 127.0.0.1:5556 -client bench -secret bench-secret
//
// It prints the server_metadata_url (and with -bearer USER, on a second line,
// an access token for USER that API clients would send as a bearer token),
// then serves until interrupted, and
// prints how many requests reached each endpoint when it stops (showing that
// discovery and keys were fetched once however many sign-ins there were), and
// over how many connections the token requests came (whether the site reused
// its connections or opened one per sign-in).
//
// It uses the development provider only, never Caddy or the module's other
// packages.
package main
