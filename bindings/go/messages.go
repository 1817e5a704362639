package yespo

// Message sends that create contacts: POST /message/email, /message/sms, /message/{id}/send.
// The *JSON methods pass a body through as it is; the typed ones build the common fields and merge
// Extra (any other field of the API) into the body. Answers come back as the server's JSON.

/*
#include "yespo.h"
*/
import "C"

import (
	"context"
	"encoding/json"
)

// EmailMessage is the body of SendEmail: From (e.g. `"Shop" <shop@example.com>`), Subject,
// HTMLText and/or PlainText, Emails (the recipients; unknown ones become contacts).
type EmailMessage struct {
	From      string
	Subject   string
	HTMLText  string
	PlainText string
	Emails    []string
	// Extra holds other fields of the API's request (e.g. "tags"); the fields above win.
	Extra map[string]any
}

// SMSMessage is the body of SendSMS: From (an alpha name), Text, PhoneNumbers.
type SMSMessage struct {
	From         string
	Text         string
	PhoneNumbers []string
	Extra        map[string]any
}

// PreparedMessage is the body of SendPreparedMessage: Recipients (emails or phones), Params
// (personalisation, sent as [{"key","value"}]), Email (the API's "email" flag, sent when true).
type PreparedMessage struct {
	Recipients []string
	Params     map[string]string
	Email      bool
	Extra      map[string]any
}

func withExtra(extra map[string]any, fields map[string]any) map[string]any {
	body := make(map[string]any, len(extra)+len(fields))
	for k, v := range extra {
		body[k] = v
	}
	for k, v := range fields {
		body[k] = v
	}
	return body
}

// SendEmail sends an email (POST /message/email).
func (c *Client) SendEmail(ctx context.Context, m EmailMessage) (json.RawMessage, error) {
	fields := map[string]any{"from": m.From, "subject": m.Subject, "emails": m.Emails}
	if m.HTMLText != "" {
		fields["htmlText"] = m.HTMLText
	}
	if m.PlainText != "" {
		fields["plainText"] = m.PlainText
	}
	return c.SendEmailJSON(ctx, withExtra(m.Extra, fields))
}

// SendSMS sends an SMS (POST /message/sms).
func (c *Client) SendSMS(ctx context.Context, m SMSMessage) (json.RawMessage, error) {
	return c.SendSMSJSON(ctx, withExtra(m.Extra, map[string]any{"from": m.From, "text": m.Text, "phoneNumbers": m.PhoneNumbers}))
}

// SendPreparedMessage sends prepared message id (POST /message/{id}/send).
func (c *Client) SendPreparedMessage(ctx context.Context, id int64, m PreparedMessage) (json.RawMessage, error) {
	fields := map[string]any{"recipients": m.Recipients}
	if len(m.Params) > 0 {
		params := make([]map[string]string, 0, len(m.Params))
		for k, v := range m.Params {
			params = append(params, map[string]string{"key": k, "value": v})
		}
		fields["params"] = params
	}
	if m.Email {
		fields["email"] = true
	}
	return c.SendPreparedMessageJSON(ctx, id, withExtra(m.Extra, fields))
}

// SendEmailJSON posts body (anything encoding/json makes an object of) to /message/email as is.
func (c *Client) SendEmailJSON(ctx context.Context, body any) (json.RawMessage, error) {
	text, err := c.jsonInOut(ctx, "SendEmail", body, func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_message_email(h, in, out, cerr)
	})
	return rawAnswer(text, err)
}

// SendSMSJSON posts body to /message/sms as is.
func (c *Client) SendSMSJSON(ctx context.Context, body any) (json.RawMessage, error) {
	text, err := c.jsonInOut(ctx, "SendSMS", body, func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_message_sms(h, in, out, cerr)
	})
	return rawAnswer(text, err)
}

// SendPreparedMessageJSON posts body to /message/{id}/send as is.
func (c *Client) SendPreparedMessageJSON(ctx context.Context, id int64, body any) (json.RawMessage, error) {
	text, err := c.jsonInOut(ctx, "SendPreparedMessage", body, func(h *C.yespo_client, in *C.char, out **C.char, cerr **C.yespo_error) C.int {
		return C.yespo_message_send(h, C.int64_t(id), in, out, cerr)
	})
	return rawAnswer(text, err)
}

func rawAnswer(text string, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	return json.RawMessage(text), nil
}
