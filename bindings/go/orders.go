package yespo

// Bulk orders (POST /orders, at most 1000 a request) and events (POST /api/v2/event, one a
// request): the library's upsert job with Kind "orders" or "events", fed like contacts.

import "context"

// OrderItem is one item of an order (ExternalItemID and Name required).
type OrderItem struct {
	ExternalItemID string   `json:"externalItemId"`
	Name           string   `json:"name"`
	Category       string   `json:"category,omitempty"`
	Quantity       *float64 `json:"quantity,omitempty"`
	Cost           *float64 `json:"cost,omitempty"`
	URL            string   `json:"url,omitempty"`
	ImageURL       string   `json:"imageUrl,omitempty"`
}

// Order is one order of POST /orders. Status is INITIALIZED, IN_PROGRESS, DELIVERED, CANCELLED
// or ABANDONED_SHOPPING_CART; Email or Phone is required. The same ExternalOrderID twice: the
// later one wins. Orders create missing contacts and never update existing ones.
type Order struct {
	ExternalOrderID    string      `json:"externalOrderId"`
	ExternalCustomerID string      `json:"externalCustomerId"`
	TotalCost          float64     `json:"totalCost"`
	Status             string      `json:"status"`
	Date               string      `json:"date"`
	Currency           string      `json:"currency"`
	Email              string      `json:"email,omitempty"`
	Phone              string      `json:"phone,omitempty"`
	FirstName          string      `json:"firstName,omitempty"`
	LastName           string      `json:"lastName,omitempty"`
	Taxes              *float64    `json:"taxes,omitempty"`
	Shipping           *float64    `json:"shipping,omitempty"`
	Discount           *float64    `json:"discount,omitempty"`
	DeliveryAddress    string      `json:"deliveryAddress,omitempty"`
	Items              []OrderItem `json:"items,omitempty"`
}

// UpsertOrders adds or updates orders in bulk; each order is one row of the report (from 1, in
// slice order). Only SkipValidation, DryRun, Progress, ProgressInterval and BatchSize of opts apply.
func (c *Client) UpsertOrders(ctx context.Context, orders []Order, opts UpsertOptions) (*Report, error) {
	opts.Kind = "orders"
	return upsertRows(ctx, c, "UpsertOrders", orders, opts, addAsJSON[Order])
}

// UpsertEvents generates events, one request each, in parallel; each event is one row. A 4xx
// answer makes the event rejected with the server's text.
func (c *Client) UpsertEvents(ctx context.Context, events []Event, opts UpsertOptions) (*Report, error) {
	opts.Kind = "events"
	return upsertRows(ctx, c, "UpsertEvents", events, opts, addAsJSON[Event])
}

// UpsertOrdersFile streams a CSV (one line per item, order columns repeated, item columns
// "item.name" …; consecutive lines of one externalOrderId are one order), NDJSON or JSON file.
func (c *Client) UpsertOrdersFile(ctx context.Context, path string, opts UpsertOptions) (*Report, error) {
	opts.Kind = "orders"
	return c.UpsertFile(ctx, path, opts)
}

// UpsertEventsFile streams a CSV (eventTypeKey, optional keyValue, every other column a
// parameter), NDJSON or JSON file of events.
func (c *Client) UpsertEventsFile(ctx context.Context, path string, opts UpsertOptions) (*Report, error) {
	opts.Kind = "events"
	return c.UpsertFile(ctx, path, opts)
}

// upsertRows feeds a slice of rows to one job, in NDJSON batches: `add` appends one row's line
// (the contacts' hand-written encoder, or encoding/json for orders and events).
func upsertRows[T any](ctx context.Context, c *Client, op string, rows []T, opts UpsertOptions,
	add func(*ndjsonBatch, *T) error) (*Report, error) {
	j, err := c.beginJob(ctx, op, &opts)
	if err != nil {
		return nil, err
	}
	batch := newBatch(opts.BatchSize)
	var feedErr error
	for i := range rows {
		if err := add(batch, &rows[i]); err != nil {
			feedErr = invalidArgument(op, "row %d cannot be encoded: %v", i+1, err)
			break
		}
		if batch.full() {
			stopped, err := batch.flush(j)
			if stopped || err != nil {
				feedErr = err
				break
			}
		}
	}
	if feedErr == nil {
		_, feedErr = batch.flush(j)
	}
	return j.end(len(rows), feedErr)
}

// addAsJSON appends a row as encoding/json writes it.
func addAsJSON[T any](b *ndjsonBatch, row *T) error { return b.addJSON(row) }
