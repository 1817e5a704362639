package yespo_test

import (
	"context"
	"encoding/base64"
	"errors"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	yespo "github.com/yespo-client/yespo-go"
	"github.com/yespo-client/yespo-go/yespotest"
)

// Each kind of failure from the server or the network maps to its sentinel and keeps its status.
func TestErrorsMapToSentinels(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	var logMu sync.Mutex
	var lines []string
	client := newClient(t, emu, yespo.WithMaxRetries(1), yespo.WithTimeout(time.Second),
		yespo.WithLogFunc(func(level yespo.LogLevel, msg string) {
			logMu.Lock()
			defer logMu.Unlock()
			lines = append(lines, level.String()+": "+msg)
		}, yespo.LogDebug))
	ctx := context.Background()
	get := "/api/v1/contact/*"
	cases := []struct {
		name   string
		fault  yespotest.Fault
		want   error
		status int
	}{
		{"429 after retries", yespotest.Fault{Method: "GET", Path: get, Probability: 1, Action: "status", Status: 429}, yespo.ErrRateLimited, 429},
		{"500 after retries", yespotest.Fault{Method: "GET", Path: get, Probability: 1, Action: "status", Status: 500}, yespo.ErrHTTP, 500},
		{"garbage body", yespotest.Fault{Method: "GET", Path: get, Probability: 1, Action: "garbage"}, yespo.ErrProtocol, 0},
		{"stalled server", yespotest.Fault{Method: "GET", Path: get, Probability: 1, Action: "stall", DelayMs: 3000}, yespo.ErrTimeout, 0},
	}
	for _, tc := range cases {
		emu.SetFaults(1, tc.fault)
		_, err := client.GetContact(ctx, 1)
		var apiErr *yespo.APIError
		if !errors.Is(err, tc.want) || !errors.As(err, &apiErr) {
			t.Fatalf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if tc.status != 0 && apiErr.Status != tc.status {
			t.Fatalf("%s: status %d, want %d", tc.name, apiErr.Status, tc.status)
		}
		if apiErr.Message == "" || !strings.Contains(err.Error(), "GetContact") {
			t.Fatalf("%s: error text %q", tc.name, err.Error())
		}
	}
	emu.ClearFaults()
	logMu.Lock()
	if len(lines) == 0 {
		t.Fatal("no log line at debug level through failing calls")
	}
	logMu.Unlock()

	// Nothing listens on a port we just closed: a transport error.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + listener.Addr().String() + "/api/v1"
	listener.Close()
	dead, err := yespo.NewClient(testKey, yespo.WithBaseURL(deadURL), yespo.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	if _, err := dead.GetContact(ctx, 1); !errors.Is(err, yespo.ErrTransport) {
		t.Fatalf("closed port: %v", err)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestWithLoggerWritesLibraryLines(t *testing.T) {
	emu := startEmulator(t)
	var out lockedBuffer
	client := newClient(t, emu, yespo.WithLogger(log.New(&out, "", 0), yespo.LogDebug))
	if _, err := client.UpsertContacts(context.Background(), contacts(10), yespo.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	client.Close()
	if text := out.String(); !strings.Contains(text, "yespo ") || strings.Contains(text, testKey) {
		t.Fatalf("log output: %q", text)
	}
}

// A server echoing the key (a combining mark right after it) and its Basic-auth form: the Go
// logger sees both masked.
func TestLoggerNeverSeesTheKeyEchoedByTheServer(t *testing.T) {
	emu := startEmulator(t)
	basic := base64.StdEncoding.EncodeToString([]byte(":" + testKey))
	emu.SetConfig(map[string]any{"duplicateBody": "Duplicated request: " + testKey + "\u0301 Basic " + basic})
	emu.SetFaults(1, yespotest.Fault{Method: "POST", Path: "/api/v1/contacts", Count: 1, Action: "duplicated"})
	var out lockedBuffer
	client := newClient(t, emu, yespo.WithLogger(log.New(&out, "", 0), yespo.LogDebug))
	report, err := client.UpsertContacts(context.Background(), contacts(5), yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
	text := out.String()
	if report.AcceptedByDuplicatedRequest != 5 || !strings.Contains(text, "Duplicated request: [redacted]") {
		t.Fatalf("accepted by duplicated request %d; log: %q", report.AcceptedByDuplicatedRequest, text)
	}
	if strings.Contains(text, testKey) || strings.Contains(text, basic) {
		t.Fatalf("the key leaked into the log: %q", text)
	}
}
