package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	client := flag.String("client", "bench", "client_id of the one registered client")
	secret := flag.String("secret", "bench-secret", "its client_secret")
	bearer := flag.String("bearer", "", "also print an RFC 9068 access token (1 h) for this user, on a second line")
	flag.Parse()
	if err := run(*addr, *client, *secret, *bearer); err != nil {
		fmt.Fprintln(os.Stderr, "provider:", err)
		os.Exit(1)
	}
}

func run(addr, client, secret, bearerUser string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %s: only loopback addresses, this provider signs in anyone", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	p, err := devprovider.New(devprovider.Config{
		Issuer:         "http://" + ln.Addr().String(),
		Users:          devprovider.DemoUsers(),
		Clients:        []devprovider.Client{{ID: client, Secret: secret}},
		TrustLoginHint: true,
		AnyUser:        true,
	})
	if err != nil {
		ln.Close()
		return err
	}
	var tokenConns tokenConnCounter
	srv := &http.Server{Handler: tokenConns.wrap(p), ConnContext: tokenConns.connContext, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
	defer srv.Close()
	fmt.Println(p.MetadataURL())
	if bearerUser != "" {
		tok, err := p.MintToken(devprovider.Mint{User: bearerUser})
		if err != nil {
			return err
		}
		fmt.Println(tok)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	c := p.Counts()
	fmt.Fprintf(os.Stderr, "provider requests: discovery=%d jwks=%d authorize=%d token=%d (over %d connections) userinfo=%d\n",
		c.Discovery, c.JWKS, c.Authorize, c.Token, tokenConns.n.Load(), c.Userinfo)
	return nil
}

// tokenConnCounter counts the connections that carried token requests:
// those of the site (the browsers' connections carry /authorize), showing
// whether it reuses its connections or opens one per sign-in.
type tokenConnCounter struct{ n atomic.Int64 }

type connKey struct{}

func (c *tokenConnCounter) connContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, new(atomic.Bool))
}

func (c *tokenConnCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen, ok := r.Context().Value(connKey{}).(*atomic.Bool); ok && strings.HasSuffix(r.URL.Path, "/token") && !seen.Swap(true) {
			c.n.Add(1)
		}
		next.ServeHTTP(w, r)
	})
}
