// Chaos front end for the Go binding: decodes an NDJSON file into typed Contacts, upserts them
// with UpsertContacts, and writes the report summary and every row's outcome. With -kind orders
// it upserts the file with UpsertOrdersFile (a typed Order cannot carry the deliberately invalid
// orders chaos sends, such as a non-numeric totalCost).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	yespo "github.com/yespo-client/yespo-go"
)

func main() {
	input := flag.String("input", "", "")
	baseURL := flag.String("base-url", "", "")
	reportPath := flag.String("report", "", "")
	rowsPath := flag.String("rows", "", "")
	concurrency := flag.Int("concurrency", 8, "")
	rate := flag.Int("rate", 0, "")
	chunk := flag.Int("chunk-size", 3000, "")
	wait := flag.Bool("wait", false, "")
	dedupeOn := flag.String("dedupe-on", "email", "")
	ackOn := flag.String("ack-on", "", "")
	importTimeoutS := flag.Float64("import-timeout", 300, "seconds")
	kind := flag.String("kind", "contacts", "contacts or orders")
	var groups stringList
	flag.Var(&groups, "group", "")
	flag.Parse()
	importTimeout := time.Duration(*importTimeoutS * float64(time.Second))
	opts := yespo.UpsertOptions{Wait: *wait, DedupeOn: *dedupeOn, GroupNames: groups}
	if *ackOn != "" {
		if err := setAckOn(&opts, *ackOn); err != nil {
			fmt.Fprintln(os.Stderr, "go-driver:", err)
			os.Exit(2)
		}
	}
	if *kind == "orders" {
		opts = yespo.UpsertOptions{} // orders take no import wait and no contact options
	}
	if err := run(*kind, *input, *baseURL, *reportPath, *rowsPath, *concurrency, *rate, *chunk, importTimeout, opts); err != nil {
		fmt.Fprintln(os.Stderr, "go-driver:", err)
		os.Exit(2)
	}
}

type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func run(kind, input, baseURL, reportPath, rowsPath string, concurrency, rate, chunk int, importTimeout time.Duration,
	opts yespo.UpsertOptions) error {
	client, err := yespo.NewClient(os.Getenv("YESPO_API_KEY"), yespo.WithBaseURL(baseURL),
		yespo.WithConcurrency(concurrency), yespo.WithRateLimit(rate), yespo.WithChunkSize(chunk),
		yespo.WithRetryBackoff(50*time.Millisecond, time.Second),
		yespo.WithImportPolling(100*time.Millisecond, importTimeout))
	if err != nil {
		return err
	}
	defer client.Close()
	var report *yespo.Report
	if kind == "orders" {
		report, err = client.UpsertOrdersFile(context.Background(), input, opts)
	} else {
		report, err = upsertContacts(client, input, opts)
	}
	if report == nil {
		return err
	}
	defer report.Close()
	summary, _ := json.Marshal(report)
	if err := os.WriteFile(reportPath, summary, 0o644); err != nil {
		return err
	}
	rows, err := report.RowsNDJSON(yespo.RowsAll)
	if err != nil {
		return err
	}
	return os.WriteFile(rowsPath, rows, 0o644)
}

func upsertContacts(client *yespo.Client, input string, opts yespo.UpsertOptions) (*yespo.Report, error) {
	f, err := os.Open(input)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var contacts []yespo.Contact
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c yespo.Contact
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("input line %d: %w", len(contacts)+1, err)
		}
		contacts = append(contacts, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return client.UpsertContacts(context.Background(), contacts, opts)
}
