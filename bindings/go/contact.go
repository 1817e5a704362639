package yespo

// The contact object in the API's JSON shape. Empty fields are left out of the JSON, so a
// Contact carries only what the caller set.

import (
	"encoding/json"
	"strconv"
)

// Channel types.
const (
	ChannelEmail      = "email"
	ChannelSMS        = "sms"
	ChannelMobilePush = "mobilepush"
	ChannelWebPush    = "webpush"
	ChannelViber      = "viber"
)

// Channel is one way to reach a contact: {"type":"email","value":"a@b.c"}.
type Channel struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Email is shorthand for an email channel.
func Email(address string) Channel { return Channel{Type: ChannelEmail, Value: address} }

// SMS is shorthand for an sms channel (digits with country code).
func SMS(phone string) Channel { return Channel{Type: ChannelSMS, Value: phone} }

// Address is a contact's postal address.
type Address struct {
	Region   string `json:"region,omitempty"`
	Town     string `json:"town,omitempty"`
	Address  string `json:"address,omitempty"`
	Postcode string `json:"postcode,omitempty"`
}

// Field is a custom field value by its numeric id.
type Field struct {
	ID    int64  `json:"id"`
	Value string `json:"value"`
}

// Group is a segment membership, present in contacts the API returns.
type Group struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

// Contact is a Yespo contact. Channels must hold at least one channel when sent.
type Contact struct {
	ID                 int64     `json:"id,omitempty"`
	ExternalCustomerID string    `json:"externalCustomerId,omitempty"`
	FirstName          string    `json:"firstName,omitempty"`
	LastName           string    `json:"lastName,omitempty"`
	Channels           []Channel `json:"channels"`
	Address            *Address  `json:"address,omitempty"`
	Fields             []Field   `json:"fields,omitempty"`
	LanguageCode       string    `json:"languageCode,omitempty"`
	TimeZone           string    `json:"timeZone,omitempty"`
	ContactKey         string    `json:"contactKey,omitempty"`
	Groups             []Group   `json:"groups,omitempty"` // in answers only; ignored by upserts
}

// ChannelValue returns the value of the contact's first channel of type t, or "".
func (c *Contact) ChannelValue(t string) string {
	for _, ch := range c.Channels {
		if ch.Type == t {
			return ch.Value
		}
	}
	return ""
}

// flexID decodes an id the API sends either as a number or as a digit string.
type flexID int64

func (f *flexID) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		n, err := strconv.ParseInt(s, 10, 64)
		*f = flexID(n)
		return err
	}
	var n int64
	err := json.Unmarshal(b, &n)
	*f = flexID(n)
	return err
}

// UnmarshalJSON accepts "id" and field ids as numbers or digit strings, as seen from the API.
func (c *Contact) UnmarshalJSON(b []byte) error {
	type plain Contact
	var aux struct {
		plain
		ID     flexID `json:"id"`
		Fields []struct {
			ID    flexID          `json:"id"`
			Value json.RawMessage `json:"value"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*c = Contact(aux.plain)
	c.ID = int64(aux.ID)
	c.Fields = nil
	for _, f := range aux.Fields {
		c.Fields = append(c.Fields, Field{ID: int64(f.ID), Value: scalarText(f.Value)})
	}
	return nil
}

// scalarText renders a JSON string/number/bool as the text the API means by it.
func scalarText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}
