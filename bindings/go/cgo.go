package yespo

// The cgo seam: link flags, and the two C trampolines that turn the library's callbacks
// (const char *, void *userdata) into calls of the exported Go functions in callbacks.go.
// userdata carries a runtime/cgo.Handle as an integer, never a Go pointer.

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -L${SRCDIR}/../../dist/lib -lyespo -Wl,-rpath,${SRCDIR}/../../dist/lib
#include <stdint.h>
#include <stdlib.h>
#include "yespo.h"

extern void yespoGoProgress(char *progressJSON, uintptr_t handle);
extern void yespoGoLog(int level, char *message, uintptr_t handle);

static void yespo_go_progress_trampoline(const char *progress_json, void *userdata) {
	yespoGoProgress((char *)progress_json, (uintptr_t)userdata);
}

static void yespo_go_log_trampoline(int level, const char *message, void *userdata) {
	yespoGoLog(level, (char *)message, (uintptr_t)userdata);
}

static int yespo_go_set_progress(yespo_job *job, int interval_ms, uintptr_t handle, yespo_error **err) {
	return yespo_job_set_progress_callback(job, yespo_go_progress_trampoline, interval_ms, (void *)handle, err);
}

static int yespo_go_set_log(yespo_client *client, int max_level, uintptr_t handle, yespo_error **err) {
	return yespo_client_set_log_callback(client, yespo_go_log_trampoline, max_level, (void *)handle, err);
}

*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"
)

// Version is the version of the loaded libyespo ("0.1.0").
func Version() string { return C.GoString(C.yespo_version()) }

var abiCheck struct {
	once sync.Once
	err  error
}

// checkABI compares the header this package was compiled with against the loaded library once.
func checkABI() error {
	abiCheck.once.Do(func() {
		if got, want := int(C.yespo_abi_version()), int(C.YESPO_ABI_VERSION); got != want {
			abiCheck.err = fmt.Errorf("yespo: libyespo %s has ABI version %d, this package needs %d: %w",
				Version(), got, want, ErrInternal)
		}
	})
	return abiCheck.err
}

func setProgressCallback(job *C.yespo_job, intervalMs int, handle uintptr, cerr **C.yespo_error) C.int {
	return C.yespo_go_set_progress(job, C.int(intervalMs), C.uintptr_t(handle), cerr)
}

func setLogCallback(client *C.yespo_client, maxLevel int, handle uintptr, cerr **C.yespo_error) C.int {
	return C.yespo_go_set_log(client, C.int(maxLevel), C.uintptr_t(handle), cerr)
}

// cString copies s into C memory; the caller frees it with freeC.
func cString(s string) *C.char { return C.CString(s) }

func freeC(p *C.char) { C.free(unsafe.Pointer(p)) }

// takeString copies a library-owned result buffer into Go and releases it.
func takeString(p *C.char) string {
	if p == nil {
		return ""
	}
	s := C.GoString(p)
	C.yespo_free(unsafe.Pointer(p))
	return s
}

// takeBytes is takeString for a buffer with a known length (NDJSON rows).
func takeBytes(p *C.char, n C.size_t) []byte {
	if p == nil {
		return nil
	}
	b := make([]byte, int(n))
	copy(b, unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n)))
	C.yespo_free(unsafe.Pointer(p))
	return b
}
