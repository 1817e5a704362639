package yespo

// Single-contact calls: subscribe, add, update, get, delete.

/*
#include "yespo.h"
*/
import "C"

import (
	"context"
	"encoding/json"
)

// SubscribeRequest is a subscription-form signup: new contacts are created unconfirmed.
type SubscribeRequest struct {
	Contact  Contact  `json:"contact"`
	Groups   []string `json:"groups,omitempty"`
	FormType string   `json:"formType,omitempty"`
}

type idAnswer struct {
	ID flexID `json:"id"`
}

func encodeArgument(op string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", invalidArgument(op, "cannot encode the request: %v", err)
	}
	return string(b), nil
}

// jsonInOut runs a library call that takes one JSON text and answers JSON text.
func (c *Client) jsonInOut(ctx context.Context, op string, in any,
	fn func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int) (string, error) {
	text, err := encodeArgument(op, in)
	if err != nil {
		return "", err
	}
	return c.call(ctx, op, func(h *C.yespo_client, out **C.char, cerr **C.yespo_error) C.int {
		return withCString(text, func(p *C.char) C.int { return fn(h, p, out, cerr) })
	})
}

func (c *Client) idCall(ctx context.Context, op string, in any,
	fn func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int) (int64, error) {
	text, err := c.jsonInOut(ctx, op, in, fn)
	if err != nil {
		return 0, err
	}
	var answer idAnswer
	err = decodeResult(op, text, &answer)
	return int64(answer.ID), err
}

// Subscribe adds a contact from a subscription form (POST /contact/subscribe) and returns its id.
func (c *Client) Subscribe(ctx context.Context, req SubscribeRequest) (int64, error) {
	return c.idCall(ctx, "Subscribe", req, func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_subscribe(h, in, out, cerr)
	})
}

// AddContact adds or updates one contact (POST /contact) and returns its id.
func (c *Client) AddContact(ctx context.Context, contact Contact) (int64, error) {
	return c.idCall(ctx, "AddContact", contact, func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_contact_add(h, in, out, cerr)
	})
}

// UpdateContact updates the contact with this id (PUT /contact/{id}); it never creates one:
// an unknown id is ErrNotFound.
func (c *Client) UpdateContact(ctx context.Context, id int64, contact Contact) error {
	const op = "UpdateContact"
	text, err := encodeArgument(op, contact)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, op, func(h *C.yespo_client, _ **C.char, cerr **C.yespo_error) C.int {
		return withCString(text, func(p *C.char) C.int { return C.yespo_contact_update(h, C.int64_t(id), p, cerr) })
	})
	return err
}

// GetContact returns the contact with this id, or ErrNotFound.
func (c *Client) GetContact(ctx context.Context, id int64) (*Contact, error) {
	const op = "GetContact"
	text, err := c.call(ctx, op, func(h *C.yespo_client, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_contact_get(h, C.int64_t(id), out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var contact Contact
	if err := decodeResult(op, text, &contact); err != nil {
		return nil, err
	}
	return &contact, nil
}

// DeleteContact deletes the contact with this id (ErrNotFound if there is none).
func (c *Client) DeleteContact(ctx context.Context, id int64) error {
	_, err := c.call(ctx, "DeleteContact", func(h *C.yespo_client, _ **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_contact_delete(h, C.int64_t(id), cerr)
	})
	return err
}

// DeleteContactByExternalID deletes the contact with this externalCustomerId; erase is the GDPR
// erase, after which no restore is possible.
func (c *Client) DeleteContactByExternalID(ctx context.Context, externalCustomerID string, erase bool) error {
	_, err := c.call(ctx, "DeleteContactByExternalID", func(h *C.yespo_client, _ **C.char, cerr **C.yespo_error) C.int {
		return withCString(externalCustomerID, func(p *C.char) C.int {
			return C.yespo_contact_delete_external(h, p, C.int(boolInt(erase)), cerr)
		})
	})
	return err
}

// Unsubscribe adds the emails to the account's unsubscribed list.
func (c *Client) Unsubscribe(ctx context.Context, emails []string) error {
	return c.setUnsubscribed(ctx, "Unsubscribe", emails, 1)
}

// Resubscribe removes the emails from the account's unsubscribed list.
func (c *Client) Resubscribe(ctx context.Context, emails []string) error {
	return c.setUnsubscribed(ctx, "Resubscribe", emails, 0)
}

func (c *Client) setUnsubscribed(ctx context.Context, op string, emails []string, unsubscribe C.int) error {
	if emails == nil {
		emails = []string{}
	}
	text, err := encodeArgument(op, emails)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, op, func(h *C.yespo_client, _ **C.char, cerr **C.yespo_error) C.int {
		return withCString(text, func(p *C.char) C.int { return C.yespo_emails_unsubscribed(h, p, unsubscribe, cerr) })
	})
	return err
}
