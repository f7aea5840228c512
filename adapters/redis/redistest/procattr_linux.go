package redistest

import "syscall"

// sysProcAttr makes the child die with the test binary, so a package that
// never calls Stop leaves no redis-server behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
