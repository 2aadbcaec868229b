package testsupport

import (
	"fmt"
	"net"
	"testing"
)

// FreePort finds a loopback port for a server the test is about to start.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreeAddr is 127.0.0.1:PORT with a port that was free a moment ago, for a
// server that must know its URL before it starts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", FreePort(t))
}

// SiteURL is the root of a test site on 127.0.0.1:port, without the slash.
func SiteURL(port int) string { return fmt.Sprintf("http://127.0.0.1:%d", port) }
