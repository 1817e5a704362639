package yespo

// Incremental sync (yespo_sync_*): every run reads the whole source and sends only the contacts
// that are new or changed since the last successful run against the same state — a SQLite file,
// or a postgres:// URL. The library compares, commits and removes; this file only crosses the ABI.

/*
#include <stdlib.h>
#include "yespo.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"unsafe"
)

// SyncOptions are the bulk options of an upsert (DedupeOn, GroupNames, Wait, DryRun, File, ...)
// plus the sync's own.
type SyncOptions struct {
	UpsertOptions

	// Full sends every row and rewrites the state, whatever it says.
	Full bool
	// Missing says what to do with contacts gone from the source: "delete", "detach:SEGMENT" or
	// "unsubscribe" ("" = leave them; they are still counted in a dry run).
	Missing string
	// MaxDeletes caps the missing contacts acted on: "100" or "5%" of the state ("" = "5%"). Over
	// it nothing is done and SyncReport.Missing.Refused says why.
	MaxDeletes string
	// AllowInvalid acts on missing contacts even when some source rows are invalid.
	AllowInvalid bool
}

func (o *SyncOptions) json() (string, error) {
	bulk, err := o.UpsertOptions.json()
	if err != nil {
		return "", err
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(bulk), &m); err != nil {
		return "", err
	}
	if o.Full {
		m["full"] = true
	}
	if o.Missing != "" {
		m["missing"] = o.Missing
	}
	if o.MaxDeletes != "" {
		m["maxDeletes"] = o.MaxDeletes
	}
	if o.AllowInvalid {
		m["allowInvalid"] = true
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// SyncMissing is what a run found (and did) about contacts gone from the source.
type SyncMissing struct {
	Count            int      `json:"count"`
	WithoutContactID int      `json:"withoutContactId"`
	Action           *string  `json:"action"`
	Limit            int      `json:"limit"`
	Acted            int      `json:"acted"`
	Failed           int      `json:"failed"`
	Refused          *string  `json:"refused"`
	Skipped          *string  `json:"skipped"`
	Failures         []string `json:"failures"`
}

// SyncFailure is a source row that was not taken; it is sent again next run.
type SyncFailure struct {
	Row     int     `json:"row"`
	Outcome string  `json:"outcome"`
	Reason  *string `json:"reason"`
}

// SyncReport is what one sync run did; the counts by reason add up to Rows.
type SyncReport struct {
	State          string        `json:"state"`
	Store          string        `json:"store"`
	DryRun         bool          `json:"dryRun"`
	Full           bool          `json:"full"`
	OptionsChanged bool          `json:"optionsChanged"`
	Rows           int           `json:"rows"`
	Invalid        int           `json:"invalid"`
	New            int           `json:"new"`
	Changed        int           `json:"changed"`
	Unchanged      int           `json:"unchanged"`
	Repeated       int           `json:"repeated"`
	NoContactID    int           `json:"noContactId"`
	Sent           int           `json:"sent"`
	Accepted       int           `json:"accepted"`
	Rejected       int           `json:"rejected"`
	NotSent        int           `json:"notSent"`
	Committed      int           `json:"committed"`
	Unconfirmed    int           `json:"unconfirmed"`
	Missing        *SyncMissing  `json:"missing"`
	StateEntries   int           `json:"stateEntries"`
	StateBytes     int64         `json:"stateBytes"`
	FailureCount   int           `json:"failureCount"`
	Failures       []SyncFailure `json:"failures"`
	Fatal          *struct {
		Code    int    `json:"code"`
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"fatal"`
	Cancelled bool `json:"cancelled"`
	Clean     bool `json:"clean"`
	ElapsedMs int  `json:"elapsedMs"`
	// Raw is the whole report as the library wrote it (docs: yespo_sync_finish).
	Raw json.RawMessage `json:"-"`
}

// SyncFile syncs a CSV, NDJSON or JSON-array file (opts.File describes it) against state.
func (c *Client) SyncFile(ctx context.Context, state, path string, opts SyncOptions) (*SyncReport, error) {
	fileJSON, err := opts.File.json()
	if err != nil {
		return nil, invalidArgument("SyncFile", "cannot encode the file options: %v", err)
	}
	return c.runSync(ctx, "SyncFile", state, &opts, func(h *C.yespo_sync) error {
		cpath, copts := cString(path), cString(fileJSON)
		defer freeC(cpath)
		defer freeC(copts)
		var cerr *C.yespo_error
		if rc := C.yespo_sync_feed_file(h, cpath, copts, &cerr); rc != C.YESPO_OK {
			if rc == C.YESPO_E_CANCELLED {
				C.yespo_error_free(cerr)
				return nil
			}
			return takeError("SyncFile", rc, cerr)
		}
		return nil
	})
}

// SyncContacts syncs a slice of contacts against state.
func (c *Client) SyncContacts(ctx context.Context, state string, contacts []Contact, opts SyncOptions) (*SyncReport, error) {
	size := opts.BatchSize
	if size <= 0 {
		size = defaultBatchSize
	}
	return c.runSync(ctx, "SyncContacts", state, &opts, func(h *C.yespo_sync) error {
		for start := 0; start < len(contacts); start += size {
			end := start + size
			if end > len(contacts) {
				end = len(contacts)
			}
			b := newBatch(size)
			for i := start; i < end; i++ {
				b.add(&contacts[i])
			}
			buf := b.buf
			if len(buf) == 0 {
				continue
			}
			var cerr *C.yespo_error
			// The library copies the bytes before returning and keeps no pointer to them.
			rc := C.yespo_sync_feed_ndjson(h, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &cerr)
			if rc == C.YESPO_E_CANCELLED {
				C.yespo_error_free(cerr)
				return nil
			}
			if rc != C.YESPO_OK && rc != C.YESPO_E_INVALID_INPUT {
				return takeError("SyncContacts", rc, cerr)
			}
			if rc != C.YESPO_OK {
				C.yespo_error_free(cerr)
			}
		}
		return nil
	})
}

func (c *Client) runSync(ctx context.Context, op, state string, opts *SyncOptions, feed func(*C.yespo_sync) error) (*SyncReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError(op, ctx)
	}
	optionsJSON, err := opts.json()
	if err != nil {
		return nil, invalidArgument(op, "cannot encode the sync options: %v", err)
	}
	cstate, copts := cString(state), cString(optionsJSON)
	defer freeC(cstate)
	defer freeC(copts)

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, closedError(op)
	}
	var h *C.yespo_sync
	var cerr *C.yespo_error
	if rc := C.yespo_sync_begin(c.handle, cstate, copts, &h, &cerr); rc != C.YESPO_OK {
		c.mu.Unlock()
		return nil, takeError(op, rc, cerr)
	}
	c.running.Add(1)
	c.mu.Unlock()
	defer c.running.Done()

	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
			C.yespo_sync_cancel(h)
		case <-done:
		}
	}()
	feedErr := feed(h)
	if feedErr != nil {
		C.yespo_sync_cancel(h)
	}
	var out *C.char
	rc := C.yespo_sync_finish(h, &out, &cerr)
	close(done)
	<-watched
	C.yespo_sync_free(h)
	if rc != C.YESPO_OK {
		return nil, takeError(op, rc, cerr)
	}
	text := C.GoString(out)
	C.yespo_free(unsafe.Pointer(out))
	report := &SyncReport{Raw: json.RawMessage(text)}
	if err := json.Unmarshal([]byte(text), report); err != nil {
		return nil, fmt.Errorf("yespo: %s: cannot read the sync report: %w", op, err)
	}
	switch {
	case feedErr != nil:
		return report, feedErr
	case report.Cancelled && ctx.Err() != nil:
		return report, contextError(op, ctx)
	case report.Fatal != nil && report.Fatal.Code != CodeCancelled:
		return report, &APIError{Op: op, Code: report.Fatal.Code, Status: report.Fatal.Status, Message: report.Fatal.Message}
	}
	return report, nil
}

// SyncStatus describes a sync state and its last runs without starting one (yespo_sync_status).
func SyncStatus(state string) (map[string]any, error) {
	if err := checkABI(); err != nil {
		return nil, err
	}
	cstate := cString(state)
	defer freeC(cstate)
	var out *C.char
	var cerr *C.yespo_error
	if rc := C.yespo_sync_status(cstate, &out, &cerr); rc != C.YESPO_OK {
		return nil, takeError("SyncStatus", rc, cerr)
	}
	text := C.GoString(out)
	C.yespo_free(unsafe.Pointer(out))
	var status map[string]any
	if err := json.Unmarshal([]byte(text), &status); err != nil {
		return nil, fmt.Errorf("yespo: SyncStatus: %w", err)
	}
	return status, nil
}
