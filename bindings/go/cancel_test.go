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

// slowBulk makes every bulk request take a while, so that a job is surely mid-flight.
func slowBulk(emu *yespotest.Emulator) {
	emu.SetConfig(map[string]any{"latencyMs": 150})
}

func TestCancelContextStopsTheJob(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	slowBulk(emu)
	client := newClient(t, emu, yespo.WithChunkSize(100), yespo.WithConcurrency(2))

	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	start := time.Now()
	report, err := client.UpsertContacts(ctx, contacts(20_000), yespo.UpsertOptions{
		BatchSize:        500,
		ProgressInterval: 10 * time.Millisecond,
		Progress: func(p yespo.Progress) {
			if p.ChunksDone >= 2 {
				once.Do(cancel)
			}
		},
	})
	elapsed := time.Since(start)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, yespo.ErrCancelled) {
		t.Fatalf("err = %v, want context.Canceled and ErrCancelled", err)
	}
	var ctxErr *yespo.ContextError
	if !errors.As(err, &ctxErr) {
		t.Fatalf("err %T is not a *ContextError", err)
	}
	if report == nil {
		t.Fatal("no report after cancellation")
	}
	checkAddsUp(t, report)
	if !report.Cancelled || report.NotSent == 0 || report.Accepted == 0 {
		t.Fatalf("report: %+v", report)
	}
	// Every contact of the slice has an outcome: those never handed to the library are counted
	// in Total and NotSent, and again in Unfed.
	if report.Total != 20_000 || report.Unfed < 0 || report.Unfed > report.NotSent {
		t.Fatalf("total %d (want 20000), unfed %d, notSent %d", report.Total, report.Unfed, report.NotSent)
	}
	checkUnfedTail(t, report)
	// Accepted rows were really received; nothing that the report calls notSent was imported.
	emu.FlushImports()
	if got := emu.Summary().Contacts; got != report.Accepted {
		t.Fatalf("emulator has %d contacts, report says %d accepted", got, report.Accepted)
	}
	if elapsed > 30*time.Second {
		t.Fatalf("cancellation took %v", elapsed)
	}
}

func TestDeadlineStopsJobAndSingleCall(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	slowBulk(emu)
	client := newClient(t, emu, yespo.WithChunkSize(100), yespo.WithConcurrency(1))

	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	ch := make(chan yespo.Contact)
	go func() { // an endless producer: only the deadline ends this upsert
		defer close(ch)
		for i := 1; ; i++ {
			select {
			case ch <- contact(i):
			case <-ctx.Done():
				return
			}
		}
	}()
	report, err := client.UpsertStream(ctx, ch, yespo.UpsertOptions{})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, yespo.ErrTimeout) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if report == nil {
		t.Fatal("no report after the deadline")
	}
	checkAddsUp(t, report)
	if !report.Cancelled {
		t.Fatalf("report not cancelled: %+v", report)
	}

	// A single call held up by the server returns when ctx ends, not when the server answers.
	emu.SetFaults(1, yespotest.Fault{Method: "GET", Path: "/api/v1/contact/*", Probability: 1,
		Action: "delay", DelayMs: 3000})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel2()
	start := time.Now()
	_, err = client.GetContact(ctx2, 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetContact err = %v", err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("GetContact returned after %v", waited)
	}

	// An already-ended context does not start anything.
	done, cancel3 := context.WithCancel(context.Background())
	cancel3()
	if _, err := client.UpsertContacts(done, contacts(10), yespo.UpsertOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("upsert with a cancelled ctx: %v", err)
	}
	if _, err := client.AddContact(done, contact(1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("AddContact with a cancelled ctx: %v", err)
	}
}

