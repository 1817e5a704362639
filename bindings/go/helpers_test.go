package yespo_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	yespo "github.com/yespo-client/yespo-go"
	"github.com/yespo-client/yespo-go/yespotest"
)

const testKey = "test-key"

// startEmulator starts a fresh emulator; imports apply at once unless args say otherwise.
func startEmulator(t *testing.T, args ...string) *yespotest.Emulator {
	t.Helper()
	return yespotest.Start(t, append([]string{"--import-delay-ms", "0"}, args...)...)
}

// newClient makes a client for the emulator with fast retries; closed at the end of the test.
func newClient(t *testing.T, emu *yespotest.Emulator, opts ...yespo.Option) *yespo.Client {
	t.Helper()
	return newClientWithKey(t, emu, testKey, opts...)
}

func newClientWithKey(t *testing.T, emu *yespotest.Emulator, key string, opts ...yespo.Option) *yespo.Client {
	t.Helper()
	base := []yespo.Option{
		yespo.WithBaseURL(emu.APIURL()),
		yespo.WithConcurrency(4),
		yespo.WithRateLimit(0),
		yespo.WithRetryBackoff(10*time.Millisecond, 200*time.Millisecond),
		yespo.WithMaxRetries(8),
	}
	c, err := yespo.NewClient(key, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// contact is the standard row i (1-based) of bindings/scenarios.md.
func contact(i int) yespo.Contact {
	return yespo.Contact{
		Channels:  []yespo.Channel{yespo.Email(fmt.Sprintf("user%05d@example.com", i))},
		FirstName: fmt.Sprintf("First%d", i),
		LastName:  fmt.Sprintf("Last%d", i),
	}
}

func contacts(n int) []yespo.Contact {
	all := make([]yespo.Contact, n)
	for i := range all {
		all[i] = contact(i + 1)
	}
	return all
}

// checkAddsUp asserts the report's invariant: every row has exactly one outcome.
func checkAddsUp(t *testing.T, r *yespo.Report) {
	t.Helper()
	sum := r.Accepted + r.Rejected + r.Invalid + r.Duplicates + r.NotSent
	if sum != r.Total || !r.Complete {
		t.Fatalf("outcomes do not add up: %d+%d+%d+%d+%d != %d (complete=%v)",
			r.Accepted, r.Rejected, r.Invalid, r.Duplicates, r.NotSent, r.Total, r.Complete)
	}
	rows, err := r.Rows(yespo.RowsAll)
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	if len(rows) != r.Total {
		t.Fatalf("Rows(all) has %d rows, report says %d", len(rows), r.Total)
	}
	for i, row := range rows {
		if row.Row != i+1 {
			t.Fatalf("row %d listed at position %d", row.Row, i+1)
		}
	}
}

// checkUnfedTail asserts that the report's unfed rows are its last rows, each notSent with
// yespo.UnfedReason, and that no earlier row carries that reason.
func checkUnfedTail(t *testing.T, r *yespo.Report) {
	t.Helper()
	notSent, err := r.Rows(yespo.RowsNotSent)
	if err != nil {
		t.Fatalf("Rows(notSent): %v", err)
	}
	if len(notSent) != r.NotSent {
		t.Fatalf("Rows(notSent) has %d rows, report says %d", len(notSent), r.NotSent)
	}
	unfed := 0
	for _, row := range notSent {
		if row.Reason == yespo.UnfedReason {
			unfed++
			if row.Row <= r.Total-r.Unfed {
				t.Fatalf("row %d is unfed but the library saw %d rows", row.Row, r.Total-r.Unfed)
			}
		}
	}
	if unfed != r.Unfed {
		t.Fatalf("%d rows have the unfed reason, Unfed = %d", unfed, r.Unfed)
	}
}

// checkNoGoroutineLeak records the goroutine count now and, when the test ends (after the other
// cleanups: register it first), waits for the count to come back.
func checkNoGoroutineLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for {
			now := runtime.NumGoroutine()
			if now <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				t.Errorf("goroutines: %d before, %d after\n%s", before, now, buf[:n])
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
