import Hummingbird
import NIOCore
import Storage

/// The bytes of a stored blob, as a response body.
///
/// On plain-HTTP connections the open file goes to the kernel (`sendfile`, see `SendfileHandler`);
/// elsewhere (TLS, or a store without local files) it is read and written in chunks.
struct StoredBlobBody {
    let store: RegistryStore
    let digest: Digest
    let recordedSize: Int64
    let range: ClosedRange<Int64>
    let channel: (any Channel)?

    func write(to writer: inout any ResponseBodyWriter) async throws {
        if let channel, let request = try await sendfileRequest(on: channel), try await register(request, on: channel) {
            // From here the handler owns the file: it closes it once sent, or when the connection ends.
            try await writer.write(request.marker)
            try await request.sent.futureResult.get()
        } else if let eventLoop = channel?.eventLoop {
            // Paced, so that a client that stops reading stops the disk reads within about a buffer.
            var paced = EventLoopPacedWriter(inner: writer, eventLoop: eventLoop)
            try await store.readBlob(digest, range: range) { chunk in try await paced.write(chunk) }
            writer = paced.inner
        } else {
            try await store.readBlob(digest, range: range) { chunk in try await writer.write(chunk) }
        }
        try await writer.finish(nil)
    }

    private func sendfileRequest(on channel: any Channel) async throws -> SendfileRequest? {
        guard let opened = try await store.openBlobFile(digest) else { return nil }
        let file = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: opened.descriptor)
        // The size the headers announced must be what the open file holds, or the body would end short.
        guard opened.size == recordedSize else {
            try? file.close()
            throw StorageError.io("blob \(digest) on disk does not have its recorded size \(recordedSize)")
        }
        let region = FileRegion(fileHandle: file, readerIndex: Int(range.lowerBound), endIndex: Int(range.upperBound) + 1)
        return SendfileRequest(
            marker: ByteBuffer(bytes: [0]), region: region, file: file, sent: channel.eventLoop.makePromise())
    }

    /// False when the connection has no `SendfileHandler` (TLS): the file is closed again.
    private func register(_ request: SendfileRequest, on channel: any Channel) async throws -> Bool {
        do {
            try await channel.triggerUserOutboundEvent(request).get()
            return true
        } catch {
            try? request.file.close()
            request.sent.fail(error)
            return false
        }
    }
}
