// Incremental sync exports: begin (against a state), feed (file / NDJSON), cancel, finish (the
// report as JSON), free, and the read-only status of a state. The logic is YespoCore's SyncJob.
import Synchronization
import YespoCore

final class SyncBox: Sendable {
    let sync: SyncJob
    let clientBox: ClientBox
    private let finishStarted = Atomic<Bool>(false)

    init(sync: SyncJob, clientBox: ClientBox) {
        self.sync = sync
        self.clientBox = clientBox
    }

    func open() throws(YespoError) -> SyncJob {
        guard !clientBox.isClosed else { throw YespoError(.state, "the sync's client was freed") }
        return sync
    }

    func claimFinish() -> Bool {
        finishStarted.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}

func withSync(_ handle: OpaquePointer?, _ err: UnsafeMutablePointer<OpaquePointer?>?,
              _ body: (SyncBox) throws(YespoError) -> Void) -> Int32 {
    switch lookupHandle(handle, .sync, as: SyncBox.self) {
    case .null:
        return abiCall(err) { () throws(YespoError) in throw invalidArgument("sync is NULL") }
    case .bad:
        return abiCall(err) { () throws(YespoError) in
            throw YespoError(.badHandle, "sync is not a live yespo_sync (already freed?)")
        }
    case .found(let box):
        return abiCall(err, redacting: box.clientBox.apiKey) { () throws(YespoError) in try body(box) }
    }
}

@_cdecl("yespo_sync_begin")
public func yespo_sync_begin(_ client: OpaquePointer?, _ state: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?,
                             _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return withClient(client, err) { box throws(YespoError) in
        let out = try requireOut(out, "out")
        let location = try stringArgument(state, "state", badUTF8Code: .invalidArgument)
        let options = try SyncOptions.parse(json: optionalStringArgument(optionsJSON, "options_json"))
        let sync = try box.open().beginSync(state: location, options: options)
        guard let handle = registerHandle(.sync, SyncBox(sync: sync, clientBox: box)) else {
            sync.cancel()
            _ = try? sync.finish()
            throw YespoError(.noMemory, "out of memory creating the sync handle")
        }
        out.pointee = handle
    }
}

@_cdecl("yespo_sync_feed_file")
public func yespo_sync_feed_file(_ sync: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                                 _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withSync(sync, err) { box throws(YespoError) in
        let path = try stringArgument(path, "path", badUTF8Code: .invalidArgument)
        guard !path.isEmpty else { throw invalidArgument("path is empty") }
        let options = try FileOptions.parse(json: optionalStringArgument(optionsJSON, "options_json"))
        try box.open().feedFile(path: path, options: options)
    }
}

@_cdecl("yespo_sync_feed_ndjson")
public func yespo_sync_feed_ndjson(_ sync: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ length: Int,
                                   _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withSync(sync, err) { box throws(YespoError) in
        let bytes = try bytesArgument(data, length, "data")
        try box.open().feedNDJSON(bytes)
    }
}

@_cdecl("yespo_sync_cancel")
public func yespo_sync_cancel(_ sync: OpaquePointer?) -> Int32 {
    withSync(sync, nil) { box throws(YespoError) in
        try box.open().cancel()
    }
}

@_cdecl("yespo_sync_finish")
public func yespo_sync_finish(_ sync: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return withSync(sync, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_json")
        let engine = try box.open()
        guard box.claimFinish() else { throw YespoError(.state, "yespo_sync_finish was already called on this sync") }
        let report = try engine.finish()
        try copyOut(redact(report.json(), box.clientBox.apiKey), to: out)
    }
}

@_cdecl("yespo_sync_free")
public func yespo_sync_free(_ sync: OpaquePointer?) {
    guard let box = unregisterHandle(sync, .sync, as: SyncBox.self) else { return }
    // An unfinished sync is cancelled and closed (its state connections released).
    if box.claimFinish() {
        box.sync.cancel()
        _ = try? box.sync.finish()
    }
}

@_cdecl("yespo_sync_status")
public func yespo_sync_status(_ state: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return abiCall(err) { () throws(YespoError) in
        let out = try requireOut(out, "out_json")
        let location = try stringArgument(state, "state", badUTF8Code: .invalidArgument)
        try copyOut(SyncStatus.json(state: location), to: out)
    }
}
