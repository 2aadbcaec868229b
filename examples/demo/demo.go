package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"text/tabwriter"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile" // the "caddyfile" adapter
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/caddy-oidc-auth/oidcauth" // the oidc_auth directive
	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// demoClientID is the site's client at the development provider.
const demoClientID = "oidc-auth-demo"

// config is what one run of the demo serves.
type config struct {
	Port         int    // the site, http://localhost:Port
	ProviderPort int    // the provider, http://127.0.0.1:ProviderPort
	SiteDir      string // absolute folder served by file_server
	Verbose      bool   // keep Caddy's info logs
	Out          io.Writer

	// ready, when set, is called once both servers answer (tests wait on it).
	ready func()
}

func (c config) checkPorts() error {
	for _, p := range []struct {
		flag string
		port int
	}{{"-port", c.Port}, {"-provider-port", c.ProviderPort}} {
		if p.port < 1 || p.port > 65535 {
			return fmt.Errorf("%s %d is not a TCP port (1-65535)", p.flag, p.port)
		}
	}
	if c.Port == c.ProviderPort {
		return fmt.Errorf("-port and -provider-port are both %d; the site and the provider need a port each", c.Port)
	}
	return nil
}

// siteURL is the address users open; the provider sends them back to it.
func (c config) siteURL() string { return fmt.Sprintf("http://localhost:%d", c.Port) }

// run starts the development provider and Caddy, prints how to sign in,
// and serves until ctx is cancelled; then it stops both. Only one run may
// be active at a time, because Caddy's running config is process-wide.
func run(ctx context.Context, cfg config) error {
	if err := cfg.checkPorts(); err != nil {
		return err
	}
	dir, err := checkSiteDir(cfg.SiteDir)
	if err != nil {
		return err
	}
	cfg.SiteDir = dir
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	// Fresh secrets each run: sessions need not outlive the demo, and no
	// secret ends up in a file or on screen.
	clientSecret, cookieSecret := randomSecret(), randomSecret()

	provider, err := devprovider.New(devprovider.Config{
		Addr:  fmt.Sprintf("127.0.0.1:%d", cfg.ProviderPort),
		Users: devprovider.DemoUsers(),
		Clients: []devprovider.Client{{
			ID:           demoClientID,
			Secret:       clientSecret,
			RedirectURIs: []string{cfg.siteURL() + "/oauth2callback"},
		}},
	})
	if err != nil {
		return err
	}
	if err := checkPortFree(cfg.Port); err != nil {
		return err
	}
	issuer, err := provider.Start()
	if err != nil {
		return fmt.Errorf("%w (is another demo running? pick another port with -provider-port)", err)
	}

	caddyfile := siteCaddyfile(cfg, siteSecrets{
		ClientID:     demoClientID,
		ClientSecret: clientSecret,
		CookieSecret: cookieSecret,
		MetadataURL:  provider.MetadataURL(),
	})
	if err := loadCaddyfile(caddyfile, cfg.Out); err != nil {
		_ = provider.Close()
		return fmt.Errorf("starting Caddy: %w", err)
	}

	printBanner(cfg, issuer)
	if cfg.ready != nil {
		cfg.ready()
	}
	<-ctx.Done()
	fmt.Fprintln(cfg.Out, "\nStopping the site and the provider...")
	return errors.Join(caddy.Stop(), provider.Close())
}

// checkPortFree fails when something already listens on 127.0.0.1:port.
// Caddy itself would not: it shares ports (SO_REUSEPORT) so that config
// reloads are seamless, and a second demo would then silently split the
// requests with the first one.
func checkPortFree(port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("the site's port: %w (is another demo running? pick another port with -port)", err)
	}
	return l.Close()
}

// loadCaddyfile adapts the Caddyfile text and runs it in this process.
func loadCaddyfile(text string, out io.Writer) error {
	cfgJSON, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(text), nil)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(out, "Caddyfile warning:", w.String())
	}
	return caddy.Load(cfgJSON, true)
}

// printBanner tells the user where to go and whom to sign in as.
func printBanner(cfg config, issuer string) {
	out := cfg.Out
	fmt.Fprintf(out, "\noidc_auth demo (development only)\n\n")
	fmt.Fprintf(out, "  Open      %s/\n", cfg.siteURL())
	fmt.Fprintf(out, "  Provider  %s (development provider, users kept in memory)\n", issuer)
	fmt.Fprintf(out, "  Site      %s\n\n", cfg.SiteDir)
	fmt.Fprintf(out, "  Demo users (also listed on the sign-in page):\n")
	tw := tabwriter.NewWriter(out, 0, 0, 3, ' ', 0)
	for _, u := range devprovider.DemoUsers() {
		name, _ := u.Claims["name"].(string)
		fmt.Fprintf(tw, "    %s\tpassword: %s\t%s\n", u.Username, u.Password, describe(name, u.Claims["groups"]))
	}
	_ = tw.Flush()
	fmt.Fprintf(out, "\nCtrl-C stops both.\n")
}

// describe is a user's name and, when any, groups: "Bob Builder (admins, staff)".
func describe(name string, groups any) string {
	if gs, ok := groups.([]string); ok && len(gs) > 0 {
		return fmt.Sprintf("%s (%s)", name, strings.Join(gs, ", "))
	}
	return name
}

// randomSecret is 32 random bytes in hex.
func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
