package e2e

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// installHint tells a developer how to get what the browser tests need.
const installHint = "run .ci/install-e2e.sh as root to install Dex, Chromium and oidc-provider"

// strictEnv names the variable that, set to "1", turns a missing tool into a
// failure instead of a skip, so that CI cannot go green by skipping every
// browser test.
const strictEnv = "OIDCAUTH_E2E"

// skipper is the part of testing.TB that missingTool needs; its test fakes it.
type skipper interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// missingTool skips the test because a tool is missing, saying how to install
// it; with OIDCAUTH_E2E=1 it fails the test instead.
func missingTool(t skipper, what string, err error) {
	t.Helper()
	msg := fmt.Sprintf("%s not found (%v); %s", what, err, installHint)
	if os.Getenv(strictEnv) == "1" {
		t.Fatalf("%s [%s=1 makes this a failure]", msg, strictEnv)
		return
	}
	t.Skipf("%s [set %s=1 to fail instead of skipping]", msg, strictEnv)
}

// dexBinary returns the dex program to run, or skips (fails under
// OIDCAUTH_E2E=1) when there is none.
func dexBinary(t testing.TB) string {
	t.Helper()
	path, err := findDex()
	if err != nil {
		missingTool(t, "dex", err)
	}
	return path
}

// chromiumBinary returns the Chromium to drive, or skips (fails under
// OIDCAUTH_E2E=1) when there is none.
func chromiumBinary(t testing.TB) string {
	t.Helper()
	path, err := findChromium()
	if err != nil {
		missingTool(t, "chromium", err)
	}
	return path
}

// findDex looks for dex where .ci/install-e2e.sh puts it: $DEX_BIN first, then
// dex on PATH, then $(go env GOPATH)/bin/dex. A DEX_BIN that names no program is
// an error rather than a silent fallback, so a typo cannot test another Dex.
func findDex() (string, error) {
	if p := os.Getenv("DEX_BIN"); p != "" {
		if err := checkExecutable(p); err != nil {
			return "", fmt.Errorf("DEX_BIN: %w", err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("dex"); err == nil {
		return p, nil
	}
	p := filepath.Join(goPath(), "bin", "dex")
	if err := checkExecutable(p); err != nil {
		return "", fmt.Errorf("not in DEX_BIN, PATH or %s: %w", p, err)
	}
	return p, nil
}

// findChromium returns $CHROMIUM, or Debian's /usr/bin/chromium.
func findChromium() (string, error) {
	p := os.Getenv("CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	} else if lp, err := exec.LookPath(p); err == nil {
		p = lp // CHROMIUM may be a bare program name
	}
	if err := checkExecutable(p); err != nil {
		return "", err
	}
	return p, nil
}

// goPath is the first entry of `go env GOPATH`, where `go install` and
// .ci/install-e2e.sh put programs; without a go command it falls back to
// $GOPATH or ~/go.
func goPath() string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "env", "GOPATH").Output()
	gp := strings.TrimSpace(string(out))
	if err != nil || gp == "" {
		gp = build.Default.GOPATH
	}
	if list := filepath.SplitList(gp); len(list) > 0 {
		return list[0]
	}
	return gp
}

// checkExecutable reports why path is not a program that can be run.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return err
	case fi.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case fi.Mode()&0o111 == 0:
		return fmt.Errorf("%s is not executable", path)
	}
	return nil
}

// fakeT records what missingTool asked for.
type fakeT struct{ skipped, failed string }

func (f *fakeT) Helper()                        {}
func (f *fakeT) Skipf(format string, a ...any)  { f.skipped = fmt.Sprintf(format, a...) }
func (f *fakeT) Fatalf(format string, a ...any) { f.failed = fmt.Sprintf(format, a...) }

func TestMissingToolSkipsWithInstallHint(t *testing.T) {
	t.Setenv(strictEnv, "")
	var f fakeT
	missingTool(&f, "dex", errors.New("no such file"))
	if f.failed != "" || !strings.Contains(f.skipped, ".ci/install-e2e.sh") || !strings.Contains(f.skipped, "dex") {
		t.Fatalf("want a skip naming dex and the install script; skipped=%q failed=%q", f.skipped, f.failed)
	}
}

func TestMissingToolFailsUnderOIDCAUTH_E2E(t *testing.T) {
	t.Setenv(strictEnv, "1")
	var f fakeT
	missingTool(&f, "chromium", errors.New("no such file"))
	if f.skipped != "" || !strings.Contains(f.failed, ".ci/install-e2e.sh") {
		t.Fatalf("want a failure naming the install script; skipped=%q failed=%q", f.skipped, f.failed)
	}
}

func TestFindDexUsesDEX_BIN(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "my-dex")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DEX_BIN", prog)
	if got, err := findDex(); err != nil || got != prog {
		t.Fatalf("findDex() = %q, %v; want %q", got, err, prog)
	}

	notProg := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notProg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DEX_BIN", notProg)
	if _, err := findDex(); err == nil || !strings.Contains(err.Error(), "DEX_BIN") {
		t.Fatalf("a non-executable DEX_BIN: err = %v, want one naming DEX_BIN", err)
	}
}

func TestFindChromiumUsesCHROMIUM(t *testing.T) {
	t.Setenv("CHROMIUM", filepath.Join(t.TempDir(), "absent"))
	if _, err := findChromium(); err == nil {
		t.Fatal("a CHROMIUM that does not exist was accepted")
	}
}
