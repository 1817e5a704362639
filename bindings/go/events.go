package yespo

// Events (POST /api/v2/event, the v2 API beside the v1 base URL) and deleting orders
// (DELETE /orders). The library checks both before sending: see include/yespo.h.

/*
#include "yespo.h"
*/
import "C"

import (
	"context"
	"time"
)

// EventParam is one parameter of an event.
type EventParam struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Event is one event for SendEvent. EventTypeKey: at most 100 characters, none of
// ‹ ; ’ \ / | " ' ^ ? ! , >. It needs a key: KeyValue, or a param named contactId,
// externalCustomerId, email, phone or pushToken.
type Event struct {
	EventTypeKey string       `json:"eventTypeKey"`
	KeyValue     string       `json:"keyValue,omitempty"`
	Params       []EventParam `json:"params,omitempty"`
}

// SendEvent sends one event (POST {v2}/event; {v2} is WithBaseURLV2, else the base URL with /v1
// made /v2). A bad event is ErrInvalidArgument before anything is sent.
func (c *Client) SendEvent(ctx context.Context, event Event) error {
	const op = "SendEvent"
	text, err := encodeArgument(op, event)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, op, func(h *C.yespo_client, _ **C.char, cerr **C.yespo_error) C.int {
		return withCString(text, func(p *C.char) C.int { return C.yespo_event_send(h, p, cerr) })
	})
	return err
}

// DeleteOrder deletes one order by its external id (DELETE /orders?externalOrderId=X).
// Yespo deletes asynchronously.
func (c *Client) DeleteOrder(ctx context.Context, externalOrderID string) error {
	return c.deleteOrders(ctx, "DeleteOrder", map[string]string{"externalOrderId": externalOrderID})
}

// DeleteOrdersBetween deletes every order from `from` to `to` (DELETE /orders?from=&to=), at most
// 24 hours apart. Times are sent as RFC 3339 with their offset, to the second.
func (c *Client) DeleteOrdersBetween(ctx context.Context, from, to time.Time) error {
	const layout = "2006-01-02T15:04:05Z07:00"
	return c.deleteOrders(ctx, "DeleteOrdersBetween", map[string]string{"from": from.Format(layout), "to": to.Format(layout)})
}

func (c *Client) deleteOrders(ctx context.Context, op string, query map[string]string) error {
	text, err := encodeArgument(op, query)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, op, func(h *C.yespo_client, _ **C.char, cerr **C.yespo_error) C.int {
		return withCString(text, func(p *C.char) C.int { return C.yespo_orders_delete(h, p, cerr) })
	})
	return err
}
