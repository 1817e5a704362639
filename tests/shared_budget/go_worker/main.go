// A Go process on a shared budget: upserts an NDJSON file through the Go binding and prints the
// report as JSON on stdout (exit 0 when every row was accepted, 2 when the client could not start).
// The API key comes from YESPO_API_KEY.
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
	input := flag.String("input", "", "")
	rate := flag.Int("rate", 0, "")
	chunk := flag.Int("chunk-size", 100, "")
	concurrency := flag.Int("concurrency", 4, "")
	budget := flag.String("shared-budget", "", "")
	name := flag.String("budget-name", "", "")
	fallback := flag.String("fallback", "", "")
	processes := flag.Int("processes", 0, "")
	flag.Parse()
	opts := []yespo.Option{yespo.WithBaseURL(*baseURL), yespo.WithRateLimit(*rate), yespo.WithChunkSize(*chunk),
		yespo.WithConcurrency(*concurrency)}
	if *budget != "" {
		opts = append(opts, yespo.WithSharedBudget(*budget))
	}
	if *name != "" {
		opts = append(opts, yespo.WithSharedBudgetName(*name))
	}
	if *fallback == "local" {
		opts = append(opts, yespo.WithSharedBudgetFallback(yespo.FallbackLocal))
	}
	if *processes > 0 {
		opts = append(opts, yespo.WithSharedBudgetProcesses(*processes))
	}
	client, err := yespo.NewClient(os.Getenv("YESPO_API_KEY"), opts...)
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
	out, _ := json.Marshal(report)
	fmt.Println(string(out))
	if report.Accepted != report.Total {
		os.Exit(1)
	}
}
