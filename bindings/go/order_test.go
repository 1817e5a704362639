package yespo_test

// Write order: rows of the same contact end as if imported one by one in input order (the
// library's write-order gate), UpsertOptions.AckOn, and the report fields that come with it.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	yespo "github.com/yespo-client/yespo-go"
	"github.com/yespo-client/yespo-go/yespotest"
)

// contactsWithTwin: contacts(n), except rows earlier and later are one contact, "Old" then "New".
func contactsWithTwin(n, earlier, later int) []yespo.Contact {
	all := contacts(n)
	all[earlier-1].Channels = []yespo.Channel{yespo.Email(dupEmail)}
	all[earlier-1].FirstName = "Old"
	all[later-1].Channels = []yespo.Channel{yespo.Email(dupEmail)}
	all[later-1].FirstName = "New"
	return all
}

// The library's regression scenario: rows 5 and 1500 are the same contact, and the first bulk
// request is dropped unanswered and retried while the other chunks go through.
func TestRetriedEarlierChunkDoesNotOverwriteALaterRow(t *testing.T) {
	emu := startEmulator(t)
	// The first attempt hangs 400ms before its connection is cut (the retry's own backoff is a
	// full-jitter draw that can be ~0), so the later chunks are surely admitted (row 1500 held
	// back behind row 5) before the first one is acknowledged.
	emu.SetFaults(1, yespotest.Fault{Method: "POST", Path: "/api/v1/contacts", Count: 1, Action: "stall", DelayMs: 400})
	client := newClient(t, emu, yespo.WithChunkSize(1000), yespo.WithConcurrency(4),
		yespo.WithRetryBackoff(300*time.Millisecond, 300*time.Millisecond))
	report, err := client.UpsertContacts(context.Background(), contactsWithTwin(6000, 5, 1500), yespo.UpsertOptions{})
	if err != nil {
		t.Fatalf("UpsertContacts: %v", err)
	}
	defer report.Close()
	checkAddsUp(t, report)
	if report.Total != 6000 || report.Accepted != 6000 || report.HeldForOrder < 1 || report.Unfed != 0 ||
		report.UnmappedFailureCount != 0 {
		t.Fatalf("report: %+v", report)
	}
	if got := emu.Stats().FaultsInjected; got != 1 {
		t.Fatalf("faults injected: %d", got)
	}
	emu.FlushImports()
	names := firstNamesByEmail(emu)
	if names[dupEmail] != "New" {
		t.Fatalf("%s ends with firstName %q, want \"New\": an older row overwrote a newer one", dupEmail, names[dupEmail])
	}
	if len(names) != 5999 {
		t.Fatalf("emulator has %d emails, want 5999", len(names))
	}
}

func TestAckOnFinishedWaitsForTheEarlierImport(t *testing.T) {
	emu := startEmulator(t, "--import-delay-ms", "100")
	client := newClient(t, emu, yespo.WithChunkSize(100),
		yespo.WithImportPolling(20*time.Millisecond, time.Minute))
	report, err := client.UpsertContacts(context.Background(), contactsWithTwin(400, 5, 350),
		yespo.UpsertOptions{AckOn: yespo.AckFinished})
	if err != nil {
		t.Fatalf("UpsertContacts: %v", err)
	}
	defer report.Close()
	checkAddsUp(t, report)
	if report.Accepted != 400 || report.HeldForOrder < 1 {
		t.Fatalf("report: %+v", report)
	}
	accepted, err := report.Rows(yespo.RowsAccepted)
	if err != nil {
		t.Fatal(err)
	}
	// Waiting for the imports attaches contact ids, as Wait does.
	for _, row := range accepted {
		if row.ContactID == 0 || row.AcceptedBy != "" {
			t.Fatalf("row %+v", row)
		}
	}
	for _, c := range report.Chunks {
		if c.ImportStatus == nil || *c.ImportStatus != "FINISHED" {
			t.Fatalf("chunk %+v", c)
		}
	}
	if got := firstNamesByEmail(emu)[dupEmail]; got != "New" {
		t.Fatalf("%s ends with %q", dupEmail, got)
	}

	// AckAccepted is the default, also when given.
	report2, err := client.UpsertContacts(context.Background(), contacts(10), yespo.UpsertOptions{AckOn: yespo.AckAccepted})
	if err != nil || report2.Accepted != 10 {
		t.Fatalf("AckAccepted: %v, %+v", err, report2)
	}
}

