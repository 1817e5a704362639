// Process-wide library set-up, done exactly once before the first client exists: curl's global
// state (not thread-safe to initialise concurrently) and jansson's hash seed.

import CCurl
import CJansson

/// Swift runs a global's initialiser once, thread-safely, on first use: that is the "once".
private let processInitResult: Int32 = {
    let rc = curl_global_init(Int(CURL_GLOBAL_ALL))
    json_object_seed(0)
    return Int32(rc.rawValue)
}()

enum ProcessInit {
    /// Call before any curl or jansson use. Throws if curl could not initialise.
    static func ensure() throws(YespoError) {
        guard processInitResult == 0 else {
            throw YespoError(.internal, "curl_global_init failed with code \(processInitResult)")
        }
    }
}
