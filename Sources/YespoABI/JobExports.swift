// Bulk upsert job exports: begin, progress, feed (NDJSON / JSON array / file), cancel, finish, free.
import YespoCore

@_cdecl("yespo_upsert_begin")
public func yespo_upsert_begin(_ client: OpaquePointer?, _ optionsJSON: UnsafePointer<CChar>?,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?,
                               _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return withClient(client, err) { box throws(YespoError) in
        let out = try requireOut(out, "out")
        let text = try optionalStringArgument(optionsJSON, "options_json")
        let options = try UpsertOptions.parse(json: text)
        let job = try box.open().beginUpsert(options)
        guard let handle = registerHandle(.job, JobBox(job: job, clientBox: box)) else {
            job.cancel()
            throw YespoError(.noMemory, "out of memory creating the job handle")
        }
        out.pointee = handle
    }
}

@_cdecl("yespo_job_set_progress_callback")
public func yespo_job_set_progress_callback(_ job: OpaquePointer?, _ fn: CProgressCallback?, _ intervalMs: Int32,
                                            _ userdata: UnsafeMutableRawPointer?,
                                            _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withJob(job, err) { box throws(YespoError) in
        let engine = try box.open()
        guard intervalMs >= 10 else { throw invalidArgument("interval_ms must be at least 10, got \(intervalMs)") }
        guard let fn else {
            engine.setProgressHandler(intervalMs: Int(intervalMs)) { _ in }
            return
        }
        engine.setProgressHandler(intervalMs: Int(intervalMs), progressHandler(fn, userdata))
    }
}

@_cdecl("yespo_job_progress")
public func yespo_job_progress(_ job: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                               _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return withJob(job, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_json")
        try copyOut(box.open().progress().json(), to: out)
    }
}

@_cdecl("yespo_job_feed_ndjson")
public func yespo_job_feed_ndjson(_ job: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ length: Int,
                                  _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withJob(job, err) { box throws(YespoError) in
        let bytes = try bytesArgument(data, length, "data")
        try box.open().feedNDJSON(bytes)
    }
}

@_cdecl("yespo_job_feed_json_array")
public func yespo_job_feed_json_array(_ job: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ length: Int,
                                      _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withJob(job, err) { box throws(YespoError) in
        let bytes = try bytesArgument(data, length, "data")
        try box.open().feedJSONArray(bytes)
    }
}

@_cdecl("yespo_job_feed_file")
public func yespo_job_feed_file(_ job: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                                _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withJob(job, err) { box throws(YespoError) in
        let path = try stringArgument(path, "path", badUTF8Code: .invalidArgument)
        guard !path.isEmpty else { throw invalidArgument("path is empty") }
        let options = try FileOptions.parse(json: optionalStringArgument(optionsJSON, "options_json"))
        try box.open().feedFile(path: path, options: options)
    }
}

@_cdecl("yespo_job_cancel")
public func yespo_job_cancel(_ job: OpaquePointer?) -> Int32 {
    withJob(job, nil) { box throws(YespoError) in
        try box.open().cancel()
    }
}

@_cdecl("yespo_job_finish")
public func yespo_job_finish(_ job: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                             _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return withJob(job, err) { box throws(YespoError) in
        let out = try requireOut(out, "out")
        let engine = try box.open()
        guard box.claimFinish() else { throw YespoError(.state, "yespo_job_finish was already called on this job") }
        let report = try engine.finish()
        guard let handle = registerHandle(.report, ReportBox(report: report)) else {
            throw YespoError(.noMemory, "out of memory creating the report handle")
        }
        out.pointee = handle
    }
}

@_cdecl("yespo_job_free")
public func yespo_job_free(_ job: OpaquePointer?) {
    // cancel() is a no-op for a finished job; for a running one it is what the header promises.
    unregisterHandle(job, .job, as: JobBox.self)?.job.cancel()
}
