// yespo_option values → ClientSettings changes, through the core's one ClientOptionTable (types,
// 0/1 booleans); ranges are checked by ClientSettings.validated() when the change is applied.
import YespoCore

typealias SettingsChange = @Sendable (inout ClientSettings) -> Void

func integerOptionSetter(_ option: Int32, _ value: Int64) throws(YespoError) -> SettingsChange {
    try ClientOptionTable.integerChange(id: option, value)
}

func stringOptionSetter(_ option: Int32, _ value: String?) throws(YespoError) -> SettingsChange {
    try ClientOptionTable.stringChange(id: option, value)
}

/// A C `int` flag that must be 0 or 1 (e.g. `erase`), named in the error.
func boolOption(_ name: String, _ value: Int64) throws(YespoError) -> Bool {
    switch value {
    case 0: return false
    case 1: return true
    default: throw invalidArgument("\(name) must be 0 or 1, got \(value)")
    }
}
