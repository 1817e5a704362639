package yespo_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	yespo "github.com/yespo-client/yespo-go"
)

func TestSingleContactCalls(t *testing.T) {
	checkNoGoroutineLeak(t)
	emu := startEmulator(t)
	client := newClient(t, emu)
	ctx := context.Background()

	id, err := client.AddContact(ctx, yespo.Contact{
		ExternalCustomerID: "crm-1",
		FirstName:          "Ada",
		Channels:           []yespo.Channel{yespo.Email("ada@example.com"), yespo.SMS("380942583691")},
		Address:            &yespo.Address{Town: "London"},
		LanguageCode:       "en",
	})
	if err != nil || id <= 0 {
		t.Fatalf("AddContact: %d, %v", id, err)
	}
	got, err := client.GetContact(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != id || got.FirstName != "Ada" || got.ExternalCustomerID != "crm-1" ||
		got.ChannelValue(yespo.ChannelEmail) != "ada@example.com" || got.Address == nil || got.Address.Town != "London" {
		t.Fatalf("GetContact: %+v", got)
	}
	got.FirstName = "Augusta"
	if err := client.UpdateContact(ctx, id, *got); err != nil {
		t.Fatal(err)
	}
	if again, _ := client.GetContact(ctx, id); again == nil || again.FirstName != "Augusta" {
		t.Fatalf("after update: %+v", again)
	}
	if err := client.UpdateContact(ctx, 99_999_999, *got); !errors.Is(err, yespo.ErrNotFound) {
		t.Fatalf("update of a missing contact: %v", err)
	}

	subID, err := client.Subscribe(ctx, yespo.SubscribeRequest{
		Contact:  yespo.Contact{Channels: []yespo.Channel{yespo.Email("sub@example.com")}},
		Groups:   []string{"Subscribers"},
		FormType: "footer",
	})
	if err != nil || subID <= 0 || subID == id {
		t.Fatalf("Subscribe: %d, %v", subID, err)
	}
	stored := emu.Contact(subID)
	if stored["source"] != "subscriptionForm" || stored["confirmed"] != false {
		t.Fatalf("subscribed contact: %v", stored)
	}

	found, err := client.SearchContacts(ctx, yespo.ContactQuery{Email: "ada@example.com"}).All()
	if err != nil || len(found) != 1 || found[0].ID != id {
		t.Fatalf("search: %+v, %v", found, err)
	}

	if err := client.DeleteContact(ctx, id); err != nil {
		t.Fatal(err)
	}
	_, err = client.GetContact(ctx, id)
	var apiErr *yespo.APIError
	if !errors.Is(err, yespo.ErrNotFound) || !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Fatalf("get after delete: %v", err)
	}
	if err := client.DeleteContact(ctx, id); !errors.Is(err, yespo.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}

	if _, err := client.AddContact(ctx, yespo.Contact{ExternalCustomerID: "crm-2",
		Channels: []yespo.Channel{yespo.Email("bob@example.com")}}); err != nil {
		t.Fatal(err)
	}
	if err := client.DeleteContactByExternalID(ctx, "crm-2", true); err != nil {
		t.Fatal(err)
	}
	if err := client.DeleteContactByExternalID(ctx, "crm-2", false); !errors.Is(err, yespo.ErrNotFound) {
		t.Fatalf("delete of an erased contact: %v", err)
	}

	if err := client.Unsubscribe(ctx, []string{"sub@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := client.Resubscribe(ctx, []string{"sub@example.com"}); err != nil {
		t.Fatal(err)
	}
	stats, err := client.Stats()
	if err != nil || stats.Requests < 10 {
		t.Fatalf("Stats: %+v, %v", stats, err)
	}
	if yespo.Version() == "" {
		t.Fatal("empty version")
	}
}

func TestSearchIteratesPages(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu)
	ctx := context.Background()
	input := contacts(23)
	for i := range input {
		input[i].LastName = "Pager"
	}
	if _, err := client.UpsertContacts(ctx, input, yespo.UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	emu.FlushImports()
	it := client.SearchContacts(ctx, yespo.ContactQuery{LastName: "Pager", PageSize: 5})
	seen := map[string]bool{}
	for it.Next() {
		c := it.Contact()
		seen[c.ChannelValue(yespo.ChannelEmail)] = true
	}
	if it.Err() != nil || len(seen) != 23 || it.Total() != 23 {
		t.Fatalf("iterated %d distinct contacts (total %d), err %v", len(seen), it.Total(), it.Err())
	}
	requests := emu.Stats().ByRoute["GET /api/v1/contacts"]
	if requests != 5 {
		t.Fatalf("want 5 page requests, got %d", requests)
	}
	none, err := client.SearchContacts(ctx, yespo.ContactQuery{Email: "nobody@example.com"}).All()
	if err != nil || len(none) != 0 {
		t.Fatalf("empty search: %v %v", none, err)
	}
}

func TestImportsAndSegments(t *testing.T) {
	emu := startEmulator(t, "--import-delay-ms", "200")
	client := newClient(t, emu, yespo.WithImportPolling(20*time.Millisecond, time.Minute))
	ctx := context.Background()

	report, err := client.UpsertContacts(ctx, contacts(30), yespo.UpsertOptions{GroupNames: []string{"go-seg"}})
	if err != nil {
		t.Fatal(err)
	}
	session := report.Chunks[0].AsyncSessionID
	if session == nil || *session == "" {
		t.Fatalf("no async session id: %+v", report.Chunks)
	}
	status, err := client.ImportStatus(ctx, *session)
	if err != nil || status.Status == "" {
		t.Fatalf("ImportStatus: %+v %v", status, err)
	}
	status, err = client.WaitForImport(ctx, *session)
	if err != nil || status.Status != yespo.ImportFinished || len(status.Mapping) != 30 {
		t.Fatalf("WaitForImport: %+v %v", status, err)
	}
	// A wait longer than the ctx allows ends with the ctx's deadline.
	pending, err := client.UpsertContacts(ctx, contacts(3), yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 60*time.Millisecond)
	defer cancel()
	if _, err := client.WaitForImport(short, *pending.Chunks[0].AsyncSessionID); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitForImport past the deadline: %v", err)
	}
	if _, err := client.ImportStatus(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, yespo.ErrNotFound) {
		t.Fatalf("unknown session: %v", err)
	}

	segments, err := client.ListSegments(ctx, yespo.SegmentQuery{Name: "go-seg"})
	if err != nil || len(segments) != 1 || segments[0].Name != "go-seg" {
		t.Fatalf("ListSegments: %+v %v", segments, err)
	}
	group := segments[0].ID
	members, err := client.SegmentContacts(ctx, group, 7).All()
	if err != nil || len(members) != 30 {
		t.Fatalf("SegmentContacts: %d %v", len(members), err)
	}

	added, err := client.AddContact(ctx, yespo.Contact{Channels: []yespo.Channel{yespo.Email("extra@example.com")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.AttachToSegment(ctx, group, yespo.SegmentMembers{ContactIDs: []int64{added}}); err != nil {
		t.Fatal(err)
	}
	if n := segmentSize(t, client, group); n != 31 {
		t.Fatalf("after attach: %d", n)
	}
	if err := client.DetachFromSegment(ctx, group, yespo.SegmentMembers{ContactIDs: []int64{added, status.Mapping[0].ContactID}}); err != nil {
		t.Fatal(err)
	}
	if n := segmentSize(t, client, group); n != 29 {
		t.Fatalf("after detach: %d", n)
	}
	if err := client.DetachAllFromSegment(ctx, group); err != nil {
		t.Fatal(err)
	}
	if n := segmentSize(t, client, group); n != 0 {
		t.Fatalf("after detach all: %d", n)
	}
}

func segmentSize(t *testing.T, client *yespo.Client, group int64) int {
	t.Helper()
	all, err := client.SegmentContacts(context.Background(), group, 500).All()
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

func TestUploadFromURL(t *testing.T) {
	emu := startEmulator(t)
	client := newClient(t, emu, yespo.WithImportPolling(20*time.Millisecond, time.Minute))
	ctx := context.Background()

	// The API fetches the CSV from the caller's own server: serve one on loopback.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("Email,First name\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&csv, "up%02d@example.com,Up%d\n", i, i)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write([]byte(csv.String()))
	})}
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(func() { server.Close() })

	session, err := client.UploadFromURL(ctx, yespo.UploadRequest{
		Link: "http://" + listener.Addr().String() + "/people.csv", DedupeOn: "email", GroupNames: []string{"uploaded"},
	})
	if err != nil || session == "" {
		t.Fatalf("UploadFromURL: %q %v", session, err)
	}
	status, err := client.WaitForImport(ctx, session)
	if err != nil || status.Status != yespo.ImportFinished {
		t.Fatalf("upload import: %+v %v", status, err)
	}
	found, err := client.SearchContacts(ctx, yespo.ContactQuery{Email: "up07@example.com"}).All()
	if err != nil || len(found) != 1 || found[0].FirstName != "Up7" {
		t.Fatalf("uploaded contact: %+v %v", found, err)
	}
}
