package yespo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// The NDJSON batch is what crosses into the library: one line per contact, exactly the
// contact's JSON, HTML characters not escaped.
func TestBatchEncodesOneLinePerContact(t *testing.T) {
	b := newBatch(2)
	first := Contact{FirstName: "A<b>&c", Channels: []Channel{Email("a@example.com")}}
	b.add(&first)
	if b.full() {
		t.Fatal("full after one of two")
	}
	second := Contact{Channels: []Channel{}, Fields: []Field{{ID: 7, Value: "x"}}, Address: &Address{Town: "Kyiv"}}
	b.add(&second)
	if !b.full() {
		t.Fatal("not full after two of two")
	}
	lines := bytes.Split(bytes.TrimSuffix(b.buf, []byte("\n")), []byte("\n"))
	want := []string{
		`{"firstName":"A<b>&c","channels":[{"type":"email","value":"a@example.com"}]}`,
		`{"channels":[],"address":{"town":"Kyiv"},"fields":[{"id":7,"value":"x"}]}`,
	}
	if len(lines) != 2 || string(lines[0]) != want[0] || string(lines[1]) != want[1] {
		t.Fatalf("batch:\n%s", b.buf)
	}
}

func TestContactDecodesFlexibleIDs(t *testing.T) {
	var c Contact
	text := `{"id":"42","fields":[{"id":"7","value":12},{"id":8,"value":true},{"id":9,"value":null}],"source":"api"}`
	if err := json.Unmarshal([]byte(text), &c); err != nil {
		t.Fatal(err)
	}
	if c.ID != 42 || len(c.Fields) != 3 || c.Fields[0] != (Field{7, "12"}) || c.Fields[1] != (Field{8, "true"}) || c.Fields[2] != (Field{9, ""}) {
		t.Fatalf("decoded %+v", c)
	}
}

func BenchmarkBatchEncode(b *testing.B) {
	contacts := make([]Contact, 3000)
	for i := range contacts {
		contacts[i] = Contact{FirstName: fmt.Sprintf("First%d", i), LastName: "Last",
			Channels: []Channel{Email(fmt.Sprintf("user%05d@example.com", i))}}
	}
	b.ResetTimer()
	start := time.Now()
	for n := 0; n < b.N; n++ {
		batch := newBatch(3000)
		for i := range contacts {
			batch.add(&contacts[i])
		}
	}
	b.ReportMetric(float64(b.N*len(contacts))/time.Since(start).Seconds(), "contacts/s")
}