func TestAuthFailure(t *testing.T) {
	emu := startEmulator(t)
	const wrongKey = "wrong-key-4d2f9"
	var logMu sync.Mutex
	var logs strings.Builder
	client := newClientWithKey(t, emu, wrongKey, yespo.WithLogFunc(func(level yespo.LogLevel, msg string) {
		logMu.Lock()
		defer logMu.Unlock()
		logs.WriteString(msg + "\n")
	}, yespo.LogDebug))

	report, err := client.UpsertContacts(context.Background(), contacts(100), yespo.UpsertOptions{})
	if !errors.Is(err, yespo.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	var apiErr *yespo.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Code != yespo.CodeAuth {
		t.Fatalf("APIError: %+v", apiErr)
	}
	checkAddsUp(t, report)
	if report.Fatal == nil || report.Fatal.Code != yespo.CodeAuth || report.Fatal.Status != 401 ||
		report.NotSent != 100 || report.Accepted != 0 {
		t.Fatalf("report: %+v fatal %+v", report, report.Fatal)
	}

	_, err = client.AddContact(context.Background(), contact(1))
	if !errors.Is(err, yespo.ErrUnauthorized) || !errors.As(err, &apiErr) || apiErr.Status != 401 {
		t.Fatalf("AddContact err = %v", err)
	}
	for _, text := range []string{err.Error(), apiErr.Message, report.Fatal.Message} {
		if strings.Contains(text, wrongKey) {
			t.Fatalf("API key leaked into %q", text)
		}
	}
	logMu.Lock()
	defer logMu.Unlock()
	if strings.Contains(logs.String(), wrongKey) {
		t.Fatal("API key leaked into the log")
	}
	if got := emu.Summary().Contacts; got != 0 {
		t.Fatalf("emulator has %d contacts", got)
	}
}

func TestBadInput(t *testing.T) {
	emu := startEmulator(t)
	ctx := context.Background()
	if _, err := yespo.NewClient(""); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Fatalf("empty key: %v", err)
	}
	for name, opt := range map[string]yespo.Option{
		"concurrency 0":   yespo.WithConcurrency(0),
		"chunk size 5000": yespo.WithChunkSize(5000),
		"max retries -1":  yespo.WithMaxRetries(-1),
	} {
		if c, err := yespo.NewClient(testKey, opt); !errors.Is(err, yespo.ErrInvalidArgument) {
			if c != nil {
				c.Close()
			}
			t.Fatalf("%s: err = %v", name, err)
		}
	}
	client := newClient(t, emu)
	if _, err := client.UpsertContacts(ctx, contacts(1), yespo.UpsertOptions{DedupeOn: "shoe-size"}); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Fatalf("bad dedupeOn: %v", err)
	}
	if _, err := client.UpsertFile(ctx, "/nonexistent/file.csv", yespo.UpsertOptions{}); !errors.Is(err, yespo.ErrIO) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := client.GetContact(ctx, -1); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Fatalf("GetContact(-1): %v", err)
	}
	if err := client.DetachFromSegment(ctx, 1, yespo.SegmentMembers{}); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Fatalf("empty detach: %v", err)
	}
	if _, err := client.ImportStatus(ctx, ""); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Fatalf("empty session id: %v", err)
	}
	// Invalid UTF-8 and hostile contacts are rows with outcomes, never a crash.
	weird := []yespo.Contact{
		{Channels: []yespo.Channel{yespo.Email("ok@example.com")}, FirstName: "\xff\xfe"},
		{Channels: []yespo.Channel{{Type: "pigeon", Value: "coo"}}},
		{Channels: []yespo.Channel{yespo.SMS("12")}},
		{Channels: []yespo.Channel{yespo.Email("x@example.com")}, FirstName: strings.Repeat("n", 41)},
	}
	report, err := client.UpsertContacts(ctx, weird, yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, report)
	if report.Total != 4 || report.Invalid < 3 {
		t.Fatalf("weird rows: %+v", report)
	}
}

func TestCloseCancelsAndRefuses(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	slowBulk(emu)
	client, err := yespo.NewClient(testKey, yespo.WithBaseURL(emu.APIURL()), yespo.WithChunkSize(100),
		yespo.WithConcurrency(1), yespo.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		report *yespo.Report
		err    error
	}
	done := make(chan result, 1)
	go func() {
		r, err := client.UpsertContacts(context.Background(), contacts(5000), yespo.UpsertOptions{})
		done <- result{r, err}
	}()
	time.Sleep(300 * time.Millisecond)
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if !errors.Is(r.err, yespo.ErrClosed) || r.report == nil || !r.report.Cancelled {
		t.Fatalf("upsert during Close: %v, %+v", r.err, r.report)
	}
	checkAddsUp(t, r.report)
	if _, err := client.GetContact(context.Background(), 1); !errors.Is(err, yespo.ErrClosed) {
		t.Fatalf("call after Close: %v", err)
	}
	if _, err := client.UpsertContacts(context.Background(), contacts(1), yespo.UpsertOptions{}); !errors.Is(err, yespo.ErrClosed) {
		t.Fatalf("upsert after Close: %v", err)
	}
	if err := client.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestCancelWhileWaitingForInputAndWhileReadingAFile(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	slowBulk(emu)
	client := newClient(t, emu, yespo.WithChunkSize(100), yespo.WithConcurrency(1))

	// A producer that never sends: the upsert must return when ctx ends.
	idle := make(chan yespo.Contact)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	report, err := client.UpsertStream(ctx, idle, yespo.UpsertOptions{})
	if !errors.Is(err, context.Canceled) || report == nil || !report.Cancelled || report.Total != 0 {
		t.Fatalf("idle stream: %v, %+v", err, report)
	}

	// A file read by the library itself is cancelled the same way.
	var csv strings.Builder
	csv.WriteString("Email\n")
	for i := 1; i <= 5000; i++ {
		csv.WriteString(contact(i).Channels[0].Value + "\n")
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline, cancel2 := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel2()
	report, err = client.UpsertFile(deadline, path, yespo.UpsertOptions{})
	if !errors.Is(err, context.DeadlineExceeded) || report == nil || !report.Cancelled {
		t.Fatalf("file: %v, %+v", err, report)
	}
	checkAddsUp(t, report)
	if report.NotSent == 0 || report.Accepted+report.NotSent+report.Invalid != report.Total {
		t.Fatalf("file report: %+v", report)
	}
}
