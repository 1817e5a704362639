package yespo

// Asynchronous imports: their status, waiting for them, and imports from a file on the caller's
// own HTTP server.

/*
#include "yespo.h"
*/
import "C"

import (
	"context"
	"errors"
	"time"
)

// Import statuses.
const (
	ImportFinished = "FINISHED"
	ImportError    = "ERROR"
)

// ImportMapping links one imported contact's dedupe value to its contact id.
type ImportMapping struct {
	DedupeValue string `json:"dedupeValue"`
	ContactID   int64  `json:"contactId"`
}

// ImportStatus is the state of one asynchronous import session.
type ImportStatus struct {
	Status      string          `json:"status"`
	Mapping     []ImportMapping `json:"mapping"`
	Description string          `json:"description"`
}

// ImportStatus asks once for the status of an import session (GET /importstatus/{id}).
func (c *Client) ImportStatus(ctx context.Context, asyncSessionID string) (*ImportStatus, error) {
	const op = "ImportStatus"
	text, err := c.call(ctx, op, func(h *C.yespo_client, out **C.char, cerr **C.yespo_error) C.int {
		return withCString(asyncSessionID, func(p *C.char) C.int { return C.yespo_import_status(h, p, out, cerr) })
	})
	return decodeStatus(op, text, err)
}

// WaitForImport polls until the import is FINISHED or ERROR. ctx's deadline (if any) becomes
// the library's wait limit; without one the client's import timeout applies.
func (c *Client) WaitForImport(ctx context.Context, asyncSessionID string) (*ImportStatus, error) {
	const op = "WaitForImport"
	var timeoutMs int64
	if deadline, ok := ctx.Deadline(); ok {
		if timeoutMs = time.Until(deadline).Milliseconds(); timeoutMs < 1 {
			return nil, contextError(op, ctx)
		}
	}
	text, err := c.call(ctx, op, func(h *C.yespo_client, out **C.char, cerr **C.yespo_error) C.int {
		return withCString(asyncSessionID, func(p *C.char) C.int {
			return C.yespo_import_wait(h, p, C.int64_t(timeoutMs), out, cerr)
		})
	})
	if timeoutMs > 0 && errors.Is(err, ErrTimeout) {
		// The library gave up at the ctx deadline it was given (its clock may run a few ms
		// ahead of ctx's): report it as the ctx's.
		select {
		case <-ctx.Done():
			return nil, contextError(op, ctx)
		case <-time.After(time.Second):
		}
	}
	return decodeStatus(op, text, err)
}

func decodeStatus(op, text string, err error) (*ImportStatus, error) {
	if err != nil {
		return nil, err
	}
	var status ImportStatus
	if err := decodeResult(op, text, &status); err != nil {
		return nil, err
	}
	return &status, nil
}

// UploadRequest imports a CSV file the API fetches from Link (POST /contacts/upload).
type UploadRequest struct {
	Link                   string   `json:"link"`
	DedupeOn               string   `json:"dedupeOn,omitempty"`
	GroupNames             []string `json:"groupNames,omitempty"`
	GroupNamesExclude      []string `json:"groupNamesExclude,omitempty"`
	RestoreDeleted         bool     `json:"restoreDeleted,omitempty"`
	EventKeyForNewContacts string   `json:"eventKeyForNewContacts,omitempty"`
}

// UploadFromURL starts an import of the CSV at req.Link and returns its async session id.
func (c *Client) UploadFromURL(ctx context.Context, req UploadRequest) (string, error) {
	const op = "UploadFromURL"
	text, err := c.jsonInOut(ctx, op, req, func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_contacts_upload(h, in, out, cerr)
	})
	if err != nil {
		return "", err
	}
	var answer struct {
		AsyncSessionID string `json:"asyncSessionId"`
	}
	err = decodeResult(op, text, &answer)
	return answer.AsyncSessionID, err
}
