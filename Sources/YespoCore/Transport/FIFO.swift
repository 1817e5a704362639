// The waiting line of transfers: push at the back, take from the front, both O(1); entries that
// were cancelled while waiting are skipped lazily instead of searched for. A slot is cleared as its
// entry leaves: a taken transfer must not stay referenced (with its request body) until the next
// compaction.

/// A first-in-first-out queue with O(1) push and pop, for the waiting transfers.
struct FIFO<T: AnyObject> {
    private var items: [T?] = []
    private var head = 0

    mutating func push(_ t: T) { items.append(t) }

    var isEmpty: Bool { head >= items.count }

    /// Entries not taken yet, including cancelled ones not skipped yet.
    var count: Int { items.count - head }

    /// The first element that `skip` does not reject; rejected ones are dropped on the way.
    mutating func peek(skipping skip: (T) -> Bool) -> T? {
        while head < items.count, let t = items[head], skip(t) { items[head] = nil; head += 1 }
        compact()
        return head < items.count ? items[head] : nil
    }

    mutating func pop() -> T? {
        guard head < items.count else { return nil }
        let t = items[head]
        items[head] = nil
        head += 1
        compact()
        return t
    }

    private mutating func compact() {
        if head == items.count { items.removeAll(keepingCapacity: true); head = 0 } else if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
    }
}
