import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The S3 operations a blob store needs, signed with SigV4 and sent over one shared `HTTPClient`.
///
/// Bodies stream in both directions: a GET hands its bytes to the caller as they arrive, a PUT sends the one
/// buffer (a part) it is given. Payloads go unsigned (`UNSIGNED-PAYLOAD`): every blob is hashed by zotd as
/// it is staged, and a second SHA-256 of each part only for the signature would double that cost.
public struct S3Client: Sendable {
    public let endpoint: S3Endpoint
    let signer: SignatureV4
    let http: HTTPClient
    /// Answers larger than this are not read whole (error bodies, listings, multipart replies are small).
    static let replyLimit = 4 << 20
    static let timeout: TimeAmount = .seconds(60)

    public init(endpoint: S3Endpoint, credentials: S3Credentials, http: HTTPClient) {
        self.endpoint = endpoint
        self.signer = SignatureV4(credentials: credentials, region: endpoint.region)
        self.http = http
    }

    /// The object's size and time, or nil when there is none.
    public func headObject(_ key: String) async throws -> S3Object? {
        let response = try await send("HEAD", key: key)
        if response.status == .notFound { return nil }
        try await check(response, expecting: [.ok])
        guard let length = response.headers.first(name: "content-length").flatMap(Int64.init) else {
            throw S3Error(status: Int(response.status.code), code: "NoContentLength", message: "HEAD \(key)")
        }
        let modified = response.headers.first(name: "last-modified").flatMap(S3Object.parseHTTPDate)
        return S3Object(key: key, size: length, lastModified: modified)
    }

    /// Streams `range` (or all) of the object to `consume`; throws `S3Error` 404 `NoSuchKey` when it is absent,
    /// 416 when the range starts past its end, and `ShortRange` when the object ends inside the range.
    public func getObject(
        _ key: String, range: ClosedRange<Int64>? = nil, into consume: (ByteBuffer) async throws -> Void
    ) async throws {
        let headers = range.map { [("Range", "bytes=\($0.lowerBound)-\($0.upperBound)")] } ?? []
        let response = try await send("GET", key: key, headers: headers)
        try await check(response, expecting: range == nil ? [.ok] : [.partialContent])
        // S3 answers a range that overlaps the end with the bytes it has: a blob shorter than asked is damage.
        if let range, let length = response.headers.first(name: "content-length").flatMap(Int64.init),
            length != range.upperBound - range.lowerBound + 1
        {
            throw S3Error(status: 206, code: "ShortRange", message: "\(key) has \(length) bytes of range \(range)")
        }
        for try await chunk in response.body { try await consume(chunk) }
    }

    public func putObject(_ key: String, body: S3Body) async throws {
        _ = try await replyText(try await send("PUT", key: key, body: body), expecting: [.ok])
    }

    /// Deleting an absent object is no error (S3 answers 204 either way).
    public func deleteObject(_ key: String) async throws {
        _ = try await replyText(try await send("DELETE", key: key), expecting: [.noContent, .ok, .notFound])
    }

    /// Starts a multipart upload of `key`; returns its upload id.
    public func createMultipartUpload(_ key: String) async throws -> String {
        let reply = try await replyText(try await send("POST", key: key, query: [("uploads", "")]), expecting: [.ok])
        guard let id = S3XML.values(of: "UploadId", in: reply).first else {
            throw S3Error(status: 200, code: "MalformedReply", message: "no UploadId in \(reply.prefix(200))")
        }
        return id
    }

    /// Sends part `number` (from 1) of a multipart upload; returns its ETag.
    public func uploadPart(_ key: String, uploadID: String, number: Int, body: S3Body) async throws -> String {
        let response = try await send(
            "PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body)
        _ = try await replyText(response, expecting: [.ok])
        guard let etag = response.headers.first(name: "etag") else {
            throw S3Error(status: 200, code: "MalformedReply", message: "part \(number) of \(key) has no ETag")
        }
        return etag
    }

    /// Joins the parts, in order, into the object: until then the object does not exist.
    public func completeMultipartUpload(_ key: String, uploadID: String, parts: [String]) async throws {
        let list = parts.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escaped($0.element))</ETag></Part>" }
        let body = S3Body.bytes(ByteBuffer(string: "<CompleteMultipartUpload>\(list.joined())</CompleteMultipartUpload>"))
        let reply = try await replyText(
            try await send("POST", key: key, query: [("uploadId", uploadID)], body: body), expecting: [.ok])
        // S3 may answer 200 and still fail, with an <Error> body.
        if let code = S3XML.values(of: "Code", in: reply).first, reply.contains("<Error>") {
            throw S3Error(status: 200, code: code, message: S3XML.values(of: "Message", in: reply).first ?? "")
        }
    }

    public func abortMultipartUpload(_ key: String, uploadID: String) async throws {
        let response = try await send("DELETE", key: key, query: [("uploadId", uploadID)])
        _ = try await replyText(response, expecting: [.noContent, .ok, .notFound])
    }

