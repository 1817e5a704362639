package yespo_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yespo "github.com/yespo-client/yespo-go"
)

func goOrder(n int, status string) yespo.Order {
	one := 1.0
	return yespo.Order{ExternalOrderID: fmt.Sprintf("g-%d", n), ExternalCustomerID: fmt.Sprintf("c-%d", n), TotalCost: 9.5,
		Status: status, Date: "2025-01-01T00:00:00", Currency: "UAH", Email: fmt.Sprintf("Go%d@Example.com", n),
		Items: []yespo.OrderItem{{ExternalItemID: "i", Name: "Mug", Quantity: &one, Cost: &one}}}
}

func TestUpsertOrdersLaterWriteWins(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	var orders []yespo.Order
	for n := 0; n < 1100; n++ {
		orders = append(orders, goOrder(n, "INITIALIZED"))
	}
	for n := 0; n < 1100; n++ {
		orders = append(orders, goOrder(n, "DELIVERED"))
	}
	orders = append(orders, yespo.Order{ExternalOrderID: "bad"})
	r, err := c.UpsertOrders(context.Background(), orders, yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkAddsUp(t, r)
	if r.Accepted != 2200 || r.Invalid != 1 {
		t.Fatalf("accepted %d invalid %d", r.Accepted, r.Invalid)
	}
	var stored []map[string]any
	if err := emu.AdminE("GET", "orders", nil, &stored); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1100 {
		t.Fatalf("%d orders stored", len(stored))
	}
	for _, o := range stored {
		if o["status"] != "DELIVERED" {
			t.Fatalf("order %v has status %v", o["externalOrderId"], o["status"])
		}
	}
}

func TestUpsertOrdersFileAndContactOptionRefused(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	path := filepath.Join(t.TempDir(), "orders.csv")
	csv := "externalOrderId,externalCustomerId,status,date,currency,totalCost,email,item.externalItemId,item.name\n" +
		"f-1,c1,DELIVERED,2025-01-01,UAH,3,a@example.com,i1,Mug\n" +
		"f-1,c1,DELIVERED,2025-01-01,UAH,3,a@example.com,i2,Cup\n"
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := c.UpsertOrdersFile(context.Background(), path, yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Total != 1 || r.Accepted != 1 {
		t.Fatalf("total %d accepted %d", r.Total, r.Accepted)
	}
	_, err = c.UpsertOrders(context.Background(), []yespo.Order{goOrder(1, "DELIVERED")}, yespo.UpsertOptions{GroupNames: []string{"x"}})
	if err == nil || !strings.Contains(err.Error(), `"groupNames" cannot be used with "kind": "orders"`) {
		t.Fatalf("expected the option refused, got %v", err)
	}
}

func TestUpsertEventsKeys(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	var events []yespo.Event
	for n := 0; n < 40; n++ {
		events = append(events, yespo.Event{EventTypeKey: "goViewed", KeyValue: fmt.Sprintf("k%d", n),
			Params: []yespo.EventParam{{Name: "n", Value: fmt.Sprint(n)}}})
	}
	events = append(events, yespo.Event{EventTypeKey: "goViewed"})
	r, err := c.UpsertEvents(context.Background(), events, yespo.UpsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Accepted != 40 || r.Invalid != 1 {
		t.Fatalf("accepted %d invalid %d", r.Accepted, r.Invalid)
	}
	keys := map[string]bool{}
	for _, e := range emu.Events() {
		if e.Type == "goViewed" {
			keys[e.Key] = true
		}
	}
	if len(keys) != 40 {
		t.Fatalf("%d distinct keys", len(keys))
	}
}
