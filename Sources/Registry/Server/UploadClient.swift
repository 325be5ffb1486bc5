/// Who an upload session counts against: the authenticated user when there is one, else the peer's
/// IP address. Two cases, so that a user named like an address never shares a count with it.
enum UploadClient: Hashable, Sendable, CustomStringConvertible {
    case user(String)
    case address(String)

    var description: String {
        switch self {
        case .user(let name): "user \(name)"
        case .address(let address): "address \(address)"
        }
    }
}

extension RegistryRequestContext {
    /// The client this request's upload sessions count against.
    var uploadClient: UploadClient {
        let identity = caller.identity
        if !identity.isAnonymous, !identity.name.isEmpty { return .user(identity.name) }
        return .address(channel.remoteAddress?.ipAddress ?? "unknown")
    }
}
