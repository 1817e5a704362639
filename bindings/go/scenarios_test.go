package yespo_test

// The cross-binding scenarios of bindings/scenarios.md. With YESPO_SCENARIO_OUT=path the
// results are written as JSON so a check can compare them with the Python suite's.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yespo "github.com/yespo-client/yespo-go"
	"github.com/yespo-client/yespo-go/yespotest"
)

type scenarioFatal struct {
	Code   int `json:"code"`
	Status int `json:"status"`
}

type scenarioResult struct {
	Rows             int            `json:"rows"`
	Accepted         int            `json:"accepted"`
	Rejected         int            `json:"rejected"`
	Invalid          int            `json:"invalid"`
	Duplicates       int            `json:"duplicates"`
	NotSent          int            `json:"notSent"`
	Complete         bool           `json:"complete"`
	Cancelled        bool           `json:"cancelled"`
	Fatal            *scenarioFatal `json:"fatal"`
	Chunks           *int           `json:"chunks,omitempty"` // nil where timing decides it
	Failed           [][2]any       `json:"failed"`
	EmulatorContacts int            `json:"emulatorContacts"`
	// Emails used by several rows → the firstName the emulator ends with (repeated-keys only).
	FinalFirstNames map[string]string `json:"finalFirstNames,omitempty"`
}

// cancelResult is the "cancellation" scenario's result: only what does not depend on timing.
type cancelResult struct {
	Consumed                int            `json:"consumed"`
	Rows                    int            `json:"rows"`
	Cancelled               bool           `json:"cancelled"`
	Complete                bool           `json:"complete"`
	Fatal                   *scenarioFatal `json:"fatal"`
	AddsUp                  bool           `json:"addsUp"`
	RowsListed              bool           `json:"rowsListed"`
	FailedAreNotSent        bool           `json:"failedAreNotSent"`
	UnfedAreTheTail         bool           `json:"unfedAreTheTail"`
	EmulatorMatchesAccepted bool           `json:"emulatorMatchesAccepted"`
}

type scenario struct {
	name      string
	rows      int
	chunkSize int
	apiKey    string
	groups    []string
	faults    []yespotest.Fault
	input     func() []yespo.Contact // nil: contacts(rows)
	file      func(dir string) string
	check     func(t *testing.T, r scenarioResult)
	// noChunks leaves "chunks" out of the result (catch-up chunks of held rows vary with timing).
	noChunks bool
	// names adds finalFirstNames: the emulator's firstName of each email used by several rows.
	names bool
	// run, when set, replaces the standard upsert and result (the "cancellation" scenario).
	run func(t *testing.T, emu *yespotest.Emulator, client *yespo.Client) any
}

const dupEmail = "dup@order.example"

// repeatedKeyContacts: rows 5 and 1500 are one contact ("Old", then "New"); every row i > 1200
// with i % 97 == 0 reuses the email of row i-1200 (keeping its own firstName).
func repeatedKeyContacts() []yespo.Contact {
	all := contacts(6000)
	all[4].Channels = []yespo.Channel{yespo.Email(dupEmail)}
	all[4].FirstName = "Old"
	all[1499].Channels = []yespo.Channel{yespo.Email(dupEmail)}
	all[1499].FirstName = "New"
	for i := 1201; i <= 6000; i++ {
		if i%97 == 0 {
			all[i-1].Channels = []yespo.Channel{yespo.Email(emailOf(i - 1200))}
		}
	}
	return all
}

// lastFirstNames: email → firstName of its last row, for emails used by several rows.
func lastFirstNames(rows []yespo.Contact) map[string]string {
	seen := map[string]int{}
	last := map[string]string{}
	for _, c := range rows {
		email := c.ChannelValue(yespo.ChannelEmail)
		seen[email]++
		last[email] = c.FirstName
	}
	for email, n := range seen {
		if n < 2 {
			delete(last, email)
		}
	}
	return last
}

// firstNamesByEmail: email → firstName of the live emulator contact holding it.
func firstNamesByEmail(emu *yespotest.Emulator) map[string]string {
	names := map[string]string{}
	for _, c := range emu.Contacts() {
		if deleted, _ := c["deleted"].(bool); deleted {
			continue
		}
		first, _ := c["firstName"].(string)
		channels, _ := c["channels"].([]any)
		for _, ch := range channels {
			m, _ := ch.(map[string]any)
			if m["type"] == "email" {
				if v, ok := m["value"].(string); ok {
					names[v] = first
				}
			}
		}
	}
	return names
}

