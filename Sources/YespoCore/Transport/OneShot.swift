// A value handed from the engine thread to one waiting caller (Transport.perform): the caller
// blocks on a condition variable until the engine delivers.

import Glibc

final class OneShot<Value: Sendable>: @unchecked Sendable {
    // pthread objects must not move: they live in their own allocations. Guarded by `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: Value?

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func fulfil(_ v: Value) {
        pthread_mutex_lock(mutex)
        if value == nil { value = v }
        pthread_cond_broadcast(cond)
        pthread_mutex_unlock(mutex)
    }

    func wait() -> Value {
        pthread_mutex_lock(mutex)
        while value == nil { pthread_cond_wait(cond, mutex) }
        // The loop only exits once a value is set.
        let v = value.unsafelyUnwrapped
        pthread_mutex_unlock(mutex)
        return v
    }
}
