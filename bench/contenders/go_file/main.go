// Our Go binding on a file: UpsertFile hands the path to the core, which streams and parses the
// CSV itself (no Go-side parsing or encoding).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	yespo "github.com/yespo-client/yespo-go"
)

func main() {
	baseURL := flag.String("base-url", "", "")
	flag.String("api-key", "", "ignored: read from YESPO_API_KEY")
	input := flag.String("input", "", "")
	concurrency := flag.Int("concurrency", 8, "")
	rate := flag.Int("rate", 0, "")
	chunk := flag.Int("chunk-size", 3000, "")
	flag.Parse()
	client, err := yespo.NewClient(os.Getenv("YESPO_API_KEY"), yespo.WithBaseURL(*baseURL),
		yespo.WithConcurrency(*concurrency), yespo.WithRateLimit(*rate), yespo.WithChunkSize(*chunk))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer client.Close()
	report, err := client.UpsertFile(context.Background(), *input, yespo.UpsertOptions{})
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
