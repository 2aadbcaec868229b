// Command mint makes the session cookies the load test (bench/run.sh) sends.
//
// Sign in for real, through the site and the development provider, and
// print the Cookie header the browser would then send to the site:
//
//	go run ./bench/mint -signin http://127.0.0.1:8080/auth/login -user alice
//
// (any start URL works: oauth2-proxy's /oauth2/start too). With -signins,
// sign in that many distinct users (-user is their names' prefix), each a
// new browser, -concurrency at a time, stopping at the callback's answer, and
// print a progress line after every -report sign-ins as it goes:
//
//	go run ./bench/mint -signin http://127.0.0.1:8080/auth/login -user user \
//		-signins 10000 -concurrency 16 -report 2000
//
// Or print n Cookie headers, one a line, each the session of a distinct
// user, sealed with the site's cookie_secret the way oidc_auth seals them,
// taking a real session (from -signin) as the model so that sizes and claims
// are real:
//
//	go run ./bench/mint -from "$cookie" -secret "$cookie_secret" -n 100000
//
// It uses the cookie package only, never Caddy: it writes what a site would.
package main
