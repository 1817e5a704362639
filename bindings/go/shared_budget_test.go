package yespo_test

// The shared budget's options in the Go binding (the budget itself, across processes and doors
// with a real Redis, is tests/shared_budget): Redis unreachable at start is ErrTransport naming
// the URL without its password, or, with FallbackLocal, a start on the local budget that the
// report tells.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	yespo "github.com/yespo-client/yespo-go"
)

func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestSharedBudgetUnreachableIsTransportError(t *testing.T) {
	emu := startEmulator(t)
	port := closedPort(t)
	_, err := yespo.NewClient(testKey, yespo.WithBaseURL(emu.APIURL()), yespo.WithRateLimit(10),
		yespo.WithSharedBudget(fmt.Sprintf("redis://:hunter2@127.0.0.1:%d/0", port)))
	if !errors.Is(err, yespo.ErrTransport) {
		t.Fatalf("want ErrTransport, got %v", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, fmt.Sprintf("redis://127.0.0.1:%d/0", port)) || strings.Contains(msg, "hunter2") {
		t.Fatalf("message: %s", msg)
	}
	if _, err := yespo.NewClient(testKey, yespo.WithRateLimit(0),
		yespo.WithSharedBudget("redis://127.0.0.1:6379/0")); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Fatalf("a shared budget without a rate: want ErrInvalidArgument, got %v", err)
	}
}

func TestSharedBudgetLocalFallbackIsReported(t *testing.T) {
	emu := startEmulator(t)
	port := closedPort(t)
	c := newClient(t, emu, yespo.WithRateLimit(40), yespo.WithSharedBudgetName("go-options"),
		yespo.WithSharedBudgetProcesses(2), yespo.WithSharedBudgetFallback(yespo.FallbackLocal),
		yespo.WithSharedBudget(fmt.Sprintf("redis://:hunter2@127.0.0.1:%d/0", port)))
	report, err := c.UpsertContacts(context.Background(), contacts(20), yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer report.Close()
	b := report.SharedBudget
	if report.Accepted != 20 || b == nil {
		t.Fatalf("accepted %d, sharedBudget %v", report.Accepted, b)
	}
	if b.Name != "go-options" || b.Mode != "local" || b.Fallbacks != 1 || b.LocalRate != 20 ||
		b.FallbackSince == nil || b.Rejoined != nil || b.Reason == nil || strings.Contains(*b.Reason, "hunter2") {
		t.Fatalf("sharedBudget: %+v", *b)
	}
}

func TestNoSharedBudgetByDefault(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	report, err := c.UpsertContacts(context.Background(), contacts(3), yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer report.Close()
	if report.SharedBudget != nil {
		t.Fatalf("sharedBudget without one: %+v", *report.SharedBudget)
	}
}
