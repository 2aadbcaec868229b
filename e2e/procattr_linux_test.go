package e2e

import "syscall"

// childProcAttr makes the kernel kill a server the tests started when the test
// binary dies (say, on a -timeout panic), so no stray Dex keeps its port.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
