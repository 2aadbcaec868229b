package main

import (
	"strings"
	"testing"
)

// This provider signs in anyone who asks: it must never listen beyond loopback.
func TestRefusesAddressesBeyondLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:5556", ":5556", "192.168.1.2:5556", "example.com:80", "nonsense"} {
		if err := run(addr, "bench", "secret", ""); err == nil {
			t.Errorf("-addr %s was accepted", addr)
		} else if addr != "nonsense" && !strings.Contains(err.Error(), "loopback") {
			t.Errorf("-addr %s: %v, want a loopback-only refusal", addr, err)
		}
	}
}
