package yespo

// The sync-only options of the library's option table are fields of SyncOptions.

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestOptionTableNamesSyncOptions(t *testing.T) {
	text, err := optionTablesJSON()
	if err != nil {
		t.Fatal(err)
	}
	var tables struct {
		Sync []struct{ Key, Go string } `json:"sync"`
	}
	if err := json.Unmarshal([]byte(text), &tables); err != nil {
		t.Fatal(err)
	}
	if len(tables.Sync) == 0 {
		t.Fatalf("no sync options in the table: %s", text)
	}
	fields := reflect.TypeOf(SyncOptions{})
	for _, row := range tables.Sync {
		if _, ok := fields.FieldByName(row.Go); !ok {
			t.Errorf("sync option %q: SyncOptions has no field %s", row.Key, row.Go)
		}
	}
}
