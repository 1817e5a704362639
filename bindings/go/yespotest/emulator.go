// Package yespotest starts the local Yespo API emulator (yespo-emulator) for tests, on a loopback
// port of its own, and stops it when the test ends. It needs no cgo and does not import yespo.
//
//	emu := yespotest.Start(t)
//	client, _ := yespo.NewClient("test-key", yespo.WithBaseURL(emu.APIURL()))
//
// The binary is found through $YESPO_EMULATOR, else dist/bin/yespo-emulator in the repository
// that contains the current directory.
package yespotest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Emulator is a running yespo-emulator process.
type Emulator struct {
	// URL is the server root, e.g. "http://127.0.0.1:41234"; the API is under URL+"/api/v1".
	URL string

	t      testing.TB
	cmd    *exec.Cmd
	exited chan struct{}
	stderr *tailBuffer
	http   *http.Client
}

// APIURL is the base URL to give the client: URL + "/api/v1".
func (e *Emulator) APIURL() string { return e.URL + "/api/v1" }

// Binary finds the emulator: $YESPO_EMULATOR, else <repo>/dist/bin/yespo-emulator.
func Binary() (string, error) {
	if path := os.Getenv("YESPO_EMULATOR"); path != "" {
		return path, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isFile(filepath.Join(dir, "Package.swift")) && isFile(filepath.Join(dir, "include", "yespo.h")) {
			return filepath.Join(dir, "dist", "bin", "yespo-emulator"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("yespotest: set YESPO_EMULATOR (no yespo repository above the current directory)")
		}
		dir = parent
	}
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}

// Start runs the emulator on 127.0.0.1 with a free port plus the given flags (e.g. "--seed", "1",
// "--import-delay-ms", "0") and registers its shutdown with t.Cleanup. It fails the test if the
// emulator does not come up within 20 seconds.
func Start(t testing.TB, args ...string) *Emulator {
	t.Helper()
	e, err := start(args)
	if err != nil {
		t.Fatalf("yespotest: %v", err)
	}
	e.t = t
	t.Cleanup(e.Stop)
	return e
}

func start(args []string) (*Emulator, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	full := append([]string{"--host", "127.0.0.1", "--port", "0", "--quiet"}, args...)
	cmd := exec.Command(bin, full...)
	cmd.SysProcAttr = procAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	tail := &tailBuffer{max: 64 << 10}
	cmd.Stderr = tail
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start %s: %v", bin, err)
	}
	e := &Emulator{cmd: cmd, exited: make(chan struct{}), stderr: tail,
		http: &http.Client{Timeout: 60 * time.Second}}
	lines := make(chan string, 1)
	go func() {
		reader := bufio.NewReader(stdout)
		first, _ := reader.ReadString('\n')
		lines <- first
		_, _ = io.Copy(io.Discard, reader)
	}()
	go func() {
		_ = cmd.Wait()
		close(e.exited)
	}()
	select {
	case line := <-lines:
		const prefix = "listening "
		if !strings.HasPrefix(line, prefix) {
			e.kill()
			return nil, fmt.Errorf("emulator said %q instead of %q; stderr: %s", line, prefix+"URL", tail.String())
		}
		e.URL = strings.TrimSpace(strings.TrimPrefix(line, prefix))
	case <-time.After(20 * time.Second):
		e.kill()
		return nil, fmt.Errorf("emulator did not start within 20s; stderr: %s", tail.String())
	}
	return e, nil
}

// Stop terminates the emulator (SIGTERM, then SIGKILL after 5s). Idempotent.
func (e *Emulator) Stop() {
	select {
	case <-e.exited:
		return
	default:
	}
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(5 * time.Second):
		e.kill()
	}
}

func (e *Emulator) kill() {
	_ = e.cmd.Process.Kill()
	<-e.exited
}

// Stderr is the tail of the emulator's log output, for failure messages.
func (e *Emulator) Stderr() string { return e.stderr.String() }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
