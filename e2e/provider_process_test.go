package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// providerStartTimeout bounds how long a provider process may take to answer
// its discovery document; a cold start on a busy 2-core CI machine takes a
// second or two.
const providerStartTimeout = 30 * time.Second

// runProvider starts cmd, an OpenID provider (Dex, oidc-provider) named name
// in messages, with its output in the returned buffer; waits until the
// issuer's discovery document answers; and kills it when the test ends,
// showing its output if the test failed.
func runProvider(t testing.TB, name string, cmd *exec.Cmd, issuer string) *syncBuffer {
	t.Helper()
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: running %s: %v", name, cmd.Path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, log.String())
		}
	})
	if err := waitDiscovery(name, issuer, exited); err != nil {
		t.Fatalf("start %s: %v\n%s output:\n%s", name, err, name, log.String())
	}
	return log
}

// waitDiscovery polls the issuer's discovery document until it answers 200,
// the provider exits, or providerStartTimeout passes.
func waitDiscovery(name, issuer string, exited <-chan error) error {
	url := issuer + "/.well-known/openid-configuration"
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(providerStartTimeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not serve %s within %v: %v", name, url, providerStartTimeout, err)
		}
		select {
		case werr := <-exited:
			return fmt.Errorf("%s exited before serving %s: %v", name, url, werr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// syncBuffer is a bytes.Buffer that a child process and the test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
