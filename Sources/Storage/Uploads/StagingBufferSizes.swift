import NIOCore

/// How big a request's staging buffers are: large for a few big bodies at once, standard for the rest.
///
/// Every staging buffer is one write and one hash hand-off, so larger ones make a push cheaper: a 1 GiB
/// push here spent 0.82–0.89 CPU-s with 2 MiB buffers against 0.87–0.98 with 512 KiB (the I/O pool's
/// share 0.06–0.09 against 0.11–0.14, its context switches 1,250–1,390 against 5,050–5,590), A/B
/// interleaved. But an upload holds three buffers, so 2 MiB buffers for all took 32 parallel pushes of
/// 32 MiB from 129 to 279 MiB. As many bodies as the machine has cores get them: more pushes than that
/// share the cores anyway, and the large buffers add at most 4.5 MiB each.
///
/// A body declared shorter than `largeBodies` gains little from them and would only keep them from a
/// bigger one; a body of unknown length (chunked transfer coding, as docker's streamed `PATCH`) may be big.
/// A slow push holding them costs the others only the larger buffers, never a wait.
struct StagingBufferSizes: Sendable {
    static let standard = 1 << 19
    static let large = 1 << 21
    /// Bodies at least this long (eight large buffers) get large buffers while some are free.
    static let largeBodies: Int64 = 16 << 20

    /// Requests staging through large buffers.
    let largeBuffers: Allowance

    init(largeAtOnce: Int = System.coreCount) {
        largeBuffers = Allowance(largeAtOnce)
    }

    /// Runs `body` with the buffer size for a body of `declaredLength` bytes (nil: unknown); a large size is
    /// given back when `body` returns or throws.
    func withBufferSize<T>(forBodyOf declaredLength: Int64?, _ body: (Int) async throws -> T) async rethrows -> T {
        try await largeBuffers.withClaim(if: (declaredLength ?? .max) >= Self.largeBodies) { claimed in
            try await body(claimed ? Self.large : Self.standard)
        }
    }
}
