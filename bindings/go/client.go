package yespo

// The Client: one libyespo client (its connection pool, engine thread and rate budget) shared by
// every goroutine. Close cancels running jobs, lets them produce their reports, then frees the
// library client, which also cancels single calls still in flight.

/*
#include <stdlib.h>
#include "yespo.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime/cgo"
	"sync"
)

// Client is safe for concurrent use by many goroutines.
type Client struct {
	handle *C.yespo_client

	mu      sync.Mutex
	closed  bool
	jobs    map[*C.yespo_job]struct{} // running jobs, cancelled by Close
	running sync.WaitGroup            // jobs between begin and free

	logHandle cgo.Handle // 0 when no logger
}

// NewClient creates a client for apiKey (copied into the library, never logged).
func NewClient(apiKey string, opts ...Option) (*Client, error) {
	const op = "NewClient"
	if err := checkABI(); err != nil {
		return nil, err
	}
	if apiKey == "" {
		return nil, invalidArgument(op, "the API key is empty")
	}
	var cfg clientConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	key := cString(apiKey)
	defer freeC(key)
	var cerr *C.yespo_error
	var handle *C.yespo_client
	if rc := C.yespo_client_new(key, &handle, &cerr); rc != C.YESPO_OK {
		return nil, takeError(op, rc, cerr)
	}
	c := &Client{handle: handle, jobs: map[*C.yespo_job]struct{}{}}
	if err := c.configure(op, &cfg); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Client) configure(op string, cfg *clientConfig) error {
	var cerr *C.yespo_error
	for _, o := range cfg.ints {
		if rc := C.yespo_client_set_option(c.handle, o.option, C.int64_t(o.value), &cerr); rc != C.YESPO_OK {
			return takeError(op, rc, cerr)
		}
	}
	for _, o := range cfg.strings {
		v := cString(o.value)
		rc := C.yespo_client_set_option_str(c.handle, o.option, v, &cerr)
		freeC(v)
		if rc != C.YESPO_OK {
			return takeError(op, rc, cerr)
		}
	}
	if cfg.logFunc != nil {
		c.logHandle = cgo.NewHandle(cfg.logFunc)
		if rc := setLogCallback(c.handle, int(cfg.logLevel), uintptr(c.logHandle), &cerr); rc != C.YESPO_OK {
			return takeError(op, rc, cerr)
		}
	}
	// Last, after the logger: setting it connects to Redis (and may log a start on the fallback).
	if cfg.sharedBudgetURL != nil {
		v := cString(*cfg.sharedBudgetURL)
		rc := C.yespo_client_set_option_str(c.handle, C.YESPO_OPT_SHARED_BUDGET, v, &cerr)
		freeC(v)
		if rc != C.YESPO_OK {
			return takeError(op, rc, cerr)
		}
	}
	return nil
}

// Close cancels the client's running upserts (they still return their reports, marked
// cancelled), cancels single calls in flight, and releases the library client. Idempotent.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	for job := range c.jobs {
		C.yespo_job_cancel(job)
	}
	c.mu.Unlock()
	// Jobs need the client to finish; single calls are cancelled by the free itself.
	c.running.Wait()
	C.yespo_client_free(c.handle)
	if c.logHandle != 0 {
		c.logHandle.Delete()
	}
	return nil
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// ClientStats are the client's cumulative transport counters.
type ClientStats struct {
	Requests          int64 `json:"requests"`
	Retries           int64 `json:"retries"`
	Throttled         int64 `json:"throttled"`
	BytesSent         int64 `json:"bytesSent"`
	BytesReceived     int64 `json:"bytesReceived"`
	ConnectionsOpened int64 `json:"connectionsOpened"`
}

// Stats returns the client's cumulative transport statistics.
func (c *Client) Stats() (ClientStats, error) {
	var stats ClientStats
	text, err := c.call(context.Background(), "Stats", func(h *C.yespo_client, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_client_stats(h, out, cerr)
	})
	if err != nil {
		return stats, err
	}
	err = decodeResult("Stats", text, &stats)
	return stats, err
}

// decodeResult decodes a library JSON result; a failure here is the library's protocol bug.
func decodeResult(op, text string, v any) error {
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return &APIError{Op: op, Code: CodeProtocol, Message: "cannot decode the library's answer: " + err.Error()}
	}
	return nil
}
