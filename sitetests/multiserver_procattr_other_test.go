//go:build !linux

package sitetests_test

import "syscall"

// caddyProcAttr has nothing to add outside Linux, which alone has Pdeathsig.
func caddyProcAttr() *syscall.SysProcAttr { return nil }
