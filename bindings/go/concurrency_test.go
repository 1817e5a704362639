package yespo_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	yespo "github.com/yespo-client/yespo-go"
)

// 64 goroutines share one client: jobs and single calls interleave; -race checks the binding.
func TestSixtyFourGoroutinesShareOneClient(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	client := newClient(t, emu, yespo.WithChunkSize(40))
	ctx := context.Background()

	const workers, perWorker = 64, 60
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			batch := make([]yespo.Contact, perWorker)
			for i := range batch {
				batch[i] = contact(w*perWorker + i + 1)
			}
			var progressCalls int
			report, err := client.UpsertContacts(ctx, batch, yespo.UpsertOptions{
				BatchSize: 25,
				Progress:  func(yespo.Progress) { progressCalls++ },
			})
			if err != nil {
				errs <- fmt.Errorf("worker %d upsert: %v", w, err)
				return
			}
			if report.Accepted != perWorker || report.Total != perWorker || progressCalls == 0 {
				errs <- fmt.Errorf("worker %d: report %+v, %d progress calls", w, report, progressCalls)
				return
			}
			id, err := client.AddContact(ctx, yespo.Contact{Channels: []yespo.Channel{
				yespo.Email(fmt.Sprintf("single%02d@example.com", w))}})
			if err != nil {
				errs <- fmt.Errorf("worker %d add: %v", w, err)
				return
			}
			got, err := client.GetContact(ctx, id)
			if err != nil || got.ID != id {
				errs <- fmt.Errorf("worker %d get: %+v %v", w, got, err)
				return
			}
			if _, err := client.Stats(); err != nil {
				errs <- err
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	emu.FlushImports()
	if got := emu.Summary().Contacts; got != workers*perWorker+workers {
		t.Fatalf("emulator has %d contacts, want %d", got, workers*perWorker+workers)
	}
}

// residentBytes is this process's RSS from /proc (Linux).
func residentBytes(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm on this system")
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// Jobs, reports, errors and single calls in a loop: C memory must not grow with the iterations.
func TestNoCMemoryGrowthOverManyJobs(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	client := newClient(t, emu)
	ctx := context.Background()
	batch := contacts(200)
	round := func(i int) {
		report, err := client.UpsertContacts(ctx, batch, yespo.UpsertOptions{})
		if err != nil || report.Accepted != len(batch) {
			t.Fatalf("round %d: %v", i, err)
		}
		if _, err := report.Rows(yespo.RowsAll); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			report.Close() // the rest are freed by the finalizer
		}
		if _, err := client.GetContact(ctx, 999_999_999); err == nil { // an error object each time
			t.Fatal("missing contact found")
		}
		if _, err := client.SearchContactsPage(ctx, yespo.ContactQuery{Email: "user00001@example.com"}, 1, 10); err != nil {
			t.Fatal(err)
		}
	}
	settle := func() int64 {
		runtime.GC()
		runtime.GC()
		debug.FreeOSMemory()
		return residentBytes(t)
	}
	for i := 0; i < 30; i++ {
		round(i)
	}
	emu.Reset()
	before := settle()
	for i := 0; i < 200; i++ {
		round(i)
		if i%50 == 49 {
			emu.Reset() // keep the emulator's own memory out of the picture (it is another process anyway)
		}
	}
	after := settle()
	growth := after - before
	t.Logf("RSS before %d KiB, after %d KiB, growth %d KiB over 200 rounds", before>>10, after>>10, growth>>10)
	if growth > 48<<20 {
		t.Fatalf("RSS grew by %d MiB over 200 rounds", growth>>20)
	}
}