const cancelAt = 3000

// cancellationScenario: 10,000 rows from an iterator, handed over 1000 at a time; the iterator
// cancels ctx while producing row 3000, before handing it over.
func cancellationScenario(t *testing.T, emu *yespotest.Emulator, client *yespo.Client) any {
	emu.SetConfig(map[string]any{"latencyMs": 100})
	defer emu.SetConfig(map[string]any{"latencyMs": 0})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	consumed := 0
	next := func() (yespo.Contact, bool, error) {
		if consumed == 10_000 {
			return yespo.Contact{}, false, nil
		}
		consumed++
		if consumed == cancelAt {
			cancel()
		}
		return contact(consumed), true, nil
	}
	report, err := client.UpsertFunc(ctx, next, yespo.UpsertOptions{DedupeOn: "email", BatchSize: 1000})
	if report == nil {
		t.Fatalf("no report: %v", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	emu.FlushImports()
	rows, err := report.Rows(yespo.RowsAll)
	if err != nil {
		t.Fatal(err)
	}
	r := cancelResult{
		Consumed: consumed, Rows: report.Total, Cancelled: report.Cancelled, Complete: report.Complete,
		AddsUp:     report.Accepted+report.Rejected+report.Invalid+report.Duplicates+report.NotSent == report.Total,
		RowsListed: len(rows) == report.Total, FailedAreNotSent: true,
		UnfedAreTheTail:         report.Unfed >= 0 && report.Unfed <= report.NotSent,
		EmulatorMatchesAccepted: emu.Summary().Contacts == report.Accepted,
	}
	if report.Fatal != nil {
		r.Fatal = &scenarioFatal{Code: report.Fatal.Code, Status: report.Fatal.Status}
	}
	var unfed []int
	for i, row := range rows {
		r.RowsListed = r.RowsListed && row.Row == i+1
		if row.Outcome != yespo.OutcomeAccepted && row.Outcome != yespo.OutcomeNotSent {
			r.FailedAreNotSent = false
		}
		if strings.HasPrefix(row.Reason, "not handed to the job") {
			unfed = append(unfed, row.Row)
		}
	}
	r.UnfedAreTheTail = r.UnfedAreTheTail && len(unfed) == report.Unfed
	for i, row := range unfed {
		r.UnfedAreTheTail = r.UnfedAreTheTail && row == report.Total-report.Unfed+1+i
	}
	t.Logf("cancellation: %d rows, %d accepted, %d notSent (%d unfed)", report.Total, report.Accepted,
		report.NotSent, report.Unfed)
	return r
}

func emailOf(i int) string { return fmt.Sprintf("user%05d@example.com", i) }

func scenarios() []scenario {
	bulk := "/api/v1/contacts"
	return []scenario{
		{name: "basic", rows: 10_000, groups: []string{"scn-basic"},
			input: func() []yespo.Contact {
				all := contacts(10_000)
				all[6].Channels = []yespo.Channel{yespo.Email("not-an-email-7")}
				all[76].Channels = []yespo.Channel{}
				all[776].Channels = []yespo.Channel{yespo.Email("user 777@example.com")}
				return all
			},
			check: func(t *testing.T, r scenarioResult) {
				expect(t, r.Accepted == 9997 && r.Invalid == 3 && r.EmulatorContacts == 9997 &&
					failedRows(r) == "7:invalid,77:invalid,777:invalid", r)
			}},
		{name: "rejects", rows: 5000,
			faults: []yespotest.Fault{{Method: "POST", Path: bulk, Probability: 1, Action: "rejectRows",
				Match: []string{emailOf(10), emailOf(2000), emailOf(4999)}}},
			check: func(t *testing.T, r scenarioResult) {
				expect(t, r.Accepted == 4997 && r.Rejected == 3 && r.EmulatorContacts == 4997 &&
					failedRows(r) == "10:rejected,2000:rejected,4999:rejected", r)
			}},
		{name: "bad-request-rows", rows: 3000, chunkSize: 1000,
			faults: []yespotest.Fault{{Method: "POST", Path: bulk, Probability: 1, Action: "badRequestRows",
				Match: []string{emailOf(1500)}}},
			check: func(t *testing.T, r scenarioResult) {
				expect(t, r.Accepted == 2999 && r.Rejected == 1 && failedRows(r) == "1500:rejected", r)
			}},
		{name: "duplicates", rows: 2000,
			input: func() []yespo.Contact {
				all := contacts(2000)
				for i := 1901; i <= 2000; i++ {
					c := contact(i - 1900)
					c.Channels = []yespo.Channel{yespo.Email(strings.ToUpper(emailOf(i - 1900)))}
					all[i-1] = c
				}
				return all
			},
			check: func(t *testing.T, r scenarioResult) {
				expect(t, r.Duplicates == 100 && len(r.Failed) == 100 && r.EmulatorContacts == 1900, r)
			}},
		{name: "recovery", rows: 6000, chunkSize: 500,
			faults: []yespotest.Fault{
				{Method: "POST", Path: bulk, Count: 3, Action: "status", Status: 429},
				{Method: "POST", Path: bulk, Count: 2, After: 4, Action: "status", Status: 503},
			},
			check: func(t *testing.T, r scenarioResult) {
				expect(t, r.Accepted == 6000 && len(r.Failed) == 0 && r.EmulatorContacts == 6000, r)
			}},
		{name: "auth", rows: 100, apiKey: "wrong-key",
			check: func(t *testing.T, r scenarioResult) {
				expect(t, r.Fatal != nil && r.Fatal.Code == -5 && r.Fatal.Status == 401 && r.Accepted == 0 &&
					r.NotSent == 100 && len(r.Failed) == 100 && r.EmulatorContacts == 0, r)
			}},
		{name: "csv-file", rows: 1000,
			file: func(dir string) string {
				var b strings.Builder
				b.WriteString("Email,First name,Last name\n")
				for i := 1; i <= 1000; i++ {
					email := emailOf(i)
					if i == 500 {
						email = "broken@"
					}
					fmt.Fprintf(&b, "%s,First%d,Last%d\n", email, i, i)
				}
				path := filepath.Join(dir, "scenario.csv")
				if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
					panic(err)
				}
				return path
			},
			check: func(t *testing.T, r scenarioResult) {
				expect(t, r.Accepted == 999 && r.Invalid == 1 && failedRows(r) == "500:invalid", r)
			}},
		{name: "repeated-keys", rows: 6000, chunkSize: 1000, noChunks: true, names: true,
			faults: []yespotest.Fault{{Method: "POST", Path: bulk, Count: 1, Action: "drop"}},
			input:  repeatedKeyContacts,
			check: func(t *testing.T, r scenarioResult) {
				want := lastFirstNames(repeatedKeyContacts())
				expect(t, r.Accepted == 6000 && r.Duplicates == 0 && len(r.Failed) == 0 && r.EmulatorContacts == 5950 &&
					len(want) == 50 && want[dupEmail] == "New" && reflect.DeepEqual(r.FinalFirstNames, want), r)
			}},
		{name: "cancellation", rows: cancelAt, chunkSize: 500, run: cancellationScenario},
	}
}

func expect(t *testing.T, ok bool, r scenarioResult) {
	t.Helper()
	if !ok {
		b, _ := json.Marshal(r)
		t.Fatalf("unexpected result: %.2000s", b)
	}
}

func failedRows(r scenarioResult) string {
	parts := make([]string, len(r.Failed))
	for i, f := range r.Failed {
		parts[i] = fmt.Sprintf("%v:%v", f[0], f[1])
	}
	return strings.Join(parts, ",")
}

func TestCrossBindingScenarios(t *testing.T) {
	emu := yespotest.Start(t, "--import-delay-ms", "50")
	results := map[string]any{}
	for _, sc := range scenarios() {
		sc := sc
		t.Run(sc.name, func(t *testing.T) {
			emu.Reset()
			if sc.faults != nil {
				emu.SetFaults(1, sc.faults...)
			}
			key := testKey
			if sc.apiKey != "" {
				key = sc.apiKey
			}
			opts := []yespo.Option{}
			if sc.chunkSize > 0 {
				opts = append(opts, yespo.WithChunkSize(sc.chunkSize))
			}
			client := newClientWithKey(t, emu, key, opts...)
			if sc.run != nil {
				result := sc.run(t, emu, client)
				want := cancelResult{Consumed: cancelAt, Rows: cancelAt, Cancelled: true, Complete: true,
					Fatal: &scenarioFatal{Code: yespo.CodeCancelled}, AddsUp: true, RowsListed: true,
					FailedAreNotSent: true, UnfedAreTheTail: true, EmulatorMatchesAccepted: true}
				if !reflect.DeepEqual(result, want) {
					b, _ := json.Marshal(result)
					t.Fatalf("unexpected result: %s", b)
				}
				results[sc.name] = result
				return
			}
			upsert := yespo.UpsertOptions{DedupeOn: "email", GroupNames: sc.groups, BatchSize: 5000}
			var report *yespo.Report
			var err error
			switch {
			case sc.file != nil:
				report, err = client.UpsertFile(context.Background(), sc.file(t.TempDir()), upsert)
			case sc.input != nil:
				report, err = client.UpsertContacts(context.Background(), sc.input(), upsert)
			default:
				report, err = client.UpsertContacts(context.Background(), contacts(sc.rows), upsert)
			}
			if report == nil {
				t.Fatalf("no report: %v", err)
			}
			if err != nil && report.Fatal == nil {
				t.Fatalf("upsert: %v", err)
			}
			checkAddsUp(t, report)
			emu.FlushImports()
			result := summarize(t, report, emu.Summary().Contacts)
			if sc.noChunks {
				result.Chunks = nil
			}
			if sc.names {
				names := firstNamesByEmail(emu)
				result.FinalFirstNames = map[string]string{}
				for email := range lastFirstNames(sc.input()) {
					result.FinalFirstNames[email] = names[email]
				}
			}
			if result.Rows != sc.rows {
				t.Fatalf("rows %d, want %d", result.Rows, sc.rows)
			}
			sc.check(t, result)
			results[sc.name] = result
		})
	}
	if t.Failed() {
		return
	}
	b, err := json.MarshalIndent(results, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("YESPO_SCENARIO_OUT"); path != "" {
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if path := os.Getenv("YESPO_SCENARIO_COMPARE"); path != "" {
		compareScenarioFiles(t, b, path)
	}
}

// compareScenarioFiles checks our results against another binding's file: equal as JSON values.
func compareScenarioFiles(t *testing.T, ours []byte, path string) {
	theirsText, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("YESPO_SCENARIO_COMPARE: %v", err)
	}
	var a, b map[string]any
	if err := json.Unmarshal(ours, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(theirsText, &b); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			t.Errorf("scenario %q is in %s but not in the Go results", name, path)
		}
	}
	for name, mine := range a {
		theirs, ok := b[name]
		if !ok {
			t.Errorf("scenario %q missing from %s", name, path)
			continue
		}
		if reflect.DeepEqual(mine, theirs) {
			continue
		}
		m, _ := mine.(map[string]any)
		o, _ := theirs.(map[string]any)
		for key := range o {
			if _, ok := m[key]; !ok {
				t.Errorf("scenario %q: key %q only in %s", name, key, path)
			}
		}
		for key, v := range m {
			if !reflect.DeepEqual(v, o[key]) {
				vt, _ := json.Marshal(v)
				ot, _ := json.Marshal(o[key])
				t.Errorf("scenario %q, %q differs:\n go:    %.600s\n other: %.600s", name, key, vt, ot)
			}
		}
	}
}

func summarize(t *testing.T, r *yespo.Report, emulatorContacts int) scenarioResult {
	failed, err := r.Rejects()
	if err != nil {
		t.Fatal(err)
	}
	chunks := len(r.Chunks)
	result := scenarioResult{
		Rows: r.Total, Accepted: r.Accepted, Rejected: r.Rejected, Invalid: r.Invalid,
		Duplicates: r.Duplicates, NotSent: r.NotSent, Complete: r.Complete, Cancelled: r.Cancelled,
		Chunks: &chunks, Failed: [][2]any{}, EmulatorContacts: emulatorContacts,
	}
	if r.Fatal != nil {
		result.Fatal = &scenarioFatal{Code: r.Fatal.Code, Status: r.Fatal.Status}
	}
	for _, f := range failed {
		result.Failed = append(result.Failed, [2]any{f.Row, f.Outcome})
	}
	return result
}
