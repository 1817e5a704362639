// libpq (PostgreSQL's own client library), loaded at run time the first time a postgres:// state
// is opened. libyespo.so thus does not need libpq to load — only a sync with a PostgreSQL state
// does (Debian: libpq5) — and gets libpq's authentication (SCRAM, certificates), TLS and
// connection-string handling without reimplementing any of it.
import Glibc

struct LibPQ: @unchecked Sendable {
    typealias ConnectDB = @convention(c) (UnsafePointer<CChar>?) -> OpaquePointer?
    typealias Status = @convention(c) (OpaquePointer?) -> Int32
    typealias ErrorMessage = @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    typealias Finish = @convention(c) (OpaquePointer?) -> Void
    typealias ExecParams = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<UInt32>?,
                                           UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
                                           UnsafePointer<Int32>?, Int32) -> OpaquePointer?
    typealias ResultStatus = @convention(c) (OpaquePointer?) -> Int32
    typealias ResultError = @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    typealias Clear = @convention(c) (OpaquePointer?) -> Void
    typealias NTuples = @convention(c) (OpaquePointer?) -> Int32
    typealias GetValue = @convention(c) (OpaquePointer?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
    typealias GetInt = @convention(c) (OpaquePointer?, Int32, Int32) -> Int32

    let connectdb: ConnectDB
    let status: Status
    let errorMessage: ErrorMessage
    let finish: Finish
    let execParams: ExecParams
    let resultStatus: ResultStatus
    let resultErrorMessage: ResultError
    let clear: Clear
    let ntuples: NTuples
    let getvalue: GetValue
    let getlength: GetInt
    let getisnull: GetInt
    let nfields: NTuples

    static let connectionOK: Int32 = 0
    static let commandOK: Int32 = 1
    static let tuplesOK: Int32 = 2

    /// The library, or why it could not be loaded.
    static let shared: Result<LibPQ, YespoError> = load()

    private static func load() -> Result<LibPQ, YespoError> {
        var handle: UnsafeMutableRawPointer? = nil
        for name in ["libpq.so.5", "libpq.so"] {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { break }
        }
        guard let handle else {
            return .failure(YespoError(.io, "a postgres:// sync state needs libpq (Debian/Ubuntu: apt install libpq5), which could not be loaded"))
        }
        func symbol<T>(_ name: String, _ type: T.Type) -> T? {
            guard let p = dlsym(handle, name) else { return nil }
            return unsafeBitCast(p, to: type)
        }
        guard let connectdb = symbol("PQconnectdb", ConnectDB.self), let status = symbol("PQstatus", Status.self),
              let errorMessage = symbol("PQerrorMessage", ErrorMessage.self), let finish = symbol("PQfinish", Finish.self),
              let execParams = symbol("PQexecParams", ExecParams.self), let resultStatus = symbol("PQresultStatus", ResultStatus.self),
              let resultError = symbol("PQresultErrorMessage", ResultError.self), let clear = symbol("PQclear", Clear.self),
              let ntuples = symbol("PQntuples", NTuples.self), let getvalue = symbol("PQgetvalue", GetValue.self),
              let getlength = symbol("PQgetlength", GetInt.self), let getisnull = symbol("PQgetisnull", GetInt.self),
              let nfields = symbol("PQnfields", NTuples.self) else {
            return .failure(YespoError(.io, "the libpq found lacks functions the sync needs"))
        }
        return .success(LibPQ(connectdb: connectdb, status: status, errorMessage: errorMessage, finish: finish,
                              execParams: execParams, resultStatus: resultStatus, resultErrorMessage: resultError,
                              clear: clear, ntuples: ntuples, getvalue: getvalue, getlength: getlength, getisnull: getisnull, nfields: nfields))
    }
}
