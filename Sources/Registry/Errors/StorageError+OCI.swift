import Storage

extension OCIError {
    /// The one place where storage's refusals become OCI codes.
    public init(_ error: StorageError) {
        switch error {
        case .digestInvalid, .digestUnsupported, .digestMismatch:
            self.init(.digestInvalid, detail: error.description)
        case .nameInvalid:
            self.init(.nameInvalid, detail: error.description)
        case .nameUnknown:
            self.init(.nameUnknown, detail: error.description)
        case .tagInvalid:
            self.init(.manifestInvalid, detail: error.description)
        case .blobUnknown:
            self.init(.blobUnknown, detail: error.description)
        case .uploadUnknown:
            self.init(.blobUploadUnknown, detail: error.description)
        case .uploadRangeInvalid(let offset, _):
            // The spec's status for a chunk out of order is 416; its code list has no range code.
            self.init(
                .blobUploadInvalid,
                detail: error.description,
                status: .rangeNotSatisfiable,
                headers: [.range: offset > 0 ? "0-\(offset - 1)" : "0-0"]
            )
        case .uploadInvalid, .uploadBusy:
            self.init(.blobUploadInvalid, detail: error.description)
        case .tooManyUploadSessions:
            self.init(.tooManyRequests, detail: "\(error.description) (http.maxUploadSessionsPerClient)")
        case .manifestUnknown:
            self.init(.manifestUnknown, detail: error.description)
        case .manifestInvalid:
            self.init(.manifestInvalid, detail: error.description)
        case .manifestMediaTypeUnsupported:
            // zot's answer, code and status, for a type it does not store.
            self.init(.manifestInvalid, detail: error.description, status: .unsupportedMediaType)
        case .manifestBlobUnknown:
            self.init(.manifestBlobUnknown, detail: error.description)
        case .manifestTooLarge:
            self.init(.sizeInvalid, detail: error.description, status: .contentTooLarge)
        case .rangeNotSatisfiable(let size):
            self.init(
                .sizeInvalid,
                detail: error.description,
                status: .rangeNotSatisfiable,
                headers: [.contentRange: "bytes */\(size)"]
            )
        case .io:
            self.init(.unknown, detail: "storage failure")
        case .unavailable:
            self.init(.unavailable, detail: "storage unavailable, try again later")
        }
    }
}
