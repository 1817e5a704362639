// In which order the importer applies sessions that are due at the same moment. A client that
// waits for an earlier session to finish before writing the same contact again is only tested
// for real when a later session can overtake an earlier one.
public enum ImportOrder: String, Sendable, CaseIterable {
    /// Oldest first: the order requests arrived in.
    case arrival
    /// Newest first.
    case reverse
    /// A seeded random order.
    case shuffle

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The due sessions (given in arrival order) in the order they are to be applied.
    func arrange(_ due: [String], random: inout SeededRandom) -> [String] {
        switch self {
        case .arrival: return due
        case .reverse: return due.reversed()
        case .shuffle: return due.shuffled(using: &random)
        }
    }

    /// The position, in `due` (arrival order, not empty), of the one session to apply next.
    func pick(among due: [String], random: inout SeededRandom) -> Int {
        switch self {
        case .arrival: return 0
        case .reverse: return due.count - 1
        case .shuffle: return Int(random.next() % UInt64(due.count))
        }
    }
}
