import Foundation
import Synchronization

/// `log.audit`: one JSON line per request that changes something (POST, PUT, PATCH, DELETE), appended to a
/// file of its own, in zot's shape (`subject`, `action`, `object`, `status`, …) plus the repository and
/// reference.
///
/// Lines are built from names and paths only, never from credentials.
public final class AuditLog: Sendable {
    /// One audited request.
    public struct Entry: Sendable, Encodable {
        public var time: Date
        /// The caller: a user name, or empty when anonymous or not signed in.
        public var subject: String
        /// How they signed in (`password`, `apiKey`, `bearer`, …) or `anonymous`.
        public var method: String
        public var clientIP: String?
        /// The HTTP method.
        public var action: String
        /// The request path, without its query.
        public var object: String
        public var repository: String?
        public var reference: String?
        public var status: Int

        public init(
            time: Date = Date(), subject: String, method: String, clientIP: String?, action: String, object: String,
            repository: String?, reference: String?, status: Int
        ) {
            self.time = time
            self.subject = subject
            self.method = method
            self.clientIP = clientIP
            self.action = action
            self.object = object
            self.repository = repository
            self.reference = reference
            self.status = status
        }
    }

    public let path: String
    private let descriptor: Mutex<Int32>
    private let encoder: JSONEncoder

    /// Opens `path` for appending, creating it (mode 0600) when needed.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        descriptor = Mutex(fd)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        self.encoder = encoder
    }

    deinit {
        descriptor.withLock { _ = close($0) }
    }

    /// Whether a request with this method is audited.
    public static func audits(method: String) -> Bool {
        ["POST", "PUT", "PATCH", "DELETE"].contains(method)
    }

    /// Appends `entry` as one line, with a single `write` so concurrent lines never interleave.
    public func record(_ entry: Entry) {
        guard var line = try? encoder.encode(Line(entry)) else { return }
        line.append(UInt8(ascii: "\n"))
        descriptor.withLock { fd in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }

    /// zot's audit line: its fixed `level` and `message` with the entry's fields.
    private struct Line: Encodable {
        var level = "info"
        var message = "HTTP API Audit"
        var entry: Entry

        init(_ entry: Entry) { self.entry = entry }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(level, forKey: .level)
            try container.encode(message, forKey: .message)
            try container.encode(Timestamp.format(entry.time), forKey: .time)
            try container.encode(entry.subject, forKey: .subject)
            try container.encode(entry.method, forKey: .authMethod)
            try container.encodeIfPresent(entry.clientIP, forKey: .clientIP)
            try container.encode(entry.action, forKey: .action)
            try container.encode(entry.object, forKey: .object)
            try container.encodeIfPresent(entry.repository, forKey: .repository)
            try container.encodeIfPresent(entry.reference, forKey: .reference)
            try container.encode(entry.status, forKey: .status)
        }

        enum Key: String, CodingKey {
            case level, message, time, subject, authMethod, clientIP, action, object, repository, reference, status
        }
    }
}
