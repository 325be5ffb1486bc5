import Foundation

/// libFuzzer entry point for `ByteRange`: a blob's `Range` header against a size taken from the
/// input, and an upload chunk's `Content-Range`. Results must lie inside the blob.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzByteRange(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 8 else { return 0 }
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var size: Int64 = 0
    for b in bytes.prefix(8) { size = (size << 8) | Int64(b) }
    size = size & 0x0000_FFFF_FFFF_FFFF  // up to 256 TiB, as blobs are
    let header = String(decoding: bytes.dropFirst(8), as: UTF8.self)
    if case .success(let range)? = ByteRange.requested(header, size: size) {
        precondition(range.lowerBound >= 0 && range.upperBound < size, "range \(range) outside a blob of \(size) bytes")
    }
    if let chunk = ByteRange.chunk(header) {
        precondition(chunk.lowerBound >= 0 && chunk.upperBound >= chunk.lowerBound, "chunk \(chunk) from \(header)")
    }
    return 0
}
