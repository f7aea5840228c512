//go:build !linux

package redistest

import "syscall"

// sysProcAttr: other systems have no parent-death signal; call Stop in
// TestMain.
func sysProcAttr() *syscall.SysProcAttr { return nil }
