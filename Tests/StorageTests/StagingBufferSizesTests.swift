import Testing

@testable import Storage

@Suite struct StagingBufferSizesTests {
    let sizes = StagingBufferSizes(largeAtOnce: 2)

    @Test func aBigBodyGetsLargeBuffers() async {
        await sizes.withBufferSize(forBodyOf: 1 << 30) { #expect($0 == StagingBufferSizes.large) }
    }

    /// Docker streams a layer's `PATCH` with chunked transfer coding: it may be big.
    @Test func aBodyOfUnknownLengthGetsLargeBuffers() async {
        await sizes.withBufferSize(forBodyOf: nil) { #expect($0 == StagingBufferSizes.large) }
    }

    @Test func aBodyDeclaredShortGetsStandardBuffers() async {
        await sizes.withBufferSize(forBodyOf: StagingBufferSizes.largeBodies - 1) {
            #expect($0 == StagingBufferSizes.standard)
        }
    }

    @Test func onlySoManyBodiesAtOnceGetLargeBuffers() async {
        await sizes.withBufferSize(forBodyOf: nil) { first in
            await sizes.withBufferSize(forBodyOf: nil) { second in
                await sizes.withBufferSize(forBodyOf: nil) { third in
                    #expect([first, second, third] == [StagingBufferSizes.large, StagingBufferSizes.large, StagingBufferSizes.standard])
                }
            }
        }
    }

    @Test func largeBuffersAreGivenBackWhenTheBodyThrows() async {
        struct Cut: Error {}
        for _ in 0..<3 {
            await #expect(throws: Cut.self) {
                try await sizes.withBufferSize(forBodyOf: nil) { _ in throw Cut() }
            }
        }
        await sizes.withBufferSize(forBodyOf: nil) { #expect($0 == StagingBufferSizes.large) }
    }
}
