package yespo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	yespo "github.com/yespo-client/yespo-go"
	"github.com/yespo-client/yespo-go/yespotest"
)

func TestUpsertContactsReportsEveryRow(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	client := newClient(t, emu, yespo.WithChunkSize(500))

	input := contacts(2000)
	input[6].Channels = []yespo.Channel{yespo.Email("not-an-email-7")}
	input[76].Channels = []yespo.Channel{}
	input[776].Channels = []yespo.Channel{yespo.Email("user 777@example.com")}

	var mu sync.Mutex
	var last yespo.Progress
	calls := 0
	report, err := client.UpsertContacts(context.Background(), input, yespo.UpsertOptions{
		GroupNames: []string{"go-basic"},
		Progress: func(p yespo.Progress) {
			mu.Lock()
			defer mu.Unlock()
			last, calls = p, calls+1
		},
		ProgressInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("UpsertContacts: %v", err)
	}
	defer report.Close()
	checkAddsUp(t, report)
	if report.Total != 2000 || report.Accepted != 1997 || report.Invalid != 3 || report.Unfed != 0 {
		t.Fatalf("report: %+v", report)
	}
	if len(report.Chunks) != 4 {
		t.Fatalf("want 4 chunks of 500, got %d", len(report.Chunks))
	}
	rejects, err := report.Rejects()
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	for _, r := range rejects {
		if r.Outcome != yespo.OutcomeInvalid || r.Reason == "" || r.Contact == nil {
			t.Fatalf("reject: %+v", r)
		}
		rows = append(rows, r.Row)
	}
	if len(rows) != 3 || rows[0] != 7 || rows[1] != 77 || rows[2] != 777 {
		t.Fatalf("invalid rows: %v", rows)
	}
	mu.Lock()
	if calls == 0 || !last.Done || last.Accepted != 1997 || last.Invalid != 3 {
		t.Fatalf("last progress (%d calls): %+v", calls, last)
	}
	mu.Unlock()

	emu.FlushImports()
	if got := emu.Summary().Contacts; got != 1997 {
		t.Fatalf("emulator has %d contacts, want 1997", got)
	}
	found := false
	for _, g := range emu.Groups() {
		found = found || (g.Name == "go-basic" && g.Size == 1997)
	}
	if !found {
		t.Fatalf("segment go-basic with 1997 contacts missing: %+v", emu.Groups())
	}
	report.Close()
	if _, err := report.Rows(yespo.RowsAll); !errors.Is(err, yespo.ErrState) {
		t.Fatalf("Rows after Close: %v", err)
	}
}

func TestUpsert100kContacts(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	client := newClient(t, emu)
	const n = 100_000
	report, err := client.UpsertContacts(context.Background(), contacts(n), yespo.UpsertOptions{BatchSize: 5000})
	if err != nil {
		t.Fatalf("UpsertContacts: %v", err)
	}
	defer report.Close()
	checkAddsUp(t, report)
	if report.Accepted != n || len(report.Chunks) != 34 {
		t.Fatalf("accepted %d in %d chunks, want %d in 34", report.Accepted, len(report.Chunks), n)
	}
	emu.FlushImports()
	if got := emu.Summary().Contacts; got != n {
		t.Fatalf("emulator has %d contacts, want %d", got, n)
	}
	if got := emu.Stats().ContactsReceived; got != n {
		t.Fatalf("emulator received %d contacts, want %d", got, n)
	}
}

func TestUpsertRejectedRows(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu, yespo.WithChunkSize(1000))
	input := contacts(3000)
	emu.SetFaults(1,
		yespotest.Fault{Method: "POST", Path: "/api/v1/contacts", Probability: 1, Action: "rejectRows",
			Match: []string{"user00010@example.com", "user02000@example.com"}},
	)
	report, err := client.UpsertContacts(context.Background(), input, yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, report)
	rejects, _ := report.Rejects()
	if report.Rejected != 2 || len(rejects) != 2 || rejects[0].Row != 10 || rejects[1].Row != 2000 ||
		rejects[0].Outcome != yespo.OutcomeRejected || rejects[0].Reason == "" {
		t.Fatalf("rejects %+v of report %+v", rejects, report)
	}

	// A 400 for a chunk holding one bad row: the library isolates that row.
	emu.Reset()
	emu.SetFaults(1, yespotest.Fault{Method: "POST", Path: "/api/v1/contacts", Probability: 1,
		Action: "badRequestRows", Match: []string{"user01500@example.com"}})
	report, err = client.UpsertContacts(context.Background(), input, yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, report)
	rejects, _ = report.Rejects()
	if report.Accepted != 2999 || len(rejects) != 1 || rejects[0].Row != 1500 {
		t.Fatalf("bad-request rows: %+v, report %+v", rejects, report)
	}
	emu.FlushImports()
	if got := emu.Summary().Contacts; got != 2999 {
		t.Fatalf("emulator has %d contacts, want 2999", got)
	}
}

