// What the readers (NDJSON, JSON array, a file) need of a preparer: one JSON object's bytes in, one
// verdict out through a sink. ContactPreparer, OrderPreparer and EventPreparer are the three; the
// readers are generic over them, so each job kind gets its own specialised loop and the contacts
// loop carries no test of the kind.

protocol RowPreparer {
    func prepareInPlace<S: RowSink>(json: UnsafeRawBufferPointer, row: Int, buffers: inout PrepareBuffers,
                                    into sink: inout S) throws(S.Failure)
}

extension ContactPreparer: RowPreparer {}

extension RowPreparer {
    /// validate=false for orders and events: the row goes as given (compacted) as long as it is one
    /// JSON object (anything else would break the request body).
    func compactObject(_ json: UnsafeRawBufferPointer, into out: inout ByteWriter) throws(RowProblem) {
        guard var c = JSONCursor(json) else { throw RowProblem("empty row: expected a JSON object") }
        c.skipWhitespace()
        guard c.current == JSONByte.openBrace else { throw RowProblem("expected a JSON object, got \(c.valueKindHere)") }
        try c.copyValue(into: &out, depth: 0)
        c.skipWhitespace()
        guard c.atEnd else { throw c.problem("unexpected data after the object") }
    }
}
