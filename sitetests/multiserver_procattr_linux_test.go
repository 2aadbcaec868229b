package sitetests_test

import "syscall"

// caddyProcAttr makes the kernel kill a Caddy the tests started when the
// test binary dies (say, on a -timeout panic), so no stray Caddy keeps its port.
func caddyProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
