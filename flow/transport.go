package flow

import "net/http"

// maxProviderConns bounds the connections to one host of a provider, and
// as many are kept open between requests. The default transport keeps 2
// idle and opens as many as there are requests: under a burst of sign-ins
// nearly every token request then opened (and later closed) a connection of
// its own, each with two goroutines and its buffers while it lived, which is
// what held Caddy's memory up after thousands of simultaneous sign-ins.
// Requests beyond the bound wait for a connection, within their timeout.
const maxProviderConns = 64

// newProviderTransport is the default transport (proxy from the
// environment, dial and TLS timeouts, HTTP/2) with connections to each
// provider host bounded and reused.
func newProviderTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxConnsPerHost = maxProviderConns
	t.MaxIdleConnsPerHost = maxProviderConns
	t.MaxIdleConns = 0 // no limit over all hosts: a provider has only a few
	return t
}
