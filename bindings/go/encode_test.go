package yespo

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// encodingJSON is what the batch used to write: encoding/json with HTML escaping off, no newline.
func encodingJSON(t testing.TB, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// sameEscapes folds the one spelling encoding/json changed across Go releases (\b and \f are
// \u0008 and \u000c before Go 1.22) so the comparison holds on any toolchain.
func sameEscapes(b []byte) string {
	return strings.NewReplacer(`\b`, `\u0008`, `\f`, `\u000c`).Replace(string(b))
}

// randomText mixes plain ASCII, every control character, quotes and backslashes, HTML
// characters, multi-byte UTF-8, U+2028/U+2029, U+FFFD itself, and invalid UTF-8 (stray
// continuation bytes, truncated sequences, overlong forms, surrogates).
func randomText(r *rand.Rand) string {
	pieces := []string{
		"a", "Z", "0", " ", "~", "\x7f", `"`, `\`, "/", "<", ">", "&", "'",
		"é", "Київ", "日本", "😀", "\u2028", "\u2029", "\ufffd", "\u00a0",
		"\x80", "\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc0\xaf", "\xed\xa0\x80", "\xff", "\xf8\x88\x80\x80\x80",
	}
	n := r.Intn(12)
	var sb strings.Builder
	for i := 0; i < n; i++ {
		switch r.Intn(4) {
		case 0:
			sb.WriteByte(byte(r.Intn(0x20))) // a control character
		case 1:
			sb.WriteByte(byte(r.Intn(256))) // any byte at all
		default:
			sb.WriteString(pieces[r.Intn(len(pieces))])
		}
	}
	if r.Intn(3) == 0 {
		return "" // omitempty fields must vanish
	}
	return sb.String()
}

func randomContact(r *rand.Rand) Contact {
	c := Contact{ExternalCustomerID: randomText(r), FirstName: randomText(r), LastName: randomText(r),
		LanguageCode: randomText(r), TimeZone: randomText(r), ContactKey: randomText(r)}
	if r.Intn(2) == 0 {
		c.ID = r.Int63() - r.Int63()
	}
	switch r.Intn(4) {
	case 0: // nil: "channels":null
	case 1:
		c.Channels = []Channel{}
	default:
		for i := r.Intn(3) + 1; i > 0; i-- {
			c.Channels = append(c.Channels, Channel{Type: randomText(r), Value: randomText(r)})
		}
	}
	if r.Intn(2) == 0 {
		c.Address = &Address{Region: randomText(r), Town: randomText(r), Address: randomText(r), Postcode: randomText(r)}
	}
	if r.Intn(2) == 0 {
		c.Fields = []Field{}
		for i := r.Intn(3); i > 0; i-- {
			c.Fields = append(c.Fields, Field{ID: r.Int63n(1 << 40), Value: randomText(r)})
		}
	}
	if r.Intn(3) == 0 {
		c.Groups = []Group{{ID: r.Int63n(100), Name: randomText(r), Type: randomText(r)}}
	}
	return c
}

// The appender writes exactly what encoding/json writes for random contacts, and that is valid
// JSON that decodes back to the same contact (invalid UTF-8 as U+FFFD).
func TestAppendContactMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	var buf []byte
	for i := 0; i < 20000; i++ {
		c := randomContact(r)
		buf = appendContact(buf[:0], &c)
		want := encodingJSON(t, &c)
		if sameEscapes(buf) != sameEscapes(want) {
			t.Fatalf("contact %d (%#v):\n got %s\nwant %s", i, c, buf, want)
		}
		if !json.Valid(buf) || !utf8.Valid(buf) {
			t.Fatalf("contact %d: not valid JSON / UTF-8: %q", i, buf)
		}
	}
}

// Every single byte and every rune class on its own, as a string.
func TestAppendJSONStringEveryByte(t *testing.T) {
	var cases []string
	for b := 0; b < 256; b++ {
		cases = append(cases, string([]byte{byte(b)}), "x"+string([]byte{byte(b)})+"y")
	}
	cases = append(cases, "", "plain", "\u2028\u2029", "a\u2028b", "\U0010ffff", "\xf4\x90\x80\x80", "€\xe2\x82")
	for _, s := range cases {
		got := appendJSONString(nil, s)
		if want := encodingJSON(t, s); sameEscapes(got) != sameEscapes(want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: %s does not decode: %v", s, got, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("%q came back as %q", s, back)
		}
	}
}

// No allocation per contact once the buffer has grown.
func TestAppendContactDoesNotAllocate(t *testing.T) {
	c := Contact{ID: 7, ExternalCustomerID: "ext-1", FirstName: "Ann", LastName: "Lee \"Q\"",
		Channels: []Channel{Email("ann@example.com"), SMS("380501234567")}, Address: &Address{Town: "Київ"},
		Fields: []Field{{ID: 1, Value: "v"}}}
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = appendContact(buf[:0], &c) }); n != 0 {
		t.Fatalf("%v allocations per contact", n)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "\x00", "\u2028", "\xff", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		if want := encodingJSON(t, s); sameEscapes(got) != sameEscapes(want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}
