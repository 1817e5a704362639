// Client exports: create, configure, log callback, stats, free.
import YespoCore

@_cdecl("yespo_client_new")
public func yespo_client_new(_ apiKey: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                             _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return abiCall(err) { () throws(YespoError) in
        let out = try requireOut(out, "out")
        let key = try stringArgument(apiKey, "api_key", badUTF8Code: .invalidArgument)
        guard !key.isEmpty else { throw invalidArgument("api_key is empty") }
        let client = try YespoClient(settings: ClientSettings(apiKey: key))
        guard let handle = registerHandle(.client, ClientBox(client: client, apiKey: key)) else {
            client.close()
            throw YespoError(.noMemory, "out of memory creating the client handle")
        }
        out.pointee = handle
    }
}

@_cdecl("yespo_client_set_option")
public func yespo_client_set_option(_ client: OpaquePointer?, _ option: Int32, _ value: Int64,
                                    _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        let apply = try integerOptionSetter(option, value)
        try box.open().configure(apply)
    }
}

@_cdecl("yespo_client_set_option_str")
public func yespo_client_set_option_str(_ client: OpaquePointer?, _ option: Int32, _ value: UnsafePointer<CChar>?,
                                        _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        let text = try optionalStringArgument(value, "value", badUTF8Code: .invalidArgument)
        let apply = try stringOptionSetter(option, text)
        try box.open().configure(apply)
    }
}

@_cdecl("yespo_client_set_log_callback")
public func yespo_client_set_log_callback(_ client: OpaquePointer?, _ fn: CLogCallback?, _ maxLevel: Int32,
                                          _ userdata: UnsafeMutableRawPointer?,
                                          _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    withClient(client, err) { box throws(YespoError) in
        let engine = try box.open()
        guard let fn else {
            engine.setLogHandler(maxLevel: .error, nil)
            return
        }
        guard let level = LogLevel(rawValue: maxLevel) else {
            throw invalidArgument("max_level must be 1 (error) ... 4 (debug), got \(maxLevel)")
        }
        engine.setLogHandler(maxLevel: level, logHandler(fn, userdata))
    }
}

@_cdecl("yespo_client_stats")
public func yespo_client_stats(_ client: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                               _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return withClient(client, err) { box throws(YespoError) in
        let out = try requireOut(out, "out_json")
        try copyOut(box.open().stats().json(), to: out)
    }
}

@_cdecl("yespo_client_free")
public func yespo_client_free(_ client: OpaquePointer?) {
    unregisterHandle(client, .client, as: ClientBox.self)?.close()
}

/// Runs `body` with the live client behind `handle`, mapping NULL/freed handles and errors.
func withClient(_ handle: OpaquePointer?, _ err: UnsafeMutablePointer<OpaquePointer?>?,
                _ body: (ClientBox) throws(YespoError) -> Void) -> Int32 {
    switch lookupHandle(handle, .client, as: ClientBox.self) {
    case .null:
        return abiCall(err) { () throws(YespoError) in throw invalidArgument("client is NULL") }
    case .bad:
        return abiCall(err) { () throws(YespoError) in
            throw YespoError(.badHandle, "client is not a live yespo_client (already freed?)")
        }
    case .found(let box):
        return abiCall(err, redacting: box.apiKey) { () throws(YespoError) in try body(box) }
    }
}

@_cdecl("yespo_option_bounds")
public func yespo_option_bounds(_ option: Int32, _ min: UnsafeMutablePointer<Int64>?, _ max: UnsafeMutablePointer<Int64>?,
                                _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(err) { () throws(YespoError) in
        let min = try requireOut(min, "min")
        let max = try requireOut(max, "max")
        let range = try OptionTables.bounds(id: option)
        min.pointee = range.lowerBound
        max.pointee = range.upperBound
    }
}

@_cdecl("yespo_options_json")
public func yespo_options_json(_ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                               _ err: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return abiCall(err) { () throws(YespoError) in
        let out = try requireOut(out, "out_json")
        try copyOut(OptionTables.json(), to: out)
    }
}
