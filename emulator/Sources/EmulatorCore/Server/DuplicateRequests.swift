import Hummingbird

// "Duplicated request" (the official Shopify app catches it on bulk POST /contacts and single
// POST /contact): a byte-identical request from the same API key, repeated within
// `duplicateWindowMs` of one that was processed, is refused and not processed. That is what a
// retry after a lost answer sends, so a client's retry logic meets it here.
extension Emulator {
    /// Runs `process` unless it is a duplicate. `process` says whether it applied anything: only
    /// such requests are remembered (a 400, or an import that fails by fault, is not).
    func refusingDuplicates(route: String, request: Request, body: [UInt8],
                            _ process: () -> (reply: Reply, processed: Bool)) -> Reply {
        let cfg = settings
        guard cfg.duplicateWindowMs > 0 else { return process().reply }
        let fingerprint = DuplicateMemory.Fingerprint(route: route, apiKey: apiKey(request.headers[.authorization]) ?? "",
                                                      body: body)
        let window = Duration.milliseconds(cfg.duplicateWindowMs)
        // Held while processing: two identical requests at once are processed one after the
        // other, so the second is the duplicate, as it would be on a server that serialises them.
        return duplicates.withLock { memory -> Reply in
            if memory.contains(fingerprint, window: window, now: .now) {
                return duplicateReply(cfg)
            }
            let (reply, processed) = process()
            if processed { memory.record(fingerprint, now: .now) }
            return reply
        }
    }

    /// The duplicate error; counted in `duplicatedRequests`.
    func duplicateReply(_ cfg: EmulatorSettings) -> Reply {
        stats.withLock { $0.duplicatedRequests += 1 }
        return .text(cfg.duplicateStatus, cfg.duplicateBody)
    }
}
