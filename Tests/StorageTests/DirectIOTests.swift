import NIOCore
import Testing

@testable import Storage

@Suite struct DirectIOTests {
    /// `StagingWriter.alignment` bytes of room on either side of an aligned address.
    func buffer(length: Int, skew: Int = 0) -> ByteBuffer {
        let block = StagingWriter.alignment
        var buffer = ByteBufferAllocator().buffer(capacity: length + 2 * block)
        let address = buffer.withVeryUnsafeBytes { Int(bitPattern: $0.baseAddress) }
        let start = (block - address % block) % block + skew
        buffer.moveWriterIndex(to: start + length)
        buffer.moveReaderIndex(to: start)
        return buffer
    }

    @Test func aWholeNumberOfBlocksAtAnAlignedOffsetFromAnAlignedAddressSuits() {
        #expect(POSIXFile.suitsDirectIO(buffer(length: 8 * StagingWriter.alignment), at: 3 * 4096))
    }

    @Test func anOddLengthOffsetOrAddressGoesThroughThePageCache() {
        let block = StagingWriter.alignment
        #expect(!POSIXFile.suitsDirectIO(buffer(length: block + 1), at: 0))
        #expect(!POSIXFile.suitsDirectIO(buffer(length: block), at: 512))
        #expect(!POSIXFile.suitsDirectIO(buffer(length: block, skew: 16), at: 0))
        #expect(!POSIXFile.suitsDirectIO(buffer(length: 0), at: 0))
    }
}
