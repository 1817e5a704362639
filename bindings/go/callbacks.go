package yespo

// The Go functions the C trampolines in cgo.go call. They live in their own file because a cgo
// file with //export may only declare, not define, C functions in its preamble. They run on library
// threads (progress: the job's callback thread; logs: any library thread): they must return
// quickly and never call back into a job's finish/free.

/*
#include <stdint.h>
*/
import "C"

import "runtime/cgo"

//export yespoGoProgress
func yespoGoProgress(progressJSON *C.char, handle C.uintptr_t) {
	relay, ok := cgo.Handle(handle).Value().(*progressRelay)
	if !ok || progressJSON == nil {
		return
	}
	relay.offer(C.GoString(progressJSON))
}

//export yespoGoLog
func yespoGoLog(level C.int, message *C.char, handle C.uintptr_t) {
	sink, ok := cgo.Handle(handle).Value().(LogFunc)
	if !ok || message == nil {
		return
	}
	sink(LogLevel(level), C.GoString(message))
}
