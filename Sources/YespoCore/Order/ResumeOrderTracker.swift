// Keeps a resumed run's writes in input order. The journal of the interrupted run may say a later
// row was accepted while an earlier row of the same contact was not recorded (its chunk's outcome
// was still being written, or it waited for an import): sending the earlier row again alone would
// put its older value over the newer one. So a row recorded as accepted is sent again when an
// earlier row sent again in this run may be the same contact. Only rows before the last recorded
// one can need that, so the keys are kept only up to there.

struct ResumeOrderTracker {
    private let lastRecordedRow: Int
    private var resentKeys: Set<UInt64> = []

    init(resume: ResumeState?) {
        var last = 0
        for (row, recorded) in resume?.rows ?? [:] where recorded.kind != .notSent && row > last { last = row }
        lastRecordedRow = last
    }

    /// True when a row the earlier run recorded must nevertheless be sent again (`keys`: the
    /// row's keys when it is ready to send, nil when it is invalid).
    func mustResend(_ keys: OrderKeys?, recorded: ResumeState.Recorded) -> Bool {
        guard recorded.kind == .accepted, !resentKeys.isEmpty, let keys else { return false }
        return keys.contains(where: resentKeys.contains)
    }

    /// A ready row goes to the server in this run.
    mutating func sending(row: Int, _ keys: OrderKeys) {
        guard row < lastRecordedRow else { return }
        keys.forEach { resentKeys.insert($0) }
    }
}
