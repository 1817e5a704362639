package yespo

// Bulk upserts: contacts from a slice, a channel, an NDJSON reader or a file, streamed to one
// library job in NDJSON batches of a few thousand contacts per C call.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// UpsertOptions are the bulk options of POST /contacts plus the job's own settings.
type UpsertOptions struct {
	DedupeOn               string // email (default), sms, email_or_sms, id, fieldId, externalCustomerId, push, webpush
	FieldID                int64  // required with DedupeOn "fieldId"
	ContactFields          []string
	CustomFieldsIDs        []int64
	GroupNames             []string
	GroupNamesExclude      []string
	RestoreDeleted         bool
	EventKeyForNewContacts string

	// Kind is what the rows are: "contacts" ("", the default), "orders" or "events". UpsertOrders
	// and UpsertEvents (and their File forms) set it; the contact options above and Wait/AckOn
	// are refused with the other kinds.
	Kind string

	Wait           bool // poll /importstatus to the end and attach contact ids to accepted rows
	SkipValidation bool // send rows without client-side validation
	DryRun         bool // validate and plan chunks, send nothing

	// AckOn says when an earlier row of a contact (sharing an email, phone or
	// externalCustomerId) counts as done, so that a later row of it may be sent: AckAccepted
	// ("", the default: its request got HTTP 200) or AckFinished (its import session reported
	// FINISHED; implies waiting for the imports like Wait, so contact ids get attached). Either
	// way the final state equals importing the rows one by one in input order.
	AckOn string

	// Progress, when set, receives progress snapshots (on a goroutine of this package, at most
	// every ProgressInterval, default 500ms) and the final one before the upsert returns.
	Progress         func(Progress)
	ProgressInterval time.Duration

	// BatchSize is how many contacts cross into the library per call (default 2000).
	BatchSize int

	// File describes the file of UpsertFile.
	File FileOptions
}

// Values of UpsertOptions.AckOn.
const (
	AckAccepted = "accepted"
	AckFinished = "finished"
)

// FileOptions describe a file for UpsertFile.
type FileOptions struct {
	Format    string            // "csv", "ndjson" or "json"; default from the extension, else sniffed
	Columns   map[string]string // extra CSV column mapping: header → field name or custom field id
	Delimiter string            // CSV only; default: sniffed from the header line (, ; tab |)
	// Encoding of a file that is not UTF-8: "windows-1251", "windows-1252", "latin-1", "utf-16"
	// (converted while streaming; a byte order mark always wins). Default UTF-8.
	Encoding string
}

type upsertOptionsJSON struct {
	DedupeOn               string   `json:"dedupeOn,omitempty"`
	FieldID                int64    `json:"fieldId,omitempty"`
	ContactFields          []string `json:"contactFields,omitempty"`
	CustomFieldsIDs        []int64  `json:"customFieldsIDs,omitempty"`
	GroupNames             []string `json:"groupNames,omitempty"`
	GroupNamesExclude      []string `json:"groupNamesExclude,omitempty"`
	RestoreDeleted         bool     `json:"restoreDeleted,omitempty"`
	EventKeyForNewContacts string   `json:"eventKeyForNewContacts,omitempty"`
	Wait                   bool     `json:"wait,omitempty"`
	AckOn                  string   `json:"ackOn,omitempty"`
	Validate               *bool    `json:"validate,omitempty"`
	DryRun                 bool     `json:"dryRun,omitempty"`
	Kind                   string   `json:"kind,omitempty"`
}

