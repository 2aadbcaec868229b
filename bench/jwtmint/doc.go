// Command jwtmint prints Cookie headers carrying HS512-signed JWTs, one a
// line, each for a distinct user, the way a caddy-security portal would
// issue them with a shared key. bench/run.sh sends them to a caddy-security
// site (authorize with a policy that has "crypto key verify KEY"):
//
//	go run ./bench/jwtmint -key "$shared_key" -n 100000 >cookies.txt
//
// The tokens carry the claims such a portal puts in its access tokens
// (roles authp/user, so that "allow roles authp/user" admits them).
//
// It imports nothing of this module and nothing of Caddy: it writes what
// another project's portal would.
package main
