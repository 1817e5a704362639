// Streams a contacts file (CSV / NDJSON / JSON array; "-" = stdin) in bounded memory.

/// Streams a file (CSV / NDJSON / JSON array; "-" = stdin) in bounded memory.
public final class FileRowReader {
    public init(path: String, options: FileOptions) throws(YespoError) {
        throw YespoError(.invalidInput, "file input is not implemented yet")
    }

    /// Reads up to maxRows rows, emitting one verdict each; returns how many (0 = end of file).
    public func read(firstRow: Int, maxRows: Int, preparer: ContactPreparer,
                     _ emit: (RowVerdict) throws -> Void) throws -> Int {
        return 0
    }

    public func close() {}
}
