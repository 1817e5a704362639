package yespo

// Errors: one sentinel per YESPO_E_* code (for errors.Is) and *APIError carrying the code, the
// HTTP status and the library's message (for errors.As). Cancellation by a context is its own
// type so that it matches both ErrCancelled and the context's error.

/*
#include "yespo.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, one per kind of failure; test with errors.Is.
var (
	ErrInvalidArgument = errors.New("yespo: invalid argument")
	ErrInvalidInput    = errors.New("yespo: invalid input")
	ErrNoMemory        = errors.New("yespo: out of memory")
	ErrIO              = errors.New("yespo: file could not be read")
	ErrUnauthorized    = errors.New("yespo: unauthorized (the API key was refused)")
	ErrRateLimited     = errors.New("yespo: rate limited")
	ErrHTTP            = errors.New("yespo: HTTP error")
	ErrNotFound        = errors.New("yespo: not found")
	ErrTransport       = errors.New("yespo: transport error")
	ErrTimeout         = errors.New("yespo: timeout")
	ErrProtocol        = errors.New("yespo: protocol error")
	ErrCancelled       = errors.New("yespo: cancelled")
	ErrState           = errors.New("yespo: call not allowed now")
	ErrBadHandle       = errors.New("yespo: bad handle")
	ErrInternal        = errors.New("yespo: internal error")
	// ErrClosed is returned by every call on a Client after Close.
	ErrClosed = errors.New("yespo: client is closed")
)

// Error codes of the C ABI (YESPO_E_*), as found in APIError.Code.
const (
	CodeInvalidArgument = int(C.YESPO_E_INVALID_ARGUMENT)
	CodeInvalidInput    = int(C.YESPO_E_INVALID_INPUT)
	CodeNoMemory        = int(C.YESPO_E_NOMEM)
	CodeIO              = int(C.YESPO_E_IO)
	CodeAuth            = int(C.YESPO_E_AUTH)
	CodeRateLimited     = int(C.YESPO_E_RATE_LIMITED)
	CodeHTTP            = int(C.YESPO_E_HTTP)
	CodeNotFound        = int(C.YESPO_E_NOT_FOUND)
	CodeTransport       = int(C.YESPO_E_TRANSPORT)
	CodeTimeout         = int(C.YESPO_E_TIMEOUT)
	CodeProtocol        = int(C.YESPO_E_PROTOCOL)
	CodeCancelled       = int(C.YESPO_E_CANCELLED)
	CodeState           = int(C.YESPO_E_STATE)
	CodeBadHandle       = int(C.YESPO_E_BAD_HANDLE)
	CodeInternal        = int(C.YESPO_E_INTERNAL)
)

var sentinelByCode = map[int]error{
	CodeInvalidArgument: ErrInvalidArgument,
	CodeInvalidInput:    ErrInvalidInput,
	CodeNoMemory:        ErrNoMemory,
	CodeIO:              ErrIO,
	CodeAuth:            ErrUnauthorized,
	CodeRateLimited:     ErrRateLimited,
	CodeHTTP:            ErrHTTP,
	CodeNotFound:        ErrNotFound,
	CodeTransport:       ErrTransport,
	CodeTimeout:         ErrTimeout,
	CodeProtocol:        ErrProtocol,
	CodeCancelled:       ErrCancelled,
	CodeState:           ErrState,
	CodeBadHandle:       ErrBadHandle,
	CodeInternal:        ErrInternal,
}

// APIError is a failure reported by libyespo: Code is a YESPO_E_* value, Status the HTTP status
// that caused it (0 when no HTTP answer was involved), Message the library's detailed text.
type APIError struct {
	Op      string // the Go method that failed, e.g. "GetContact"
	Code    int
	Status  int
	Message string
}

func (e *APIError) Error() string {
	text := e.Message
	if text == "" {
		text = C.GoString(C.yespo_strerror(C.int(e.Code)))
	}
	if e.Status != 0 && !strings.Contains(text, fmt.Sprintf("HTTP %d", e.Status)) {
		return fmt.Sprintf("yespo: %s: %s (HTTP %d)", e.Op, text, e.Status)
	}
	return fmt.Sprintf("yespo: %s: %s", e.Op, text)
}

// Is makes errors.Is(err, ErrNotFound) and friends work on an *APIError.
func (e *APIError) Is(target error) bool {
	sentinel, ok := sentinelByCode[e.Code]
	return ok && sentinel == target
}

// takeError turns a library error object (or, lacking one, the status code) into an *APIError
// and frees the object.
func takeError(op string, rc C.int, cerr *C.yespo_error) error {
	e := &APIError{Op: op, Code: int(rc)}
	if cerr != nil {
		e.Code = int(C.yespo_error_code(cerr))
		e.Status = int(C.yespo_error_http_status(cerr))
		e.Message = C.GoString(C.yespo_error_message(cerr))
		C.yespo_error_free(cerr)
	}
	return e
}

// ContextError is returned when a context ended a call: it unwraps to context.Canceled or
// context.DeadlineExceeded and also matches ErrCancelled (and ErrTimeout for a deadline).
type ContextError struct {
	Op    string
	Cause error // ctx.Err()
}

func (e *ContextError) Error() string { return fmt.Sprintf("yespo: %s: %v", e.Op, e.Cause) }
func (e *ContextError) Unwrap() error { return e.Cause }
func (e *ContextError) Is(target error) bool {
	return target == ErrCancelled || (target == ErrTimeout && e.Cause == context.DeadlineExceeded)
}

func contextError(op string, ctx context.Context) error {
	return &ContextError{Op: op, Cause: ctx.Err()}
}

// invalidArgument is a Go-side argument check failing before any C call.
func invalidArgument(op, format string, args ...any) error {
	return &APIError{Op: op, Code: CodeInvalidArgument, Message: fmt.Sprintf(format, args...)}
}