func TestBadAckOnIsAClearError(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu)
	for _, value := range []string{"finish", "Accepted", " accepted"} {
		_, err := client.UpsertContacts(context.Background(), contacts(1), yespo.UpsertOptions{AckOn: value})
		if !errors.Is(err, yespo.ErrInvalidArgument) || !strings.Contains(err.Error(), "ackOn") ||
			!strings.Contains(err.Error(), `"accepted" or "finished"`) {
			t.Fatalf("AckOn %q: err = %v", value, err)
		}
		_, err = client.UpsertFile(context.Background(), "/nonexistent.csv", yespo.UpsertOptions{AckOn: value})
		if !errors.Is(err, yespo.ErrInvalidArgument) {
			t.Fatalf("UpsertFile AckOn %q: err = %v", value, err)
		}
	}
	if got := emu.Stats().BulkRequests; got != 0 {
		t.Fatalf("%d bulk requests sent", got)
	}
}

func TestReportDecodesOrderFields(t *testing.T) {
	var r yespo.Report
	summary := `{"rows":3,"accepted":3,"rejected":0,"invalid":0,"duplicates":0,"notSent":0,"complete":true,
		"acceptedByDuplicatedRequest":2,"heldForOrder":1,"unmappedFailureCount":101,
		"unmappedFailures":[{"chunk":0,"reason":"bad phone"},{"chunk":2,"reason":"who?"}],
		"fatal":null,"cancelled":false,"dryRun":false,"chunks":[]}`
	if err := json.Unmarshal([]byte(summary), &r); err != nil {
		t.Fatal(err)
	}
	if r.AcceptedByDuplicatedRequest != 2 || r.HeldForOrder != 1 || r.UnmappedFailureCount != 101 ||
		len(r.UnmappedFailures) != 2 || r.UnmappedFailures[1] != (yespo.UnmappedFailure{Chunk: 2, Reason: "who?"}) {
		t.Fatalf("report: %+v", &r)
	}
	var row yespo.RowOutcome
	line := `{"row":1,"outcome":"accepted","reason":null,"asyncSessionId":null,"contactId":null,` +
		`"acceptedBy":"duplicatedRequest","contact":null,"raw":null}`
	if err := json.Unmarshal([]byte(line), &row); err != nil {
		t.Fatal(err)
	}
	if row.AcceptedBy != yespo.AcceptedByDuplicatedRequest {
		t.Fatalf("row: %+v", row)
	}
}

// Rows handed to the library show AcceptedBy "" when their own request was answered.
func TestRowsCarryAcceptedBy(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu)
	report, err := client.UpsertContacts(context.Background(), contacts(3), yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := report.Rows(yespo.RowsAll)
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows %v: %v", rows, err)
	}
	for _, row := range rows {
		if row.Outcome != yespo.OutcomeAccepted || row.AcceptedBy != "" {
			t.Fatalf("row %+v", row)
		}
	}
	if report.AcceptedByDuplicatedRequest != 0 || report.UnmappedFailureCount != 0 || len(report.UnmappedFailures) != 0 {
		t.Fatalf("report %+v", report)
	}
}

// The request is processed but its answer is cut off; the retry meets "Duplicated request".
func TestDuplicatedRequestMarksRowsAcceptedBy(t *testing.T) {
	emu := startEmulator(t, "--duplicate-window-ms", "5000")
	emu.SetFaults(1, yespotest.Fault{Method: "POST", Path: "/api/v1/contacts", Count: 1, Action: "dropMidResponse"})
	client := newClient(t, emu)
	report, err := client.UpsertContacts(context.Background(), contacts(100), yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if report.Accepted != 100 || report.AcceptedByDuplicatedRequest != 100 {
		t.Fatalf("report: %+v", report)
	}
	rows, err := report.Rows(yespo.RowsAccepted)
	if err != nil || len(rows) != 100 {
		t.Fatalf("rows: %d, %v", len(rows), err)
	}
	for _, row := range rows {
		if row.AcceptedBy != yespo.AcceptedByDuplicatedRequest {
			t.Fatalf("row %+v", row)
		}
	}
}

// failedContacts entries carrying only a message cannot be tied to a row: the rows stay accepted
// and the entries are listed.
func TestFailuresNamingNoRowAreListedUnmapped(t *testing.T) {
	emu := startEmulator(t, "--failed-shape", "message")
	emu.SetFaults(1, yespotest.Fault{Method: "POST", Path: "/api/v1/contacts", Probability: 1, Action: "rejectRows",
		Match: []string{emailOf(3), emailOf(7), emailOf(60)}})
	client := newClient(t, emu, yespo.WithChunkSize(50))
	report, err := client.UpsertContacts(context.Background(), contacts(100), yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if report.Accepted != 100 || report.Rejected != 0 || report.UnmappedFailureCount != 3 || len(report.UnmappedFailures) != 3 {
		t.Fatalf("report: %+v", report)
	}
	chunks := map[int]int{}
	for _, u := range report.UnmappedFailures {
		if u.Reason != "rejected by fault rule" {
			t.Fatalf("unmapped %+v", u)
		}
		chunks[u.Chunk]++
	}
	if chunks[0] != 2 || chunks[1] != 1 {
		t.Fatalf("unmapped by chunk: %v", chunks)
	}
}
