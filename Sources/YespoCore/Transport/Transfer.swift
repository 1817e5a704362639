// One request's life inside the engine, across its attempts: its body (which curl reads through
// `onRead` into its own upload buffer, so no copy of ours is made per request, and rewinds through
// `onSeek` when it resends on a fresh connection), the response being collected, and where it is now. Engine thread only.

import CCurl
import Glibc

/// What the engine needs to know about a submitted request; crosses threads through the inbox.
struct Submission: Sendable {
    var id: UInt64
    var request: HTTPRequest
    var completion: @Sendable (HTTPOutcome) -> Void
}

final class Transfer {
    enum State { case waiting, delayed, inFlight, done }

    let id: UInt64
    let method: String
    let path: String
    /// nil: the client's base URL.
    let baseURL: String?
    let requestClass: RequestClass
    let completion: @Sendable (HTTPOutcome) -> Void
    /// The request body, read by curl through `onRead` from `readOffset` on.
    private(set) var body: [UInt8]?
    var readOffset = 0
    let hasBody: Bool

    var state = State.waiting
    var attempts = 0
    var dueAt: Int64 = 0
    var attemptStartedAt: Int64 = 0
    /// The request budget's record of this attempt's start, confirmed when curl sends it.
    var budgetSlot: RequestBudget.Slot?
    /// When curl sent this attempt's request (0 until it did).
    var sentAt: Int64 = 0
    var submittedAt: Int64
    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    // The answer of the current attempt.
    var responseBody: [UInt8] = []
    var responseHeaders: [String: String] = [:]
    var tooLarge = false
    let maxResponseBytes: Int

    init(_ s: Submission, now: Int64, maxResponseBytes: Int) {
        id = s.id
        method = s.request.method.uppercased()
        path = s.request.path
        baseURL = s.request.baseURL
        requestClass = s.request.requestClass
        completion = s.completion
        submittedAt = now
        self.maxResponseBytes = maxResponseBytes
        hasBody = s.request.body != nil
        body = s.request.body
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    func resetResponse() {
        responseBody.removeAll(keepingCapacity: true)
        responseHeaders.removeAll(keepingCapacity: true)
        tooLarge = false
        readOffset = 0
        errorBuffer[0] = 0
    }

    /// The request is over: give back what only this transfer owned.
    func release() {
        body = nil
        errorBuffer.deallocate()
        if let l = headerList { curl_slist_free_all(l); headerList = nil }
    }

    var curlErrorDetail: String {
        errorBuffer[Int(CURL_ERROR_SIZE)] = 0
        return String(cString: errorBuffer)
    }

    /// "POST /contacts" without the query, which may hold personal data.
    var logName: String { "\(method) \(path.prefix { $0 != "?" })" }

    // MARK: curl callbacks (C function pointers: no captures; the transfer comes in as userdata)

    static let onBody: yespo_curl_data_cb = { ptr, size, count, userdata in
        guard let userdata, let ptr else { return 0 }
        let t = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
        let n = size * count
        guard t.responseBody.count + n <= t.maxResponseBytes else {
            t.tooLarge = true
            return 0   // makes curl abort the transfer with CURLE_WRITE_ERROR
        }
        t.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: n))
        return n
    }

    /// curl asks for the next part of the body (an attempt starts at offset 0).
    static let onRead: yespo_curl_data_cb = { buffer, size, count, userdata in
        guard let userdata, let buffer else { return 0 }
        let t = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
        guard let body = t.body else { return 0 }
        let n = min(size * count, body.count - t.readOffset)
        guard n > 0 else { return 0 }
        body.withUnsafeBytes { src in
            if let base = src.baseAddress { memcpy(buffer, base + t.readOffset, n) }
        }
        t.readOffset += n
        return n
    }

    /// curl resends the body (a reused connection turned out closed): back to `offset`.
    static let onSeek: yespo_curl_seek_cb = { userdata, offset, origin in
        guard let userdata, origin == SEEK_SET else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
        let t = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
        guard offset >= 0, Int(offset) <= (t.body?.count ?? 0) else { return Int32(CURL_SEEKFUNC_FAIL) }
        t.readOffset = Int(offset)
        return Int32(CURL_SEEKFUNC_OK)
    }

    /// The connection is ready and the request goes out now: the start the server will count.
    static let onPrerequest: yespo_curl_prereq_cb = { userdata, _, _, _, _ in
        if let userdata { Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue().sentAt = monotonicMicros() }
        return Int32(CURL_PREREQFUNC_OK)
    }

    static let onHeader: yespo_curl_data_cb = { ptr, size, count, userdata in
        guard let userdata, let ptr else { return 0 }
        let t = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
        let n = size * count
        let line = UnsafeRawBufferPointer(start: ptr, count: n)
        // A new status line (after a 1xx) starts a new header block.
        if n >= 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"),
           line[3] == UInt8(ascii: "P"), line[4] == UInt8(ascii: "/") {
            t.responseHeaders.removeAll(keepingCapacity: true)
            return n
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return n }
        let name = String(decoding: line[0..<colon], as: UTF8.self).lowercased()
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
        t.responseHeaders[name] = value
        return n
    }
}
