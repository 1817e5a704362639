// Package yespo is a Go client for the Yespo (eSputnik) contacts API over libyespo's C ABI
// (include/yespo.h). The engine (connection pool, chunking, retries, rate budget, per-row
// outcomes) lives in the library; this package turns it into Go idioms: context.Context on every
// call, errors usable with errors.Is/errors.As, typed contacts, and a client that many goroutines
// share.
//
// A bulk upsert streams contacts to the library in NDJSON batches of a few thousand per C call;
// every input row ends in exactly one outcome (accepted, rejected, invalid, duplicate, notSent),
// which the Report counts and Report.Rows lists.
//
// Linking: by default the package links ../../dist/lib/libyespo.so (built by `make lib`) with an
// rpath; for an installed copy set CGO_CFLAGS / CGO_LDFLAGS (see docs/go-usage.md).
package yespo
