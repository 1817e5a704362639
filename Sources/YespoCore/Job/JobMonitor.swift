// A mutex with one condition variable (pthread, monotonic clock): the job's shared state is
// guarded by it, feeds wait on it for queue space, finish() waits on it for the last outcomes.
// Callers take it once per chunk or batch, never once per row.
import Glibc

final class JobMonitor: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits for a broadcast; call only while holding the lock (inside `withLock`).
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a broadcast or until `deadlineNs` on the monotonic clock; inside `withLock`.
    func wait(untilNs deadlineNs: UInt64) {
        var ts = timespec(tv_sec: Int(deadlineNs / 1_000_000_000), tv_nsec: Int(deadlineNs % 1_000_000_000))
        pthread_cond_timedwait(condition, mutex, &ts)
    }

    func broadcast() { pthread_cond_broadcast(condition) }
}

/// A joinable OS thread running one closure (no Foundation).
final class JobThread: @unchecked Sendable {
    private var handle = pthread_t()
    private var started = false

    /// Starts `body` on a new thread; throws .internal when the OS refuses.
    init(name: String, _ body: @escaping @Sendable () -> Void) throws(YespoError) {
        let box = Unmanaged.passRetained(ThreadBody({
            nameCurrentThread(name)
            body()
        })).toOpaque()
        let rc = pthread_create(&handle, nil, { context in
            guard let context else { return nil }
            let body = Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue()
            body.run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            throw YespoError(.internal, "could not start the \(name) thread (error \(rc))")
        }
        started = true
    }

    /// Waits for the thread to end; call once, never from the thread itself.
    func join() {
        guard started else { return }
        started = false
        pthread_join(handle, nil)
    }
}

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
