package yespo

// The report of a finished upsert: the summary decoded at once, the per-row outcomes read from
// the library's report on demand (they can be large). Close releases the library's copy early;
// otherwise the garbage collector does.

/*
#include "yespo.h"
*/
import "C"

import (
	"bufio"
	"bytes"
	"encoding/json"
	"runtime"
	"strconv"
	"sync"
)

// Row outcome kinds, combinable as a bit set for Report.Rows.
type RowKinds int

const (
	RowsAccepted  RowKinds = C.YESPO_ROWS_ACCEPTED
	RowsRejected  RowKinds = C.YESPO_ROWS_REJECTED
	RowsInvalid   RowKinds = C.YESPO_ROWS_INVALID
	RowsDuplicate RowKinds = C.YESPO_ROWS_DUPLICATE
	RowsNotSent   RowKinds = C.YESPO_ROWS_NOT_SENT
	RowsFailed    RowKinds = C.YESPO_ROWS_FAILED
	RowsAll       RowKinds = C.YESPO_ROWS_ALL
)

// Outcome values of RowOutcome.Outcome.
const (
	OutcomeAccepted  = "accepted"
	OutcomeRejected  = "rejected"
	OutcomeInvalid   = "invalid"
	OutcomeDuplicate = "duplicate"
	OutcomeNotSent   = "notSent"
)

// AcceptedByDuplicatedRequest is RowOutcome.AcceptedBy of a row accepted because the server
// answered "Duplicated request": an identical request was applied earlier (most likely this
// request's own earlier attempt, whose answer was lost).
const AcceptedByDuplicatedRequest = "duplicatedRequest"

// UnfedReason is the Reason of a notSent row the binding never handed to the library.
const UnfedReason = "not handed to the job: it had stopped"

