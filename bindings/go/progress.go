package yespo

// Progress of a running upsert, and the relay that hands it to the caller's callback on a Go
// goroutine: the library calls us on the job's callback thread, which should not wait on user code, so
// the callback only stores the newest progress and a delivery goroutine calls the user.

import (
	"encoding/json"
	"sync"
)

// Progress is a snapshot of a running upsert.
type Progress struct {
	RowsRead    int   `json:"rowsRead"`
	RowsSent    int   `json:"rowsSent"`
	Accepted    int   `json:"accepted"`
	Rejected    int   `json:"rejected"`
	Invalid     int   `json:"invalid"`
	Duplicates  int   `json:"duplicates"`
	NotSent     int   `json:"notSent"`
	ChunksSent  int   `json:"chunksSent"`
	ChunksDone  int   `json:"chunksDone"`
	InFlight    int   `json:"inFlight"`
	Concurrency int   `json:"concurrency"`
	Requests    int   `json:"requests"`
	Retries     int   `json:"retries"`
	Throttled   int   `json:"throttled"`
	BytesSent   int64 `json:"bytesSent"`
	ElapsedMs   int64 `json:"elapsedMs"`
	Done        bool  `json:"done"`
}

// progressRelay coalesces progress updates: a slow callback sees fewer, never stale-last, updates.
type progressRelay struct {
	fn      func(Progress)
	mu      sync.Mutex
	pending *string
	closed  bool
	wake    chan struct{}
	stopped chan struct{}
}

func newProgressRelay(fn func(Progress)) *progressRelay {
	r := &progressRelay{fn: fn, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go r.deliver()
	return r
}

// offer runs on the library's thread: store and signal, never block.
func (r *progressRelay) offer(text string) {
	r.mu.Lock()
	if !r.closed {
		r.pending = &text
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *progressRelay) deliver() {
	defer close(r.stopped)
	for range r.wake {
		r.mu.Lock()
		text, closed := r.pending, r.closed
		r.pending = nil
		r.mu.Unlock()
		if text != nil {
			var p Progress
			if json.Unmarshal([]byte(*text), &p) == nil {
				r.fn(p)
			}
		}
		if closed {
			return
		}
	}
}

// close delivers what is pending (the final progress) and waits for the delivery goroutine.
func (r *progressRelay) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	<-r.stopped
}
