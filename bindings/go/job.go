package yespo

// One upsert job's life across the ABI: begin (registered with the client so Close can cancel
// it), a watcher goroutine that turns ctx cancellation into yespo_job_cancel, feeds, then finish
// and free in an order that never lets a cancel reach a freed job.

/*
#include <stdlib.h>
#include "yespo.h"
*/
import "C"

import (
	"context"
	"fmt"
	"runtime/cgo"
	"sync"
	"unsafe"
)

type job struct {
	c      *Client
	op     string
	ctx    context.Context
	handle *C.yespo_job

	relay          *progressRelay
	progressHandle cgo.Handle

	watchDone chan struct{}
	watching  sync.WaitGroup
}

func (c *Client) beginJob(ctx context.Context, op string, opts *UpsertOptions) (*job, error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError(op, ctx)
	}
	optionsJSON, err := opts.json()
	if err != nil {
		return nil, invalidArgument(op, "cannot encode the upsert options: %v", err)
	}
	text := cString(optionsJSON)
	defer freeC(text)

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, closedError(op)
	}
	var handle *C.yespo_job
	var cerr *C.yespo_error
	if rc := C.yespo_upsert_begin(c.handle, text, &handle, &cerr); rc != C.YESPO_OK {
		c.mu.Unlock()
		return nil, takeError(op, rc, cerr)
	}
	c.jobs[handle] = struct{}{}
	c.running.Add(1)
	c.mu.Unlock()

	j := &job{c: c, op: op, ctx: ctx, handle: handle, watchDone: make(chan struct{})}
	if opts.Progress != nil {
		j.relay = newProgressRelay(opts.Progress)
		j.progressHandle = cgo.NewHandle(j.relay)
		interval := int(opts.ProgressInterval.Milliseconds())
		if interval < 10 {
			interval = 500
		}
		if rc := setProgressCallback(handle, interval, uintptr(j.progressHandle), &cerr); rc != C.YESPO_OK {
			err := takeError(op, rc, cerr)
			j.release()
			return nil, err
		}
	}
	if ctx.Done() != nil {
		j.watching.Add(1)
		go j.watch()
	}
	return j, nil
}

// watch cancels the job when ctx ends; it stops before the job is freed.
func (j *job) watch() {
	defer j.watching.Done()
	select {
	case <-j.ctx.Done():
		C.yespo_job_cancel(j.handle)
	case <-j.watchDone:
	}
}

// feed hands one NDJSON buffer to the job. stopped reports that the job no longer takes rows
// (cancelled or stopped by a fatal error: its report says why).
func (j *job) feed(buf []byte) (stopped bool, err error) {
	if len(buf) == 0 {
		return false, nil
	}
	var cerr *C.yespo_error
	// The library copies the bytes before returning and keeps no pointer to them.
	rc := C.yespo_job_feed_ndjson(j.handle, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &cerr)
	switch rc {
	case C.YESPO_OK:
		return false, nil
	case C.YESPO_E_CANCELLED, C.YESPO_E_STATE:
		C.yespo_error_free(cerr)
		return true, nil
	case C.YESPO_E_INVALID_INPUT:
		// Not UTF-8: the rows are still reported (as invalid); keep going.
		C.yespo_error_free(cerr)
		return false, nil
	}
	return true, takeError(j.op, rc, cerr)
}

func (j *job) feedFile(path, optionsJSON string) error {
	cpath, copts := cString(path), cString(optionsJSON)
	defer freeC(cpath)
	defer freeC(copts)
	var cerr *C.yespo_error
	rc := C.yespo_job_feed_file(j.handle, cpath, copts, &cerr)
	if rc == C.YESPO_E_CANCELLED {
		C.yespo_error_free(cerr)
		return nil
	}
	if rc != C.YESPO_OK {
		return takeError(j.op, rc, cerr)
	}
	return nil
}

// cancel stops the job (rows not sent become notSent); used when the input fails.
func (j *job) cancel() { C.yespo_job_cancel(j.handle) }

// finish ends the input, waits for every outcome and releases the job. consumed is how many
// contacts were taken from the caller's input: those the library never saw are folded into the
// report as unfed, notSent rows.
func (j *job) finish(consumed int) (*Report, error) {
	if j.ctx.Err() != nil {
		// Do not leave it to the watcher's timing: a job whose ctx ended reports cancelled.
		j.cancel()
	}
	var reportHandle *C.yespo_report
	var cerr *C.yespo_error
	rc := C.yespo_job_finish(j.handle, &reportHandle, &cerr)
	var finishErr error
	if rc != C.YESPO_OK {
		finishErr = takeError(j.op, rc, cerr)
	}
	j.release()
	if finishErr != nil {
		if j.c.isClosed() {
			return nil, closedError(j.op)
		}
		return nil, finishErr
	}
	report, err := newReport(reportHandle)
	if err != nil {
		return nil, err
	}
	report.addUnfed(consumed)
	return report, j.outcomeError(report)
}

// outcomeError is the error that goes with a finished report: the context's, the client's
// closing, or the fatal error that stopped the job.
func (j *job) outcomeError(r *Report) error {
	switch {
	case r.Cancelled && j.ctx.Err() != nil:
		return contextError(j.op, j.ctx)
	case r.Cancelled && j.c.isClosed():
		return closedError(j.op)
	case r.Fatal != nil:
		return &APIError{Op: j.op, Code: r.Fatal.Code, Status: r.Fatal.Status, Message: r.Fatal.Message}
	case r.Cancelled:
		return &APIError{Op: j.op, Code: CodeCancelled, Message: "the job was cancelled"}
	}
	return nil
}

// release stops the watcher, unregisters and frees the job, and ends progress delivery.
func (j *job) release() {
	close(j.watchDone)
	j.watching.Wait()
	j.c.mu.Lock()
	delete(j.c.jobs, j.handle)
	j.c.mu.Unlock()
	C.yespo_job_free(j.handle)
	if j.relay != nil {
		j.relay.close()
		j.progressHandle.Delete()
	}
	j.c.running.Done()
}

func closedError(op string) error { return fmt.Errorf("yespo: %s: %w", op, ErrClosed) }
