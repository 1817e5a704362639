package yespo

// Client options. Each one becomes a yespo_client_set_option call in NewClient; the library
// checks ranges and its error names the option and the value.

/*
#include "yespo.h"
*/
import "C"

import (
	"log"
	"time"
)

// Option configures a Client in NewClient.
type Option func(*clientConfig)

type intOption struct {
	option C.yespo_option
	value  int64
}

type stringOption struct {
	option C.yespo_option
	value  string
}

type clientConfig struct {
	ints     []intOption
	strings  []stringOption
	logFunc  LogFunc
	logLevel LogLevel
	// Set last of all (shared_budget.go): setting it connects to Redis.
	sharedBudgetURL *string
}

func (c *clientConfig) setInt(o C.yespo_option, v int64) {
	c.ints = append(c.ints, intOption{o, v})
}

func (c *clientConfig) setString(o C.yespo_option, v string) {
	c.strings = append(c.strings, stringOption{o, v})
}

func millis(d time.Duration) int64 { return d.Milliseconds() }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// WithBaseURL sets the API base URL (default "https://api.yespo.io/api/v1").
func WithBaseURL(url string) Option {
	return func(c *clientConfig) { c.setString(C.YESPO_OPT_BASE_URL, url) }
}

// WithConcurrency sets how many bulk requests may be in flight at once (1..256, default 8).
func WithConcurrency(n int) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_CONCURRENCY, int64(n)) }
}

// WithRateLimit sets this client's request budget per second (0 = none, default 100).
func WithRateLimit(requestsPerSecond int) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_RATE_LIMIT, int64(requestsPerSecond)) }
}

// WithTimeout limits one request end to end (default 120s).
func WithTimeout(d time.Duration) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_TIMEOUT_MS, millis(d)) }
}

// WithConnectTimeout limits connection setup (default 10s).
func WithConnectTimeout(d time.Duration) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_CONNECT_TIMEOUT_MS, millis(d)) }
}

// WithStallTimeout aborts a transfer that moves no byte for this long (default 30s).
func WithStallTimeout(d time.Duration) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_STALL_TIMEOUT_MS, millis(d)) }
}

// WithMaxRetries sets the retries of one request after its first try (0..100, default 8).
func WithMaxRetries(n int) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_MAX_RETRIES, int64(n)) }
}

// WithRetryBackoff sets the first backoff step and the cap (defaults 250ms and 30s).
func WithRetryBackoff(base, max time.Duration) Option {
	return func(c *clientConfig) {
		c.setInt(C.YESPO_OPT_RETRY_BASE_MS, millis(base))
		c.setInt(C.YESPO_OPT_RETRY_MAX_MS, millis(max))
	}
}

// WithChunkSize sets the contacts per bulk request (1..3000, default 3000).
func WithChunkSize(n int) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_CHUNK_SIZE, int64(n)) }
}

// WithChunkBytes caps the byte size of one bulk body (>= 64 KiB, default 8 MiB).
func WithChunkBytes(n int) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_CHUNK_BYTES, int64(n)) }
}

// WithMaxQueuedChunks sets how many chunks are buffered before feeding blocks (default concurrency).
func WithMaxQueuedChunks(n int) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_MAX_QUEUED_CHUNKS, int64(n)) }
}

// WithImportPolling sets the /importstatus polling interval and the give-up time used by
// UpsertOptions.Wait and WaitForImport (defaults 2s and 20min).
func WithImportPolling(interval, timeout time.Duration) Option {
	return func(c *clientConfig) {
		c.setInt(C.YESPO_OPT_IMPORT_POLL_MS, millis(interval))
		c.setInt(C.YESPO_OPT_IMPORT_TIMEOUT_MS, millis(timeout))
	}
}

// WithAdaptiveConcurrency turns the cut-on-429, grow-back-slowly behaviour on or off (default on).
func WithAdaptiveConcurrency(on bool) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_ADAPTIVE_CONCURRENCY, boolInt(on)) }
}

// WithInsecureHTTP allows http:// to non-loopback hosts (default off).
func WithInsecureHTTP(allow bool) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_ALLOW_INSECURE_HTTP, boolInt(allow)) }
}

// WithTLSVerification turns certificate verification on or off (default on; off is dangerous).
func WithTLSVerification(verify bool) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_VERIFY_TLS, boolInt(verify)) }
}

// WithCAFile verifies the server against this PEM bundle.
func WithCAFile(path string) Option {
	return func(c *clientConfig) { c.setString(C.YESPO_OPT_CA_FILE, path) }
}

// WithBaseURLV2 sets the v2 API's base URL, where SendEvent posts (default: the base URL with its
// final /v1 made /v2, e.g. https://api.yespo.io/api/v2). "" goes back to the derived URL.
func WithBaseURLV2(url string) Option {
	return func(c *clientConfig) { c.setString(C.YESPO_OPT_BASE_URL_V2, url) }
}

// WithUserAgent sets the User-Agent header (default "yespo/<version>").
func WithUserAgent(ua string) Option {
	return func(c *clientConfig) { c.setString(C.YESPO_OPT_USER_AGENT, ua) }
}

// LogLevel is the severity of a library log line.
type LogLevel int

const (
	LogError LogLevel = C.YESPO_LOG_ERROR
	LogWarn  LogLevel = C.YESPO_LOG_WARN
	LogInfo  LogLevel = C.YESPO_LOG_INFO
	LogDebug LogLevel = C.YESPO_LOG_DEBUG
)

func (l LogLevel) String() string {
	switch l {
	case LogError:
		return "error"
	case LogWarn:
		return "warn"
	case LogInfo:
		return "info"
	case LogDebug:
		return "debug"
	}
	return "level" + string(rune('0'+int(l)))
}

// LogFunc receives the library's log lines (never containing the API key). It is called from
// the library's threads and must be quick and safe for concurrent use.
type LogFunc func(level LogLevel, message string)

// WithLogger sends library log lines up to maxLevel to l as "yespo <level>: <message>".
func WithLogger(l *log.Logger, maxLevel LogLevel) Option {
	return WithLogFunc(func(level LogLevel, message string) {
		l.Printf("yespo %s: %s", level, message)
	}, maxLevel)
}

// WithLogFunc sends library log lines up to maxLevel to fn.
func WithLogFunc(fn LogFunc, maxLevel LogLevel) Option {
	return func(c *clientConfig) {
		c.logFunc = fn
		c.logLevel = maxLevel
	}
}

// optionTablesJSON is the library's one option table (yespo_options_json); the tests compare this
// package's options and UpsertOptions fields with it.
func optionTablesJSON() (string, error) {
	var out *C.char
	var cerr *C.yespo_error
	if rc := C.yespo_options_json(&out, &cerr); rc != C.YESPO_OK {
		return "", takeError("options", rc, cerr)
	}
	return takeString(out), nil
}