func TestUpsertRecoversFrom429And5xx(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu, yespo.WithChunkSize(500))
	emu.SetFaults(1,
		yespotest.Fault{Method: "POST", Path: "/api/v1/contacts", Count: 3, Action: "status", Status: 429},
		yespotest.Fault{Method: "POST", Path: "/api/v1/contacts", Count: 2, After: 4, Action: "status", Status: 503},
		yespotest.Fault{Method: "POST", Path: "/api/v1/contacts", Count: 1, After: 6, Action: "drop"},
	)
	report, err := client.UpsertContacts(context.Background(), contacts(6000), yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, report)
	// libcurl itself may redo a request whose reused connection was dropped, unseen by the count.
	if report.Accepted != 6000 || report.Retries < 5 {
		t.Fatalf("report: accepted %d retries %d, emulator %+v", report.Accepted, report.Retries, emu.Stats())
	}
	if got := emu.Stats().FaultsInjected; got != 6 {
		t.Fatalf("faults injected: %d", got)
	}
	emu.FlushImports()
	if got := emu.Summary().Contacts; got != 6000 {
		t.Fatalf("emulator has %d contacts", got)
	}
}

func TestUpsertStreamFromChannel(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	client := newClient(t, emu)
	ch := make(chan yespo.Contact)
	go func() {
		defer close(ch)
		for i := 1; i <= 5000; i++ {
			ch <- contact(i)
		}
	}()
	report, err := client.UpsertStream(context.Background(), ch, yespo.UpsertOptions{BatchSize: 700})
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, report)
	if report.Accepted != 5000 {
		t.Fatalf("accepted %d", report.Accepted)
	}
}

func TestUpsertFuncIterator(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu)
	i := 0
	report, err := client.UpsertFunc(context.Background(), func() (yespo.Contact, bool, error) {
		if i == 1234 {
			return yespo.Contact{}, false, nil
		}
		i++
		return contact(i), true, nil
	}, yespo.UpsertOptions{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, report)
	if report.Accepted != 1234 {
		t.Fatalf("accepted %d", report.Accepted)
	}

	// A failing source: what was read is still sent, and the source's error comes back.
	boom := errors.New("source broke")
	i = 0
	report, err = client.UpsertFunc(context.Background(), func() (yespo.Contact, bool, error) {
		if i == 250 {
			return yespo.Contact{}, false, boom
		}
		i++
		return contact(i), true, nil
	}, yespo.UpsertOptions{BatchSize: 100})
	if !errors.Is(err, boom) || report == nil || report.Accepted != 250 {
		t.Fatalf("failing source: %v, %+v", err, report)
	}
}

func TestUpsertNDJSONAndFile(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu)
	ndjson := `{"channels":[{"type":"email","value":"a@example.com"}]}
not json at all

{"channels":[{"type":"sms","value":"+38 (094) 258-36-91"}],"firstName":"Phone"}
[1,2]
`
	report, err := client.UpsertNDJSON(context.Background(), strings.NewReader(ndjson),
		yespo.UpsertOptions{DedupeOn: "email_or_sms"})
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, report)
	if report.Total != 4 || report.Accepted != 2 || report.Invalid != 2 {
		t.Fatalf("ndjson report: %+v", report)
	}
	bad, _ := report.Rows(yespo.RowsInvalid)
	if len(bad) != 2 || bad[0].Row != 2 || bad[1].Row != 4 {
		t.Fatalf("invalid rows: %+v", bad)
	}

	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("Email,First name,Last name\n")
	for i := 1; i <= 300; i++ {
		c := contact(i)
		email := c.Channels[0].Value
		if i == 150 {
			email = "broken@"
		}
		csv.WriteString(email + "," + c.FirstName + "," + c.LastName + "\n")
	}
	path := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	report, err = client.UpsertFile(context.Background(), path, yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, report)
	bad, _ = report.Rejects()
	if report.Accepted != 299 || len(bad) != 1 || bad[0].Row != 150 {
		t.Fatalf("csv report %+v rejects %+v", report, bad)
	}
}

func TestUpsertDryRunSendsNothing(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu)
	report, err := client.UpsertContacts(context.Background(), contacts(100), yespo.UpsertOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !report.DryRun || report.Total != 100 {
		t.Fatalf("dry run report: %+v", report)
	}
	if got := emu.Stats().BulkRequests; got != 0 {
		t.Fatalf("dry run sent %d bulk requests", got)
	}
}

func TestUpsertWaitAttachesContactIDs(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu, yespo.WithImportPolling(20*time.Millisecond, time.Minute))
	report, err := client.UpsertContacts(context.Background(), contacts(50), yespo.UpsertOptions{Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := report.Rows(yespo.RowsAccepted)
	if len(rows) != 50 || rows[0].ContactID == 0 || rows[0].AsyncSessionID == "" {
		t.Fatalf("accepted rows: %d, first %+v", len(rows), rows[0])
	}
	contact, err := client.GetContact(context.Background(), rows[0].ContactID)
	if err != nil || contact.ChannelValue(yespo.ChannelEmail) != "user00001@example.com" {
		t.Fatalf("GetContact(%d): %+v, %v", rows[0].ContactID, contact, err)
	}
}
