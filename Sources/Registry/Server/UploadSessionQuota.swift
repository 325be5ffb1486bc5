import Synchronization

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

/// `http.maxUploadSessionsPerClient`: how many resumable upload sessions one client may hold open at once,
/// so that one client cannot fill the metadata database and the staging directory with sessions it never
/// finishes.
///
/// A session counts from the `POST` that opened it until the `PUT` that completes it, the `DELETE` that
/// cancels it, or a failure that discards it. The count is kept in memory by session id: after a restart
/// it starts at zero, and sessions opened before the restart (which remain resumable) are not counted.
/// Sessions garbage collection expires are noticed lazily, when a client reaches its limit (`isOpen` asks
/// storage), at most once per `pruneInterval` per client, so a client hammering at its limit cannot make
/// every refusal cost a database scan.
///
/// - Important: Only a `Mutex` over small maps; no lock is held across an `await`.
final class UploadSessionQuota: Sendable {
    private struct Client {
        var sessions: Set<String> = []
        /// Slots taken by `POST`s whose session is being created right now.
        var reserved = 0
        var prunedAt: ContinuousClock.Instant?

        var count: Int { sessions.count + reserved }
        var isEmpty: Bool { sessions.isEmpty && reserved == 0 }
    }

    private struct State {
        var clients: [UploadClient: Client] = [:]
        var owners: [String: UploadClient] = [:]
    }

    /// The most sessions one client may hold open.
    let limit: Int
    private let pruneInterval: Duration
    private let isOpen: @Sendable (String) -> Bool
    private let state = Mutex(State())

    /// - Parameter isOpen: whether storage still has session `id`: false once it was completed, cancelled
    ///   or expired by a request this table did not see.
    init(limit: Int, pruneInterval: Duration = .seconds(1), isOpen: @escaping @Sendable (String) -> Bool) {
        self.limit = limit
        self.pruneInterval = pruneInterval
        self.isOpen = isOpen
    }

    /// Opens a session for `client` with `start`, which returns the new session's id; throws 429
    /// TOOMANYREQUESTS instead when the client already holds `limit` open sessions.
    func open(for client: UploadClient, _ start: () async throws -> String) async throws -> String {
        guard reserve(for: client) || (prune(client) && reserve(for: client)) else {
            throw OCIError(
                .tooManyRequests,
                detail: "\(client) has \(limit) open upload sessions, the most http.maxUploadSessionsPerClient "
                    + "allows: finish or cancel one first")
        }
        let id: String
        do {
            id = try await start()
        } catch {
            state.withLock { state in Self.unreserve(client, in: &state) }
            throw error
        }
        state.withLock { state in
            state.clients[client, default: Client()].reserved -= 1
            state.clients[client, default: Client()].sessions.insert(id)
            state.owners[id] = client
        }
        return id
    }

    /// Session `id` was completed or cancelled.
    func close(_ id: String) {
        state.withLock { state in Self.forget(id, in: &state) }
    }

    /// A request on session `id` failed: forgets it if that failure also ended it (a digest mismatch
    /// discards the upload), keeps counting it if the client may still resume it.
    func closeIfEnded(_ id: String) {
        guard state.withLock({ $0.owners[id] != nil }), !isOpen(id) else { return }
        close(id)
    }

    /// How many sessions `client` holds open, reserved ones included.
    func count(for client: UploadClient) -> Int {
        state.withLock { $0.clients[client]?.count ?? 0 }
    }

    private func reserve(for client: UploadClient) -> Bool {
        state.withLock { state in
            guard state.clients[client, default: Client()].count < limit else { return false }
            state.clients[client, default: Client()].reserved += 1
            return true
        }
    }

    /// Forgets the client's sessions that storage no longer has; returns whether any were.
    /// The storage lookups run outside the lock.
    private func prune(_ client: UploadClient) -> Bool {
        let now = ContinuousClock.now
        let candidates: [String]? = state.withLock { state in
            guard var entry = state.clients[client] else { return nil }
            if let last = entry.prunedAt, now - last < pruneInterval { return nil }
            entry.prunedAt = now
            state.clients[client] = entry
            return Array(entry.sessions)
        }
        let ended = (candidates ?? []).filter { !isOpen($0) }
        guard !ended.isEmpty else { return false }
        state.withLock { state in
            for id in ended { Self.forget(id, in: &state) }
        }
        return true
    }

    private static func forget(_ id: String, in state: inout State) {
        guard let client = state.owners.removeValue(forKey: id) else { return }
        state.clients[client]?.sessions.remove(id)
        if state.clients[client]?.isEmpty == true { state.clients[client] = nil }
    }

    private static func unreserve(_ client: UploadClient, in state: inout State) {
        state.clients[client]?.reserved -= 1
        if state.clients[client]?.isEmpty == true { state.clients[client] = nil }
    }
}
