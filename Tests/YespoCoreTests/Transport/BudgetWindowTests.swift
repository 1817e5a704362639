// The request budget's window counts a start when the request goes out (the engine confirms it),
// as the server counts it; a start not out yet holds the window until it is confirmed or settled.
import Testing
@testable import YespoCore

@Suite struct BudgetWindowTests {
    @Test func aConfirmedStartMovesTheWindowToTheSend() {
        var b = RequestBudget(rate: 2, now: 0)
        #expect(b.delayUntilAllowed(now: 0) == 0)
        b.consume(now: 0)
        let first = b.takeLastConsumed()!
        b.confirm(first, sentAt: 40_000)             // curl sent it 40 ms after it was started
        let at = 500_000
        #expect(b.delayUntilAllowed(now: Int64(at)) == 0)
        b.consume(now: Int64(at))
        b.settle(b.takeLastConsumed()!)
        // The third start waits for the first's window, counted from its send, plus the margin.
        let wait = b.delayUntilAllowed(now: 1_000_000)
        #expect(wait == 40_000 + b.windowMicros - 1_000_000)
    }

    @Test func aStartNotOutYetHoldsTheWindowUntilSettled() {
        var b = RequestBudget(rate: 1, now: 0)
        b.consume(now: 0)
        let slot = b.takeLastConsumed()!
        let later = b.windowMicros + 10
        #expect(b.delayUntilAllowed(now: later) > 0)   // its real start is still to come
        b.settle(slot)                                   // it never went out: it keeps its start
        #expect(b.delayUntilAllowed(now: later) == 0)
        // A late confirmation of a slot already reused changes nothing.
        b.consume(now: later)
        b.confirm(slot, sentAt: later + 900_000)
        #expect(b.delayUntilAllowed(now: later + b.windowMicros) == 0)
    }

    @Test func a429WidensTheMarginUpToItsCap() {
        var b = RequestBudget(rate: 1, now: 0)
        #expect(b.windowMicros == 1_000_000 + RequestBudget.marginMicros)
        #expect(b.widenMargin() == 2 * RequestBudget.marginMicros)
        for _ in 0..<10 { b.widenMargin() }
        #expect(b.windowMicros == 1_000_000 + RequestBudget.maxMarginMicros)
        b.consume(now: 0)
        b.settle(b.takeLastConsumed()!)
        #expect(b.delayUntilAllowed(now: 1_000_000) == RequestBudget.maxMarginMicros)
    }
}
