package yespo_test

// HTTPS end to end: the Go binding through nginx (TLS + HTTP/2, a private CA), run by tests/tls
// (make test-tls), which starts the emulator and nginx and passes them in the environment:
// YESPO_TLS_BASE_URL, YESPO_TLS_CA, YESPO_TLS_WRONG_CA, YESPO_TLS_KEY. Skipped without them.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	yespo "github.com/yespo-client/yespo-go"
)

func tlsContacts(tag string, n int) []yespo.Contact {
	out := make([]yespo.Contact, n)
	for i := range out {
		out[i] = yespo.Contact{FirstName: fmt.Sprintf("G%d", i+1),
			Channels: []yespo.Channel{yespo.Email(fmt.Sprintf("%s-%d@example.com", tag, i+1))}}
	}
	return out
}

func TestTLSFront(t *testing.T) {
	base, ca, wrong, key := os.Getenv("YESPO_TLS_BASE_URL"), os.Getenv("YESPO_TLS_CA"),
		os.Getenv("YESPO_TLS_WRONG_CA"), os.Getenv("YESPO_TLS_KEY")
	if base == "" || ca == "" || wrong == "" || key == "" {
		t.Skip("run by tests/tls (make test-tls), which starts nginx in front of the emulator")
	}
	for _, v := range []string{"CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"} {
		t.Setenv(v, "")
	}
	upsert := func(t *testing.T, tag string, n int, opts ...yespo.Option) (*yespo.Report, error) {
		t.Helper()
		c, err := yespo.NewClient(key, append([]yespo.Option{yespo.WithBaseURL(base), yespo.WithChunkSize(500)}, opts...)...)
		if err != nil {
			t.Fatalf("NewClient: %v", err)
		}
		defer c.Close()
		return c.UpsertContacts(context.Background(), tlsContacts(tag, n), yespo.UpsertOptions{})
	}

	t.Run("CAFile", func(t *testing.T) {
		r, err := upsert(t, "gocafile", 1500, yespo.WithCAFile(ca))
		if err != nil || r.Accepted != 1500 {
			t.Fatalf("accepted %v, err %v", r, err)
		}
	})
	for _, v := range []string{"CURL_CA_BUNDLE", "SSL_CERT_FILE"} {
		t.Run("Env"+v, func(t *testing.T) {
			t.Setenv(v, ca)
			r, err := upsert(t, "go"+strings.ToLower(v), 40)
			if err != nil || r.Accepted != 40 {
				t.Fatalf("%s: accepted %v, err %v", v, r, err)
			}
		})
	}
	t.Run("WrongCA", func(t *testing.T) {
		r, err := upsert(t, "gowrong", 800, yespo.WithCAFile(wrong))
		if err == nil {
			t.Fatal("a wrong CA must be an error")
		}
		if !errors.Is(err, yespo.ErrTransport) || !strings.Contains(err.Error(), "certificate is not trusted") {
			t.Fatalf("unexpected error: %v", err)
		}
		if r == nil || r.NotSent != 800 || r.Accepted != 0 {
			t.Fatalf("report: %+v", r)
		}
		if strings.Contains(err.Error(), key) {
			t.Fatal("the key is in the error")
		}
	})
}
