package yespo_test

// Incremental sync through the Go binding against the emulator: first run sends all, the second
// only changed/new rows (and deletes the removed one within the cap), the third nothing; the cap
// refusing a truncated source; the key never in the state; SQLite and PostgreSQL.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	yespo "github.com/yespo-client/yespo-go"
	"github.com/yespo-client/yespo-go/yespotest"
)

func syncRows(n int, changed map[int]string) []yespo.Contact {
	out := make([]yespo.Contact, n)
	for i := range out {
		name := fmt.Sprintf("v1-%d", i)
		if v, ok := changed[i]; ok {
			name = v
		}
		out[i] = yespo.Contact{Channels: []yespo.Channel{yespo.Email(fmt.Sprintf("go-%d@example.com", i))}, FirstName: name}
	}
	return out
}

func liveNames(emu *yespotest.Emulator) map[string]string {
	emu.FlushImports()
	out := map[string]string{}
	for _, c := range emu.Contacts() {
		if d, _ := c["deleted"].(bool); d {
			continue
		}
		chans, _ := c["channels"].([]any)
		for _, ch := range chans {
			m, _ := ch.(map[string]any)
			if m["type"] == "email" {
				name, _ := c["firstName"].(string)
				out[fmt.Sprint(m["value"])] = name
			}
		}
	}
	return out
}

func repoRoot(t *testing.T) string {
	dir, _ := os.Getwd()
	for dir != "/" {
		if _, err := os.Stat(filepath.Join(dir, "Package.swift")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	t.Fatal("repository root not found")
	return ""
}

func threeSyncRuns(t *testing.T, emu *yespotest.Emulator, c *yespo.Client, state string) {
	ctx := context.Background()
	del := yespo.SyncOptions{Missing: "delete"}
	first, err := c.SyncContacts(ctx, state, syncRows(150, nil), del)
	if err != nil || first.New != 150 || first.Sent != 150 || first.Committed != 150 || !first.Clean {
		t.Fatalf("first run: %v %+v", err, first)
	}

	source := syncRows(152, map[int]string{3: "v2", 77: "v2"})
	source = append(source[:20], source[21:]...)
	emu.ResetStats()
	opts := del
	opts.MaxDeletes = "1"
	second, err := c.SyncContacts(ctx, state, source, opts)
	if err != nil || second.Changed != 2 || second.New != 2 || second.Sent != 4 {
		t.Fatalf("second run: %v %+v", err, second)
	}
	if second.Missing == nil || second.Missing.Count != 1 || second.Missing.Acted != 1 {
		t.Fatalf("second run missing: %+v", second.Missing)
	}
	if got := emu.Stats().ContactsReceived; got != 4 {
		t.Fatalf("second run sent %d contacts, want 4", got)
	}
	names := liveNames(emu)
	if _, ok := names["go-20@example.com"]; ok || names["go-77@example.com"] != "v2" {
		t.Fatalf("emulator after the second run: go-20 present=%v, go-77=%q", ok, names["go-77@example.com"])
	}

	var file bytes.Buffer
	for _, r := range source {
		fmt.Fprintf(&file, `{"firstName":%q,"channels":[{"type":"email","value":%q}]}`+"\n", r.FirstName, r.Channels[0].Value)
	}
	path := filepath.Join(t.TempDir(), "crm.ndjson")
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	emu.ResetStats()
	third, err := c.SyncFile(ctx, state, path, del)
	if err != nil || third.Sent != 0 || third.Unchanged != 151 {
		t.Fatalf("third run: %v %+v", err, third)
	}
	if got := emu.Stats().ContactsReceived; got != 0 {
		t.Fatalf("third run sent %d contacts", got)
	}

	short, err := c.SyncContacts(ctx, state, source[:10], del)
	if err != nil || short.Missing == nil || short.Missing.Refused == nil || short.Missing.Acted != 0 {
		t.Fatalf("truncated source: %v %+v", err, short.Missing)
	}
	if n := len(liveNames(emu)); n != 151 {
		t.Fatalf("contacts after the refused run: %d, want 151", n)
	}
	status, err := yespo.SyncStatus(state)
	if err != nil || status["entries"].(float64) != 151 {
		t.Fatalf("status: %v %v", err, status)
	}
}

func TestSyncSQLite(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	state := filepath.Join(t.TempDir(), "state.db")
	threeSyncRuns(t, emu, c, state)
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(testKey)) || bytes.Contains(data, []byte("@example.com")) {
		t.Fatal("the state holds the API key or an email")
	}
}

func TestSyncPostgres(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(repoRoot(t), "scripts", "pg-temp.sh")
	pgDir := filepath.Join(dir, "pg")
	out, err := exec.Command("bash", script, "start", pgDir).Output()
	if err != nil {
		t.Fatalf("could not start PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = exec.Command("bash", script, "stop", pgDir).Run() })
	url := strings.TrimSpace(string(out))
	emu := startEmulator(t)
	c := newClient(t, emu)
	threeSyncRuns(t, emu, c, url)
	status, err := yespo.SyncStatus(url)
	if err != nil || status["store"] != "postgres" {
		t.Fatalf("status: %v %v", err, status)
	}
}

func TestSyncDryRunAndBadOptions(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	state := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	if _, err := c.SyncContacts(ctx, state, syncRows(20, nil), yespo.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	emu.ResetStats()
	dry, err := c.SyncContacts(ctx, state, syncRows(19, map[int]string{0: "x"}), yespo.SyncOptions{UpsertOptions: yespo.UpsertOptions{DryRun: true}})
	if err != nil || dry.Changed != 1 || dry.Unchanged != 18 || dry.Sent != 1 || dry.Missing == nil || dry.Missing.Count != 1 {
		t.Fatalf("dry run: %v %+v", err, dry)
	}
	if emu.Stats().Requests != 0 {
		t.Fatal("a dry run sent requests")
	}
	if _, err := c.SyncContacts(ctx, state, syncRows(1, nil), yespo.SyncOptions{Missing: "erase"}); err == nil {
		t.Fatal("an unknown missing action was accepted")
	}
	if _, err := yespo.SyncStatus(filepath.Join(t.TempDir(), "none.db")); err == nil {
		t.Fatal("status of a missing state succeeded")
	}
}
