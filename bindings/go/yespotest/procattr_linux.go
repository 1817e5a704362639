package yespotest

import "syscall"

// procAttr makes the kernel kill the emulator if the test process dies without cleaning up.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
