package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	// browserLifetime bounds a whole browser session of one test, start to end.
	browserLifetime = 3 * time.Minute
	// browserStartTimeout bounds Chromium's start; a cold start on a busy CI
	// machine takes a few seconds.
	browserStartTimeout = 60 * time.Second
	// stepTimeout bounds one runSteps call: a page load, a form submit and the
	// redirects after it.
	stepTimeout = 30 * time.Second
)

// newBrowser starts a headless Chromium with a fresh profile for the test and
// returns the context of its tab, for chromedp.Run and runSteps. The browser
// stops when the test ends. It skips the test when there is no Chromium (fails
// under OIDCAUTH_E2E=1).
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	return newBrowserWith(t)
}

// newBrowserWith is newBrowser with more Chromium options (flags such as
// host-resolver-rules).
func newBrowserWith(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	exe := chromiumBinary(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 900),
		// Keep Chromium from calling home: the tests may only reach 127.0.0.1.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
	)
	opts = append(opts, extra...)
	life, stopLife := context.WithTimeout(context.Background(), browserLifetime)
	alloc, stopAlloc := chromedp.NewExecAllocator(life, opts...)
	tab, stopTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		stopTab()
		stopAlloc()
		stopLife()
	})

	if err := openTab(tab); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	return tab
}

// newTab opens another tab in the browser of tab, as a person pressing
// Ctrl+T would: it shares the browser's cookies. The tab closes when the test
// ends.
func newTab(t testing.TB, tab context.Context) context.Context {
	t.Helper()
	tab2, closeTab2 := chromedp.NewContext(tab)
	t.Cleanup(closeTab2)
	if err := openTab(tab2); err != nil {
		t.Fatalf("opening a second tab: %v", err)
	}
	return tab2
}

// openTab makes the browser (for a browser's first context) and the tab of
// ctx exist. The first Run on a context ties the tab to the context it is
// given, so it must get ctx itself, not a context with a timeout that ends
// after the step; the start is bounded by a watchdog instead.
func openTab(ctx context.Context) error {
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		return err
	case <-time.After(browserStartTimeout):
		return fmt.Errorf("no tab within %v", browserStartTimeout)
	}
}

// runSteps runs chromedp actions in the tab within stepTimeout. On failure it
// saves a screenshot of the page and fails the test, naming what it was doing.
func runSteps(t testing.TB, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		shot := saveScreenshot(t, tab, "failed-"+what)
		t.Fatalf("%s: %v (screenshot: %s)", what, err, shot)
	}
}

// runValue runs one chromedp action that returns a value, within stepTimeout,
// like runSteps.
func runValue[T any](t testing.TB, tab context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		shot := saveScreenshot(t, tab, "failed-"+what)
		t.Fatalf("%s: %v (screenshot: %s)", what, err, shot)
	}
	return v
}

// saveScreenshot writes a PNG of the whole page to the artifacts directory as
// <test>-<name>.png and returns its path. A screenshot that cannot be taken is
// logged, not fatal: it is evidence, not the check.
func saveScreenshot(t testing.TB, tab context.Context, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %q: %v", name, err)
		return ""
	}
	path, err := writeArtifact(t.Name()+"-"+name+".png", png)
	if err != nil {
		t.Logf("screenshot %q: %v", name, err)
		return ""
	}
	t.Logf("screenshot: %s", path)
	return path
}

// artifactsDir is where the tests leave files for people to look at:
// $OIDCAUTH_ARTIFACTS, or e2e/artifacts/ (gitignored).
func artifactsDir() string {
	if d := os.Getenv("OIDCAUTH_ARTIFACTS"); d != "" {
		return d
	}
	return "artifacts" // go test runs in the package directory
}

// unsafeFileChars are the characters replaced in artifact names, so that
// subtest names ("Test/case 1") make plain file names.
var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// writeArtifact writes data to the artifacts directory under a cleaned-up name.
func writeArtifact(name string, data []byte) (string, error) {
	dir := artifactsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("artifacts directory: %w", err)
	}
	path := filepath.Join(dir, unsafeFileChars.ReplaceAllString(name, "_"))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

func TestWriteArtifactUsesOIDCAUTH_ARTIFACTSAndPlainNames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	t.Setenv("OIDCAUTH_ARTIFACTS", dir)
	path, err := writeArtifact("TestX/sub case-login.png", []byte("png"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "TestX_sub_case-login.png"); path != want {
		t.Fatalf("path = %q, want %q", path, want)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "png" {
		t.Fatalf("read back %q, %v", b, err)
	}
}