func (o *UpsertOptions) json() (string, error) {
	v := upsertOptionsJSON{
		DedupeOn: o.DedupeOn, FieldID: o.FieldID, ContactFields: o.ContactFields,
		CustomFieldsIDs: o.CustomFieldsIDs, GroupNames: o.GroupNames, GroupNamesExclude: o.GroupNamesExclude,
		RestoreDeleted: o.RestoreDeleted, EventKeyForNewContacts: o.EventKeyForNewContacts,
		Wait: o.Wait, AckOn: o.AckOn, DryRun: o.DryRun, Kind: o.Kind,
	}
	if o.SkipValidation {
		off := false
		v.Validate = &off
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func (f *FileOptions) json() (string, error) {
	v := struct {
		Format    string            `json:"format,omitempty"`
		Columns   map[string]string `json:"columns,omitempty"`
		Delimiter string            `json:"delimiter,omitempty"`
		Encoding  string            `json:"encoding,omitempty"`
	}{f.Format, f.Columns, f.Delimiter, f.Encoding}
	b, err := json.Marshal(v)
	return string(b), err
}

const defaultBatchSize = 2000

// batchBytesCap flushes a batch early when its contacts are large.
const batchBytesCap = 4 << 20

// ndjsonBatch accumulates encoded contacts, one per line, in a buffer reused from batch to batch.
type ndjsonBatch struct {
	buf   []byte
	count int
	limit int
	// For rows other than contacts (addJSON): encoding/json, through a scratch buffer.
	enc     *json.Encoder
	scratch bytes.Buffer
}

func newBatch(limit int) *ndjsonBatch {
	if limit <= 0 {
		limit = defaultBatchSize
	}
	return &ndjsonBatch{limit: limit}
}

// add appends the contact's JSON line (appendContact: what encoding/json would write).
func (b *ndjsonBatch) add(c *Contact) {
	b.buf = append(appendContact(b.buf, c), '\n')
	b.count++
}

// addJSON appends any row as encoding/json writes it (orders, events: upsertRows).
func (b *ndjsonBatch) addJSON(v any) error {
	if b.enc == nil {
		b.enc = json.NewEncoder(&b.scratch)
		b.enc.SetEscapeHTML(false)
	}
	b.scratch.Reset()
	if err := b.enc.Encode(v); err != nil {
		return err
	}
	b.buf = append(b.buf, b.scratch.Bytes()...) // Encode ends the line
	b.count++
	return nil
}

func (b *ndjsonBatch) full() bool { return b.count >= b.limit || len(b.buf) >= batchBytesCap }

// flush feeds the batch to the job and empties it.
func (b *ndjsonBatch) flush(j *job) (stopped bool, err error) {
	stopped, err = j.feed(b.buf)
	b.buf = b.buf[:0]
	b.count = 0
	return stopped, err
}

// UpsertContacts adds or updates contacts in bulk. Every contact of the slice ends in exactly one
// row outcome of the report (rows numbered from 1 in slice order). On cancellation of ctx the
// job stops, rows not sent are reported notSent (contacts never handed to the library among them,
// counted again in Report.Unfed), and the error matches ErrCancelled and ctx.Err(). A job
// stopped by the server (e.g. a refused key) returns its report together with an *APIError.
func (c *Client) UpsertContacts(ctx context.Context, contacts []Contact, opts UpsertOptions) (*Report, error) {
	return upsertRows(ctx, c, "UpsertContacts", contacts, opts, func(b *ndjsonBatch, contact *Contact) error {
		b.add(contact)
		return nil
	})
}

// UpsertStream is UpsertContacts over a channel: it reads until the channel is closed or ctx
// ends. Contacts are handed over as soon as the channel has nothing ready, so a slow producer's
// rows are not held back. Report.Total counts the contacts received from the channel; none is
// received once ctx ended, nor after the job was seen to stop (at the latest at the next hand-over).
func (c *Client) UpsertStream(ctx context.Context, contacts <-chan Contact, opts UpsertOptions) (*Report, error) {
	const op = "UpsertStream"
	j, err := c.beginJob(ctx, op, &opts)
	if err != nil {
		return nil, err
	}
	batch := newBatch(opts.BatchSize)
	consumed := 0
	var feedErr error
	stopped := false
	for !stopped && feedErr == nil && ctx.Err() == nil {
		var contact Contact
		var ok bool
		select {
		case contact, ok = <-contacts:
		default:
			// Nothing ready: hand over what we have, then wait.
			if stopped, feedErr = batch.flush(j); stopped || feedErr != nil {
				continue
			}
			select {
			case contact, ok = <-contacts:
			case <-ctx.Done():
			}
		}
		if !ok {
			break
		}
		consumed++
		batch.add(&contact)
		if batch.full() {
			stopped, feedErr = batch.flush(j)
		}
	}
	if !stopped && feedErr == nil {
		_, feedErr = batch.flush(j)
	}
	return j.end(consumed, feedErr)
}

// UpsertFunc is UpsertContacts over an iterator: next returns the next contact and true, or
// false at the end. An error from next stops reading; the contacts already handed over are still
// sent, and the report comes back together with that error. Report.Total counts the contacts
// next returned; next is not called again once ctx ended, nor after the job was seen to stop (at
// the latest at the next hand-over).
func (c *Client) UpsertFunc(ctx context.Context, next func() (Contact, bool, error), opts UpsertOptions) (*Report, error) {
	const op = "UpsertFunc"
	j, err := c.beginJob(ctx, op, &opts)
	if err != nil {
		return nil, err
	}
	batch := newBatch(opts.BatchSize)
	consumed := 0
	var feedErr, sourceErr error
	stopped := false
	for !stopped && feedErr == nil && ctx.Err() == nil {
		contact, ok, err := next()
		if err != nil {
			sourceErr = fmt.Errorf("yespo: %s: the input failed after %d contacts: %w", op, consumed, err)
			break
		}
		if !ok {
			break
		}
		consumed++
		batch.add(&contact)
		if batch.full() {
			stopped, feedErr = batch.flush(j)
		}
	}
	if !stopped && feedErr == nil {
		_, feedErr = batch.flush(j)
	}
	if sourceErr != nil {
		feedErr = sourceErr
	}
	return j.end(consumed, feedErr)
}

// UpsertNDJSON streams contacts given as NDJSON (one JSON object per line) from r. Lines that
// are not valid contacts become "invalid" rows; a read error from r cancels the job.
func (c *Client) UpsertNDJSON(ctx context.Context, r io.Reader, opts UpsertOptions) (*Report, error) {
	const op = "UpsertNDJSON"
	j, err := c.beginJob(ctx, op, &opts)
	if err != nil {
		return nil, err
	}
	lines := 0
	feedErr := feedLines(j, r, &lines)
	return j.end(lines, feedErr)
}

// feedLines feeds whole lines of r in buffers of about 1 MiB, counting non-blank lines.
func feedLines(j *job, r io.Reader, lines *int) error {
	const block = 1 << 20
	buf := make([]byte, 0, 2*block)
	for {
		if cap(buf)-len(buf) < block {
			grown := make([]byte, len(buf), 2*cap(buf))
			copy(grown, buf)
			buf = grown
		}
		n, readErr := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		cut := bytes.LastIndexByte(buf, '\n') + 1
		if readErr == io.EOF {
			cut = len(buf)
		}
		if cut > 0 {
			*lines += countLines(buf[:cut])
			if stopped, err := j.feed(buf[:cut]); stopped || err != nil {
				return err
			}
			buf = buf[:copy(buf, buf[cut:])]
		}
		if readErr == io.EOF {
			return nil
		}
		if readErr != nil {
			j.cancel()
			return &APIError{Op: j.op, Code: CodeIO, Message: "reading the input: " + readErr.Error()}
		}
	}
}

func countLines(b []byte) int {
	n := 0
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			n++
		}
	}
	return n
}

// UpsertFile streams a CSV, NDJSON or JSON-array file (path "-" = standard input) through the
// library, which reads it itself in bounded memory; opts.File describes the format.
func (c *Client) UpsertFile(ctx context.Context, path string, opts UpsertOptions) (*Report, error) {
	const op = "UpsertFile"
	fileJSON, err := opts.File.json()
	if err != nil {
		return nil, invalidArgument(op, "cannot encode the file options: %v", err)
	}
	j, err := c.beginJob(ctx, op, &opts)
	if err != nil {
		return nil, err
	}
	feedErr := j.feedFile(path, fileJSON)
	if feedErr != nil {
		// The file could not be read at all: no row came in, nothing is worth sending.
		j.cancel()
	}
	return j.end(0, feedErr)
}

// end finishes the job; an input error wins over the report's own error but keeps the report.
func (j *job) end(consumed int, inputErr error) (*Report, error) {
	report, err := j.finish(consumed)
	if inputErr != nil {
		return report, inputErr
	}
	return report, err
}
