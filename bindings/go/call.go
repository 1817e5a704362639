package yespo

// How a single (blocking) library call meets a context: with a context that can end, the C call
// runs on its own goroutine and the method returns as soon as ctx ends. The abandoned call keeps
// running until the library's own timeout (or Close) ends it; its result is dropped.

/*
#include "yespo.h"
*/
import "C"

import (
	"context"
)

// cCall performs one library call with the client handle, filling *out (may stay NULL for calls
// without output) and *cerr.
type cCall func(h *C.yespo_client, out **C.char, cerr **C.yespo_error) C.int

type callResult struct {
	text string
	err  error
}

func (c *Client) call(ctx context.Context, op string, fn cCall) (string, error) {
	if ctx.Err() != nil {
		return "", contextError(op, ctx)
	}
	if c.isClosed() {
		return "", closedError(op)
	}
	run := func() callResult {
		var out *C.char
		var cerr *C.yespo_error
		rc := fn(c.handle, &out, &cerr)
		if rc != C.YESPO_OK {
			return callResult{err: c.callError(op, rc, cerr)}
		}
		return callResult{text: takeString(out)}
	}
	if ctx.Done() == nil {
		r := run()
		return r.text, r.err
	}
	done := make(chan callResult, 1)
	go func() { done <- run() }()
	select {
	case r := <-done:
		return r.text, r.err
	case <-ctx.Done():
		select {
		case r := <-done: // finished at the same moment: the answer is better than an error
			return r.text, r.err
		default:
			return "", contextError(op, ctx)
		}
	}
}

// callError maps a failure; calls cut off by Close report ErrClosed.
func (c *Client) callError(op string, rc C.int, cerr *C.yespo_error) error {
	err := takeError(op, rc, cerr)
	if c.isClosed() {
		switch rc {
		case C.YESPO_E_STATE, C.YESPO_E_BAD_HANDLE, C.YESPO_E_CANCELLED:
			return closedError(op)
		}
	}
	return err
}

// withCString runs fn with s as a C string freed afterwards.
func withCString(s string, fn func(*C.char) C.int) C.int {
	p := cString(s)
	defer freeC(p)
	return fn(p)
}