    /// One page of the keys under `prefix`, and where the next page starts (nil on the last).
    public func listObjects(prefix: String, after continuation: String? = nil) async throws
        -> (objects: [S3Object], next: String?)
    {
        var query = [("list-type", "2"), ("prefix", prefix)]
        if let continuation { query.append(("continuation-token", continuation)) }
        let reply = try await replyText(try await send("GET", key: "", query: query), expecting: [.ok])
        let objects = S3XML.elements("Contents", in: reply).compactMap { contents -> S3Object? in
            guard let key = S3XML.values(of: "Key", in: contents).first,
                let size = S3XML.values(of: "Size", in: contents).first.flatMap(Int64.init)
            else { return nil }
            let modified = S3XML.values(of: "LastModified", in: contents).first.flatMap(S3Object.parseTime)
            return S3Object(key: key, size: size, lastModified: modified)
        }
        let truncated = S3XML.values(of: "IsTruncated", in: reply).first == "true"
        return (objects, truncated ? S3XML.values(of: "NextContinuationToken", in: reply).first : nil)
    }

    /// A URL that lets whoever holds it GET the object for `expires` seconds, without credentials.
    public func presignedGetURL(_ key: String, expires: Int, now: Date = Date()) -> String {
        let path = endpoint.path(of: key)
        let query = signer.presignedQuery(
            .init(method: "GET", host: endpoint.authority, path: path, payloadHash: SignatureV4.unsignedPayload),
            at: now, expires: expires)
        return endpoint.url(path: path, query: query)
    }

    // MARK: - Sending

    /// Tries per request. S3 asks clients to retry its 500s and 503s (`SlowDown`), and a pooled connection the
    /// server has closed fails the request that next uses it. Every request zotd sends can be sent again: PUTs
    /// of content-addressed keys and of parts, GETs, DELETEs, completing an upload from its part list; and every
    /// body is a buffer or chunks read again from the staged file.
    static let attempts = 3

    private func send(
        _ method: String, key: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: S3Body? = nil
    ) async throws -> HTTPClientResponse {
        var attempt = 1
        while true {
            do {
                let response = try await sendOnce(method, key: key, query: query, headers: headers, body: body)
                guard attempt < Self.attempts, S3Error.isUnavailable(status: Int(response.status.code)) else {
                    return response
                }
                _ = try? await response.body.collect(upTo: Self.replyLimit)
            } catch let error as S3Error where attempt < Self.attempts && error.isUnavailable {
                // Sent again below.
            }
            try await Task.sleep(for: .milliseconds(100 << (attempt - 1)))
            attempt += 1
        }
    }

    private func sendOnce(
        _ method: String, key: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], body: S3Body?
    ) async throws -> HTTPClientResponse {
        let path = endpoint.path(of: key)
        var request = HTTPClientRequest(url: endpoint.url(path: path, query: query))
        request.method = HTTPMethod(rawValue: method)
        var signed = headers
        if let body { signed.append(("content-length", String(body.length))) }
        for (name, value) in signer.sign(
            .init(method: method, host: endpoint.authority, path: path, query: query, headers: signed,
                  payloadHash: body == nil ? SignatureV4.emptyPayloadHash : SignatureV4.unsignedPayload),
            at: Date())
        where name != "content-length" {
            // async-http-client sets the length itself, from the body: the same value that was signed.
            request.headers.add(name: name, value: value)
        }
        if let body { request.body = body.content }
        do {
            return try await http.execute(request, timeout: Self.timeout)
        } catch {
            throw S3Error(status: 0, code: "Unreachable", message: "\(method) \(path): \(error)")
        }
    }

    private func check(_ response: HTTPClientResponse, expecting statuses: Set<HTTPResponseStatus>) async throws {
        if statuses.contains(response.status) { return }
        let reply = (try? await response.body.collect(upTo: Self.replyLimit)).map { String(buffer: $0) } ?? ""
        throw S3Error(
            status: Int(response.status.code), code: S3XML.values(of: "Code", in: reply).first ?? response.status.reasonPhrase,
            message: S3XML.values(of: "Message", in: reply).first ?? "")
    }

    /// The whole (small) reply, read so that the connection goes back to the pool rather than being closed.
    private func replyText(_ response: HTTPClientResponse, expecting statuses: Set<HTTPResponseStatus>) async throws
        -> String
    {
        try await check(response, expecting: statuses)
        return String(buffer: try await response.body.collect(upTo: Self.replyLimit))
    }
}

/// One object of a listing.
public struct S3Object: Sendable, Equatable {
    public var key: String
    public var size: Int64
    /// Seconds since the epoch.
    public var lastModified: Double?

    /// HTTP's `Fri, 24 May 2013 00:00:00 GMT`.
    static func parseHTTPDate(_ text: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)?.timeIntervalSince1970
    }

    /// S3's `2013-05-24T00:00:00.000Z`.
    static func parseTime(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}
