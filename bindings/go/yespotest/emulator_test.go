package yespotest

import (
	"os"
	"testing"
)

func TestStartAdminAndStop(t *testing.T) {
	if os.Getenv("YESPO_EMULATOR") == "" {
		if _, err := Binary(); err != nil {
			t.Fatal(err)
		}
	}
	e := Start(t, "--import-delay-ms", "0")
	if s := e.Summary(); s.Contacts != 0 {
		t.Fatalf("fresh emulator has %d contacts", s.Contacts)
	}
	e.SetFaults(1, Fault{Path: "/api/v1/contacts", Count: 1, Action: "status", Status: 503})
	e.ClearFaults()
	e.SetConfig(map[string]any{"latencyMs": 0})
	if cfg := e.Config(); cfg["latencyMs"] != float64(0) {
		t.Fatalf("config: %v", cfg)
	}
	e.ResetStats()
	if st := e.Stats(); st.FaultsInjected != 0 {
		t.Fatalf("stats: %+v", st)
	}
	e.Reset()
	e.FlushImports()
	if len(e.Groups()) != 0 || len(e.Events()) != 0 || len(e.Imports()) != 0 || len(e.Contacts()) != 0 {
		t.Fatal("reset emulator is not empty")
	}
	e.Stop()
	select {
	case <-e.exited:
	default:
		t.Fatal("emulator still running after Stop")
	}
	e.Stop() // idempotent
}
