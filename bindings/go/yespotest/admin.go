package yespotest

// The emulator's admin API (/_emulator/...): state, stats, fault rules. Every helper fails the
// test on error, so call them from the test's goroutine; the *E variants return errors instead.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Summary is GET /_emulator/summary.
type Summary struct {
	Contacts int `json:"contacts"`
	Deleted  int `json:"deleted"`
	Groups   int `json:"groups"`
	Events   int `json:"events"`
	Imports  struct {
		Pending  int `json:"pending"`
		Finished int `json:"finished"`
		Error    int `json:"error"`
	} `json:"imports"`
}

// Stats is GET /_emulator/stats.
type Stats struct {
	Requests                  int            `json:"requests"`
	ByRoute                   map[string]int `json:"byRoute"`
	Statuses                  map[string]int `json:"statuses"`
	BulkRequests              int            `json:"bulkRequests"`
	ContactsReceived          int            `json:"contactsReceived"`
	BytesReceived             int64          `json:"bytesReceived"`
	MaxInFlight               int            `json:"maxInFlight"`
	MaxInFlightBulk           int            `json:"maxInFlightBulk"`
	PeakRequestsPerSecond     int            `json:"peakRequestsPerSecond"`
	PeakBulkRequestsPerSecond int            `json:"peakBulkRequestsPerSecond"`
	FaultsInjected            int            `json:"faultsInjected"`
}

// Fault is one fault rule (see docs/contracts.md §1); zero fields are left out.
type Fault struct {
	Method      string   `json:"method,omitempty"`
	Path        string   `json:"path,omitempty"`
	Count       int      `json:"count,omitempty"`
	Probability float64  `json:"probability,omitempty"`
	After       int      `json:"after,omitempty"`
	Action      string   `json:"action"`
	Status      int      `json:"status,omitempty"`
	RetryAfter  int      `json:"retryAfter,omitempty"`
	DelayMs     int      `json:"delayMs,omitempty"`
	Match       []string `json:"match,omitempty"`
	Fraction    float64  `json:"fraction,omitempty"`
}

// Group is one entry of GET /_emulator/groups.
type Group struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int    `json:"size"`
}

// Event is one entry of GET /_emulator/events.
type Event struct {
	Type   string         `json:"type"`
	Key    string         `json:"key"`
	Params map[string]any `json:"params"`
}

// AdminE performs one admin request and decodes the JSON answer into out (nil: ignore it).
func (e *Emulator) AdminE(method, path string, body any, out any) error {
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.URL+"/_emulator/"+path, reader)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s /_emulator/%s: HTTP %d: %s", method, path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s /_emulator/%s: %v in %.200q", method, path, err, data)
	}
	return nil
}

func (e *Emulator) admin(method, path string, body any, out any) {
	e.t.Helper()
	if err := e.AdminE(method, path, body, out); err != nil {
		e.t.Fatalf("yespotest: %v", err)
	}
}

// Summary returns the emulator's counts.
func (e *Emulator) Summary() Summary {
	e.t.Helper()
	var s Summary
	e.admin("GET", "summary", nil, &s)
	return s
}

// Stats returns the request statistics.
func (e *Emulator) Stats() Stats {
	e.t.Helper()
	var s Stats
	e.admin("GET", "stats", nil, &s)
	return s
}

// ResetStats zeroes the statistics.
func (e *Emulator) ResetStats() { e.t.Helper(); e.admin("POST", "stats/reset", nil, nil) }

// Reset forgets all contacts, groups, events, imports, faults and stats.
func (e *Emulator) Reset() { e.t.Helper(); e.admin("POST", "reset", nil, nil) }

// FlushImports applies every pending import now.
func (e *Emulator) FlushImports() { e.t.Helper(); e.admin("POST", "imports/flush", nil, nil) }

// SetFaults replaces the fault rules (seed drives probability and fraction).
func (e *Emulator) SetFaults(seed int64, rules ...Fault) {
	e.t.Helper()
	if rules == nil {
		rules = []Fault{}
	}
	e.admin("POST", "faults", map[string]any{"seed": seed, "rules": rules}, nil)
}

// ClearFaults removes every fault rule.
func (e *Emulator) ClearFaults() { e.t.Helper(); e.admin("DELETE", "faults", nil, nil) }

// Config returns the emulator's runtime configuration.
func (e *Emulator) Config() map[string]any {
	e.t.Helper()
	var c map[string]any
	e.admin("GET", "config", nil, &c)
	return c
}

// SetConfig merges the given keys into the configuration (e.g. {"rateLimitBulk": 5}).
func (e *Emulator) SetConfig(change map[string]any) {
	e.t.Helper()
	e.admin("POST", "config", change, nil)
}

// Contacts returns every stored contact (deleted ones included), as decoded JSON objects.
func (e *Emulator) Contacts() []map[string]any {
	e.t.Helper()
	var raw []byte
	e.admin("GET", "contacts", nil, &raw)
	var all []map[string]any
	scanner := bufio.NewScanner(bytes.NewReader(raw))
	scanner.Buffer(make([]byte, 64<<10), len(raw)+1)
	for scanner.Scan() {
		if len(bytes.TrimSpace(scanner.Bytes())) == 0 {
			continue
		}
		var c map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &c); err != nil {
			e.t.Fatalf("yespotest: contacts line %q: %v", scanner.Text(), err)
		}
		all = append(all, c)
	}
	return all
}

// Contact returns one stored contact by id (also a deleted one).
func (e *Emulator) Contact(id int64) map[string]any {
	e.t.Helper()
	var c map[string]any
	e.admin("GET", fmt.Sprintf("contacts/%d", id), nil, &c)
	return c
}

// Groups returns every segment with its size.
func (e *Emulator) Groups() []Group {
	e.t.Helper()
	var g []Group
	e.admin("GET", "groups", nil, &g)
	return g
}

// Events returns the recorded events.
func (e *Emulator) Events() []Event {
	e.t.Helper()
	var ev []Event
	e.admin("GET", "events", nil, &ev)
	return ev
}

// Imports returns the import sessions.
func (e *Emulator) Imports() []map[string]any {
	e.t.Helper()
	var im []map[string]any
	e.admin("GET", "imports", nil, &im)
	return im
}
