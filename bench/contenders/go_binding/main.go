// Our Go binding as a Go service would use it: encoding/csv rows turned into typed Contacts and
// pulled by UpsertFunc, which encodes them (no reflection) and crosses into the core in NDJSON
// batches of 2000.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	yespo "github.com/yespo-client/yespo-go"
)

func main() {
	baseURL := flag.String("base-url", "", "")
	flag.String("api-key", "", "ignored: read from YESPO_API_KEY")
	input := flag.String("input", "", "")
	concurrency := flag.Int("concurrency", 8, "")
	rate := flag.Int("rate", 0, "")
	chunk := flag.Int("chunk-size", 3000, "")
	sharedBudget := flag.String("shared-budget", "", "the shared scenario: one budget for every process")
	flag.Parse()
	opts := []yespo.Option{yespo.WithBaseURL(*baseURL), yespo.WithConcurrency(*concurrency),
		yespo.WithRateLimit(*rate), yespo.WithChunkSize(*chunk)}
	if *sharedBudget != "" {
		opts = append(opts, yespo.WithSharedBudget(*sharedBudget))
	}
	client, err := yespo.NewClient(os.Getenv("YESPO_API_KEY"), opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer client.Close()
	f, err := os.Open(*input)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	// Pulled one at a time by UpsertFunc: no channel, no goroutine, one C call per batch of
	// contacts (UpsertStream over a channel costs a channel hand-off per contact).
	next := func() (yespo.Contact, bool, error) {
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return yespo.Contact{}, false, nil
			}
			if err != nil {
				continue
			}
			c := yespo.Contact{FirstName: get(rec, "First name"), LastName: get(rec, "Last name"),
				ExternalCustomerID: get(rec, "External customer id")}
			if v := get(rec, "Email"); v != "" {
				c.Channels = append(c.Channels, yespo.Email(v))
			}
			if v := get(rec, "Sms"); v != "" {
				c.Channels = append(c.Channels, yespo.SMS(v))
			}
			if v := get(rec, "City"); v != "" {
				c.Address = &yespo.Address{Town: v}
			}
			if v := get(rec, "Contact id"); v != "" {
				c.ID, _ = strconv.ParseInt(v, 10, 64)
			}
			return c, true, nil
		}
	}
	report, err := client.UpsertFunc(context.Background(), next, yespo.UpsertOptions{})
	if report == nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer report.Close()
	out, _ := json.Marshal(map[string]int{"rows": report.Total, "accepted": report.Accepted,
		"invalid": report.Invalid, "rejected": report.Rejected, "notSent": report.NotSent})
	fmt.Println(string(out))
	if report.NotSent > 0 || report.Rejected > 0 {
		os.Exit(1)
	}
}
