// POST /api/v1/contacts/upload (filled in by the file-import work).
extension Emulator {
    func upload(_ body: [UInt8], fault: FiredFault?) async -> Reply {
        .text(501, "file upload is not implemented yet")
    }
}
