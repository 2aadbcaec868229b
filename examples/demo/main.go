package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(2)
	}
	cfg.Out = os.Stdout

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C a second one kills at once, should a
		// clean stop ever hang.
		<-ctx.Done()
		stop()
	}()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into a config, finding the example
// site when -site is not given.
func parseFlags(args []string, errOut io.Writer) (config, error) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(errOut)
	cfg := config{}
	fs.IntVar(&cfg.Port, "port", 8501, "port of the site, http://localhost:PORT")
	fs.IntVar(&cfg.ProviderPort, "provider-port", 5556, "port of the development provider, http://127.0.0.1:PORT")
	fs.StringVar(&cfg.SiteDir, "site", "", "folder of the site to serve (default: the repository's examples/site)")
	fs.BoolVar(&cfg.Verbose, "v", false, "show Caddy's informational logs too")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (flags: -port, -provider-port, -site, -v)", fs.Arg(0))
	}
	if err := cfg.checkPorts(); err != nil {
		return config{}, err
	}
	dir, err := findSiteDir(cfg.SiteDir)
	if err != nil {
		return config{}, err
	}
	cfg.SiteDir = dir
	return cfg, nil
}
