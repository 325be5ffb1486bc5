import NIOHTTP1

extension OCIError {
    /// A request the HTTP parser gave up on midway: its body is malformed (a chunk-size line such as
    /// `-1`, `0x10` or one that overflows). The client's error, so 400 rather than 500; and the
    /// connection is closed, since where the next request would start in the stream is unknown.
    ///
    /// Only manifest and upload endpoints read a body, hence their two codes.
    init(_ error: HTTPParserError, at endpoint: RegistryEndpoint) {
        let code: OCIErrorCode = if case .manifest = endpoint { .manifestInvalid } else { .blobUploadInvalid }
        self.init(code, detail: "malformed request body: \(error)", headers: [.connection: "close"])
    }
}
