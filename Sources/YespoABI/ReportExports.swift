// Report exports: the summary JSON and the per-row outcomes as NDJSON.
import YespoCore

@_cdecl("yespo_report_json")
public func yespo_report_json(_ report: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return withReport(report, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_json")
        try copyOut(box.report.summaryJSON(), to: out)
    }
}

@_cdecl("yespo_report_rows")
public func yespo_report_rows(_ report: OpaquePointer?, _ kinds: Int32,
                              _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ outLength: UnsafeMutablePointer<Int>?,
                              _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    outLength?.pointee = 0
    return withReport(report, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_ndjson")
        let outLength = try requireOut(outLength, "out_len")
        let wanted = try outcomeKinds(kinds)
        let ndjson = box.report.rowsNDJSON(kinds: wanted)
        try copyOut(ndjson, to: out)
        outLength.pointee = ndjson.count
    }
}

@_cdecl("yespo_report_free")
public func yespo_report_free(_ report: OpaquePointer?) {
    _ = unregisterHandle(report, .report, as: ReportBox.self)
}

/// YESPO_ROWS_* bits → outcome kinds.
func outcomeKinds(_ bits: Int32) throws(YespoError) -> Set<RowOutcomeKind> {
    let table: [(Int32, RowOutcomeKind)] = [(1, .accepted), (2, .rejected), (4, .invalid), (8, .duplicate), (16, .notSent)]
    guard bits > 0, bits & ~31 == 0 else {
        throw invalidArgument("kinds must be a non-empty combination of YESPO_ROWS_* bits (1..31), got \(bits)")
    }
    return Set(table.filter { bits & $0.0 != 0 }.map(\.1))
}

func withReport(_ handle: OpaquePointer?, _ err: UnsafeMutablePointer<OpaquePointer?>?,
                _ body: (ReportBox) throws(YespoError) -> Void) -> Int32 {
    switch lookupHandle(handle, .report, as: ReportBox.self) {
    case .null:
        return abiCall(err) { () throws(YespoError) in throw invalidArgument("report is NULL") }
    case .bad:
        return abiCall(err) { () throws(YespoError) in
            throw YespoError(.badHandle, "report is not a live yespo_report (already freed?)")
        }
    case .found(let box):
        return abiCall(err) { () throws(YespoError) in try body(box) }
    }
}
