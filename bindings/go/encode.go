package yespo

// A hand-written JSON appender for Contact: the bytes encoding/json makes of it (with HTML
// escaping off, as the batch always used), without reflection or allocation. Bulk upserts
// encode every contact through it; encode_test.go holds it to encoding/json on random contacts.

import (
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes a JSON string carries as they are: printable, not '"' or '\'.
// DEL (0x7f) is safe, as in encoding/json.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string the way encoding/json writes it with HTML escaping
// off: \" \\ \n \r \t, other control characters as \u00XX, invalid UTF-8 as \ufffd, and U+2028 /
// U+2029 as \u2028 / \u2029 (JavaScript line terminators).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendContact appends c as one JSON object, field for field what encoding/json writes for the
// struct tags of contact.go (omitempty fields left out when empty, "channels" always present).
func appendContact(dst []byte, c *Contact) []byte {
	dst = append(dst, '{')
	open := len(dst) // a key after the first one needs a comma
	if c.ID != 0 {
		dst = appendKey(dst, open, `"id":`)
		dst = strconv.AppendInt(dst, c.ID, 10)
	}
	if c.ExternalCustomerID != "" {
		dst = appendKey(dst, open, `"externalCustomerId":`)
		dst = appendJSONString(dst, c.ExternalCustomerID)
	}
	if c.FirstName != "" {
		dst = appendKey(dst, open, `"firstName":`)
		dst = appendJSONString(dst, c.FirstName)
	}
	if c.LastName != "" {
		dst = appendKey(dst, open, `"lastName":`)
		dst = appendJSONString(dst, c.LastName)
	}
	dst = appendKey(dst, open, `"channels":`)
	if c.Channels == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range c.Channels {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"type":`...)
			dst = appendJSONString(dst, c.Channels[i].Type)
			dst = append(dst, `,"value":`...)
			dst = appendJSONString(dst, c.Channels[i].Value)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if a := c.Address; a != nil {
		dst = append(dst, `,"address":`...)
		dst = appendAddress(dst, a)
	}
	if len(c.Fields) > 0 {
		dst = append(dst, `,"fields":[`...)
		for i := range c.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"id":`...)
			dst = strconv.AppendInt(dst, c.Fields[i].ID, 10)
			dst = append(dst, `,"value":`...)
			dst = appendJSONString(dst, c.Fields[i].Value)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if c.LanguageCode != "" {
		dst = append(dst, `,"languageCode":`...)
		dst = appendJSONString(dst, c.LanguageCode)
	}
	if c.TimeZone != "" {
		dst = append(dst, `,"timeZone":`...)
		dst = appendJSONString(dst, c.TimeZone)
	}
	if c.ContactKey != "" {
		dst = append(dst, `,"contactKey":`...)
		dst = appendJSONString(dst, c.ContactKey)
	}
	if len(c.Groups) > 0 {
		dst = append(dst, `,"groups":[`...)
		for i := range c.Groups {
			g := &c.Groups[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"id":`...)
			dst = strconv.AppendInt(dst, g.ID, 10)
			dst = append(dst, `,"name":`...)
			dst = appendJSONString(dst, g.Name)
			if g.Type != "" {
				dst = append(dst, `,"type":`...)
				dst = appendJSONString(dst, g.Type)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func appendAddress(dst []byte, a *Address) []byte {
	dst = append(dst, '{')
	sep := false
	for _, f := range [...]struct{ key, value string }{
		{`"region":`, a.Region}, {`"town":`, a.Town}, {`"address":`, a.Address}, {`"postcode":`, a.Postcode},
	} {
		if f.value == "" {
			continue
		}
		if sep {
			dst = append(dst, ',')
		}
		sep = true
		dst = append(dst, f.key...)
		dst = appendJSONString(dst, f.value)
	}
	return append(dst, '}')
}

// appendKey appends a key, after a comma unless it is the object's first (open is where the
// object's contents start).
func appendKey(dst []byte, open int, key string) []byte {
	if len(dst) > open {
		dst = append(dst, ',')
	}
	return append(dst, key...)
}
