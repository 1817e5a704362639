import Foundation

/// Session ids look like the real service's: lower-case UUIDs.
enum UUIDText {
    static func make() -> String { UUID().uuidString.lowercased() }
}
