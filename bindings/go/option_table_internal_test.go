package yespo

// The package against the library's one option table: every client option the table names for Go
// is one of this package's option functions, and every bulk option is a field of UpsertOptions —
// so a door that drifts from the table fails here.

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The option functions, by name (the compiler checks that each exists).
var optionFuncs = map[string]interface{}{
	"WithBaseURL": WithBaseURL, "WithConcurrency": WithConcurrency, "WithRateLimit": WithRateLimit,
	"WithTimeout": WithTimeout, "WithConnectTimeout": WithConnectTimeout, "WithStallTimeout": WithStallTimeout,
	"WithMaxRetries": WithMaxRetries, "WithRetryBackoff": WithRetryBackoff, "WithChunkSize": WithChunkSize,
	"WithChunkBytes": WithChunkBytes, "WithMaxQueuedChunks": WithMaxQueuedChunks,
	"WithImportPolling": WithImportPolling, "WithAdaptiveConcurrency": WithAdaptiveConcurrency,
	"WithInsecureHTTP": WithInsecureHTTP, "WithTLSVerification": WithTLSVerification,
	"WithCAFile": WithCAFile, "WithUserAgent": WithUserAgent, "WithBaseURLV2": WithBaseURLV2,
	"WithSharedBudget": WithSharedBudget, "WithSharedBudgetName": WithSharedBudgetName,
	"WithSharedBudgetProcesses": WithSharedBudgetProcesses, "WithSharedBudgetFallback": WithSharedBudgetFallback,
}

func TestOptionTableNamesThisPackagesOptions(t *testing.T) {
	text, err := optionTablesJSON()
	if err != nil {
		t.Fatal(err)
	}
	var tables struct {
		Client []struct{ Name, Go string } `json:"client"`
		Upsert []struct{ Key, Go string }  `json:"upsert"`
	}
	if err := json.Unmarshal([]byte(text), &tables); err != nil {
		t.Fatal(err)
	}
	if len(tables.Client) == 0 || len(tables.Upsert) == 0 {
		t.Fatalf("empty option table: %s", text)
	}
	named := map[string]bool{}
	for _, row := range tables.Client {
		if _, ok := optionFuncs[row.Go]; !ok {
			t.Errorf("%s: the table names %q, which this package lacks", row.Name, row.Go)
		}
		named[row.Go] = true
	}
	for name := range optionFuncs {
		if !named[name] {
			t.Errorf("%s sets no option of the library's table", name)
		}
	}
	fields := reflect.TypeOf(UpsertOptions{})
	for _, row := range tables.Upsert {
		if _, ok := fields.FieldByName(row.Go); !ok {
			t.Errorf("bulk option %q: UpsertOptions has no field %s", row.Key, row.Go)
		}
	}
}
