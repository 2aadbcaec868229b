// Command demo signs you in to a small site through a real OpenID Connect
// sign-in, with nothing to install or register:
//
//	go run ./examples/demo
//
// then open http://localhost:8501 and sign in as one of the demo users it
// prints. It runs, on localhost only and in one process, the project's
// development provider (127.0.0.1:5556) and Caddy with oidc_auth in front
// of examples/site. Ctrl-C stops both. Everything is for development only:
// the provider keeps its users and sessions in memory and the secrets are
// made afresh on each run.
//
// It uses what a user of the module has: the module, the development
// provider and Caddy; never internal/.
package main
