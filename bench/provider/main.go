package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

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
	p, err := devprovider.New(devprovider.Config{
		Addr:           addr,
		Users:          devprovider.DemoUsers(),
		Clients:        []devprovider.Client{{ID: client, Secret: secret}},
		TrustLoginHint: true,
		AnyUser:        true,
	})
	if err != nil {
		return err
	}
	if _, err := p.Start(); err != nil {
		return err
	}
	fmt.Println(p.MetadataURL())
	if bearerUser != "" {
		tok, err := p.MintToken(devprovider.Mint{User: bearerUser})
		if err != nil {
			_ = p.Close()
			return err
		}
		fmt.Println(tok)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	c := p.Counts()
	fmt.Fprintf(os.Stderr, "provider requests: discovery=%d jwks=%d authorize=%d token=%d userinfo=%d\n",
		c.Discovery, c.JWKS, c.Authorize, c.Token, c.Userinfo)
	return p.Close()
}
