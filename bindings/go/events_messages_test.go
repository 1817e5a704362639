package yespo_test

// Issue 13's calls over real HTTP: against a recording server (net/http/httptest, what went over
// the wire) and against the emulator, whose routes for events, orders and messages come from the
// emulator branch orders-emu (skipped, with that reason, where the emulator in use lacks them).

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	yespo "github.com/yespo-client/yespo-go"
)

type recorded struct {
	Method, Path, Query string
	Body                map[string]any
}

type recorder struct {
	mu       sync.Mutex
	requests []recorded
	status   int
	answer   string
	server   *httptest.Server
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{status: 200}
	r.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		var body map[string]any
		if len(raw) > 0 {
			_ = json.Unmarshal(raw, &body)
		}
		r.mu.Lock()
		r.requests = append(r.requests, recorded{req.Method, req.URL.Path, req.URL.RawQuery, body})
		status, answer := r.status, r.answer
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(answer))
	}))
	t.Cleanup(r.server.Close)
	return r
}

func (r *recorder) client(t *testing.T, opts ...yespo.Option) *yespo.Client {
	t.Helper()
	c, err := yespo.NewClient(testKey, append([]yespo.Option{yespo.WithBaseURL(r.server.URL + "/api/v1"), yespo.WithMaxRetries(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// reply sets the status and body of the next answers.
func (r *recorder) reply(status int, answer string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.answer = status, answer
}

func (r *recorder) got() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.requests...)
}

func TestSendEventUsesTheV2URL(t *testing.T) {
	r := newRecorder(t)
	c := r.client(t)
	ctx := context.Background()
	err := c.SendEvent(ctx, yespo.Event{EventTypeKey: "cart-2", Params: []yespo.EventParam{{Name: "email", Value: "a@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SendEvent(ctx, yespo.Event{EventTypeKey: "paid", KeyValue: "crm-1"}); err != nil {
		t.Fatal(err)
	}
	got := r.got()
	if len(got) != 2 || got[0].Path != "/api/v2/event" || got[1].Path != "/api/v2/event" || got[0].Method != "POST" {
		t.Fatalf("requests: %+v", got)
	}
	if got[0].Body["eventTypeKey"] != "cart-2" || got[1].Body["keyValue"] != "crm-1" {
		t.Fatalf("bodies: %+v", got)
	}

	// the override, and a base URL the v2 URL cannot be derived from
	o := newRecorder(t)
	c2 := r.client(t, yespo.WithBaseURL("http://127.0.0.1:9/custom"), yespo.WithBaseURLV2(o.server.URL+"/v2"))
	if err := c2.SendEvent(ctx, yespo.Event{EventTypeKey: "x", KeyValue: "k"}); err != nil {
		t.Fatal(err)
	}
	if g := o.got(); len(g) != 1 || g[0].Path != "/v2/event" {
		t.Fatalf("override: %+v", g)
	}
	c3 := r.client(t, yespo.WithBaseURL("http://127.0.0.1:9/custom"))
	if err := c3.SendEvent(ctx, yespo.Event{EventTypeKey: "x", KeyValue: "k"}); !errors.Is(err, yespo.ErrInvalidArgument) ||
		!strings.Contains(err.Error(), "WithBaseURLV2") {
		t.Fatalf("underivable v2 URL: %v", err)
	}
}

func TestBadEventsAndOrderDeletesAreRejectedBeforeSending(t *testing.T) {
	r := newRecorder(t)
	c := r.client(t)
	ctx := context.Background()
	for _, e := range []yespo.Event{
		{EventTypeKey: "cart"},
		{EventTypeKey: "cart", Params: []yespo.EventParam{{Name: "total", Value: "1"}}},
		{EventTypeKey: "", KeyValue: "k"},
		{EventTypeKey: strings.Repeat("a", 101), KeyValue: "k"},
		{EventTypeKey: "a,b", KeyValue: "k"},
	} {
		if err := c.SendEvent(ctx, e); !errors.Is(err, yespo.ErrInvalidArgument) {
			t.Errorf("%+v: %v", e, err)
		}
	}
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	if err := c.DeleteOrdersBetween(ctx, day, day.Add(24*time.Hour+time.Second)); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Errorf("25 h window: %v", err)
	}
	if err := c.DeleteOrdersBetween(ctx, day, day.Add(-time.Hour)); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Errorf("backwards window: %v", err)
	}
	if err := c.DeleteOrder(ctx, ""); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Errorf("empty id: %v", err)
	}
	if _, err := c.SendEmail(ctx, yespo.EmailMessage{From: "s@example.com", Subject: "x", Emails: []string{"a@example.com"}}); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Errorf("email without a body: %v", err)
	}
	if _, err := c.SendSMS(ctx, yespo.SMSMessage{From: "S", Text: "t"}); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Errorf("sms without numbers: %v", err)
	}
	if _, err := c.SendPreparedMessage(ctx, 0, yespo.PreparedMessage{Recipients: []string{"a@example.com"}}); !errors.Is(err, yespo.ErrInvalidArgument) {
		t.Errorf("message id 0: %v", err)
	}
	if g := r.got(); len(g) != 0 {
		t.Fatalf("sent anyway: %+v", g)
	}
}

func TestOrdersDeleteAndMessagesOverTheWire(t *testing.T) {
	r := newRecorder(t)
	c := r.client(t)
	ctx := context.Background()
	if err := c.DeleteOrder(ctx, "ord-1"); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	if err := c.DeleteOrdersBetween(ctx, from, from.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r.reply(200, `{"results":{"status":"OK"}}`)
	answer, err := c.SendEmail(ctx, yespo.EmailMessage{From: "s@example.com", Subject: "Hi", HTMLText: "<p>x</p>",
		Emails: []string{"a@example.com"}, Extra: map[string]any{"tags": []string{"t"}}})
	if err != nil || string(answer) != `{"results":{"status":"OK"}}` {
		t.Fatalf("SendEmail: %s %v", answer, err)
	}
	if _, err := c.SendSMS(ctx, yespo.SMSMessage{From: "S", Text: "t", PhoneNumbers: []string{"380501234567"}}); err != nil {
		t.Fatal(err)
	}
	r.reply(200, "")
	answer, err = c.SendPreparedMessage(ctx, 9, yespo.PreparedMessage{Recipients: []string{"a@example.com"}, Params: map[string]string{"n": "v"}})
	if err != nil || string(answer) != "{}" {
		t.Fatalf("SendPreparedMessage: %s %v", answer, err)
	}
	got := r.got()
	want := []string{"DELETE /api/v1/orders externalOrderId=ord-1",
		"DELETE /api/v1/orders from=2026-11-30T08%3A00%3A00Z&to=2026-11-30T10%3A00%3A00Z",
		"POST /api/v1/message/email ", "POST /api/v1/message/sms ", "POST /api/v1/message/9/send "}
	for i, w := range want {
		if i >= len(got) || got[i].Method+" "+got[i].Path+" "+got[i].Query != w {
			t.Fatalf("request %d: want %q, got %+v", i, w, got)
		}
	}
	if got[2].Body["htmlText"] != "<p>x</p>" || got[2].Body["tags"] == nil || got[4].Body["params"] == nil {
		t.Fatalf("bodies: %+v", got)
	}
}

// emulatorHas says whether the emulator in use serves a route (the orders-emu branch adds them).
func emulatorHas(t *testing.T, url, method, body string) bool {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.SetBasicAuth("", testKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode != 404 && resp.StatusCode != 405
}

func TestEventsOrdersMessagesAgainstTheEmulator(t *testing.T) {
	emu := startEmulator(t)
	if !emulatorHas(t, emu.URL+"/api/v2/event", "POST", `{"eventTypeKey":"probe","keyValue":"p"}`) {
		t.Skip("this emulator has no POST /api/v2/event yet (branch orders-emu)")
	}
	emu.ResetStats()
	c := newClient(t, emu)
	ctx := context.Background()
	if err := c.SendEvent(ctx, yespo.Event{EventTypeKey: "cart", KeyValue: "go@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteOrder(ctx, "o-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendSMS(ctx, yespo.SMSMessage{From: "S", Text: "t", PhoneNumbers: []string{"380507778899"}}); err != nil {
		t.Fatal(err)
	}
	routes := emu.Stats().ByRoute
	if routes["POST /api/v2/event"] != 1 || routes["DELETE /api/v1/orders"] != 1 || routes["POST /api/v1/message/sms"] != 1 {
		t.Fatalf("routes: %v", routes)
	}
}