// FatalError says why a job stopped early (e.g. the key was refused).
type FatalError struct {
	Code    int    `json:"code"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// ChunkReport is one bulk request of the job.
type ChunkReport struct {
	Index          int     `json:"index"`
	Rows           int     `json:"rows"`
	FirstRow       int     `json:"firstRow"`
	LastRow        int     `json:"lastRow"`
	Status         string  `json:"status"`
	AsyncSessionID *string `json:"asyncSessionId"`
	Attempts       int     `json:"attempts"`
	ImportStatus   *string `json:"importStatus"`
}

// UnmappedFailure is a failedContacts entry of the server's answer that could not be tied to
// exactly one row of its chunk; the rows of that chunk stay accepted.
type UnmappedFailure struct {
	Chunk  int    `json:"chunk"`
	Reason string `json:"reason"`
}

// Report is the outcome of an upsert. Accepted+Rejected+Invalid+Duplicates+NotSent == Total.
type Report struct {
	// Total is every input row the call took from the caller: the rows the library saw ("rows"
	// in its summary) plus Unfed.
	Total      int           `json:"rows"`
	Accepted   int           `json:"accepted"`
	Rejected   int           `json:"rejected"`
	Invalid    int           `json:"invalid"`
	Duplicates int           `json:"duplicates"`
	NotSent    int           `json:"notSent"`
	Complete   bool          `json:"complete"`
	Fatal      *FatalError   `json:"fatal"`
	Cancelled  bool          `json:"cancelled"`
	DryRun     bool          `json:"dryRun"`
	Chunks     []ChunkReport `json:"chunks"`
	Requests   int           `json:"requests"`
	Retries    int           `json:"retries"`
	Throttled  int           `json:"throttled"`
	BytesSent  int64         `json:"bytesSent"`
	ElapsedMs  int64         `json:"elapsedMs"`

	// AcceptedByDuplicatedRequest counts accepted rows whose request the server answered
	// "Duplicated request" (their RowOutcome.AcceptedBy is AcceptedByDuplicatedRequest).
	AcceptedByDuplicatedRequest int `json:"acceptedByDuplicatedRequest"`
	// HeldForOrder counts rows the write-order gate held back behind an earlier row of the same
	// contact (see UpsertOptions.AckOn).
	HeldForOrder int `json:"heldForOrder"`
	// UnmappedFailureCount counts failedContacts entries that could not be tied to exactly one
	// row (those rows stay accepted); UnmappedFailures lists at most 100 of them.
	UnmappedFailureCount int               `json:"unmappedFailureCount"`
	UnmappedFailures     []UnmappedFailure `json:"unmappedFailures"`
	// SharedBudget is set when the client has a shared budget (WithSharedBudget): whether Redis
	// was lost during the job, since when, and whether it rejoined.
	SharedBudget *SharedBudgetReport `json:"sharedBudget"`

	// Unfed counts input contacts this package had taken from the caller but never handed to the
	// library because the job stopped first (cancelled, or stopped by a fatal error). They are
	// included in Total and NotSent: they are the last rows, Total-Unfed+1 .. Total, each
	// reported notSent by Rows with the reason UnfedReason.
	Unfed int `json:"unfed"`

	mu     sync.Mutex
	handle *C.yespo_report
}

// RowOutcome is the final outcome of one input row.
type RowOutcome struct {
	Row            int             `json:"row"` // 1-based, in feed order
	Outcome        string          `json:"outcome"`
	Reason         string          `json:"reason"`
	AsyncSessionID string          `json:"asyncSessionId"`
	ContactID      int64           `json:"contactId"`
	Contact        json.RawMessage `json:"contact"` // the row as given, for failed rows
	Raw            string          `json:"raw"`     // the raw text, for rows that were not JSON
	// AcceptedBy says how an accepted row was known to be accepted when not by its own
	// request's 200: AcceptedByDuplicatedRequest, else "".
	AcceptedBy string `json:"acceptedBy"`
}

func newReport(handle *C.yespo_report) (*Report, error) {
	var out *C.char
	var cerr *C.yespo_error
	if rc := C.yespo_report_json(handle, &out, &cerr); rc != C.YESPO_OK {
		C.yespo_report_free(handle)
		return nil, takeError("Report", rc, cerr)
	}
	r := &Report{}
	if err := decodeResult("Report", takeString(out), r); err != nil {
		C.yespo_report_free(handle)
		return nil, err
	}
	r.handle = handle
	runtime.SetFinalizer(r, (*Report).Close)
	return r, nil
}

// addUnfed folds contacts taken from the caller but never handed to the library into the
// counts: consumed is how many the call took in all.
func (r *Report) addUnfed(consumed int) {
	if consumed <= r.Total {
		return
	}
	r.Unfed = consumed - r.Total
	r.Total += r.Unfed
	r.NotSent += r.Unfed
}

// Close releases the per-row outcomes held by the library. The summary fields stay valid.
func (r *Report) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handle != nil {
		C.yespo_report_free(r.handle)
		r.handle = nil
	}
	return nil
}

// RowsNDJSON returns the outcomes of the given kinds as the library's NDJSON, ordered by row,
// followed (when kinds has RowsNotSent) by a notSent line for each unfed row.
func (r *Report) RowsNDJSON(kinds RowKinds) ([]byte, error) {
	const op = "Report.Rows"
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handle == nil {
		return nil, &APIError{Op: op, Code: CodeState, Message: "the report was closed"}
	}
	var out *C.char
	var n C.size_t
	var cerr *C.yespo_error
	if rc := C.yespo_report_rows(r.handle, C.int(kinds), &out, &n, &cerr); rc != C.YESPO_OK {
		return nil, takeError(op, rc, cerr)
	}
	text := takeBytes(out, n)
	if kinds&RowsNotSent != 0 && r.Unfed > 0 {
		text = appendUnfedRows(text, r.Total-r.Unfed+1, r.Total)
	}
	return text, nil
}

// appendUnfedRows adds one notSent line per row first..last, in the library's row shape.
func appendUnfedRows(text []byte, first, last int) []byte {
	reason, _ := json.Marshal(UnfedReason)
	tail := append(append([]byte(`,"outcome":"notSent","reason":`), reason...),
		`,"asyncSessionId":null,"contactId":null,"acceptedBy":null,"contact":null,"raw":null}`+"\n"...)
	if len(text) > 0 && text[len(text)-1] != '\n' {
		text = append(text, '\n')
	}
	for row := first; row <= last; row++ {
		text = append(text, `{"row":`...)
		text = strconv.AppendInt(text, int64(row), 10)
		text = append(text, tail...)
	}
	return text
}

// Rows decodes the outcomes of the given kinds, ordered by row.
func (r *Report) Rows(kinds RowKinds) ([]RowOutcome, error) {
	text, err := r.RowsNDJSON(kinds)
	if err != nil {
		return nil, err
	}
	var rows []RowOutcome
	scanner := bufio.NewScanner(bytes.NewReader(text))
	scanner.Buffer(make([]byte, 64*1024), len(text)+1)
	for scanner.Scan() {
		line := scanner.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var row RowOutcome
		if err := decodeResult("Report.Rows", string(line), &row); err != nil {
			return nil, err
		}
		if string(row.Contact) == "null" {
			row.Contact = nil
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Rejects returns every row that was not accepted (rejected, invalid, duplicate, notSent).
func (r *Report) Rejects() ([]RowOutcome, error) { return r.Rows(RowsFailed) }
