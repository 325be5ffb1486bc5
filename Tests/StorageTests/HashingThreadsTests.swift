import NIOPosix
import Testing

@testable import Storage

@Suite struct HashingThreadsTests {
    let threads = HashingThreads(count: 2)

    @Test func eachBodyGetsAThreadOfItsOwnWhileOneIsFree() async {
        await threads.withThread(if: true) { first in
            await threads.withThread(if: true) { second in
                await threads.withThread(if: true) { third in
                    #expect(first != nil && second != nil && first !== second)
                    #expect(third == nil)
                }
            }
        }
    }

    @Test func aBodyThatWantsNoneGetsNone() async {
        await threads.withThread(if: false) { #expect($0 == nil) }
    }

    @Test func theThreadIsGivenBackWhenTheBodyThrows() async {
        struct Cut: Error {}
        for _ in 0..<3 {
            await #expect(throws: Cut.self) {
                try await threads.withThread(if: true) { _ in throw Cut() }
            }
        }
        await threads.withThread(if: true) { first in
            await threads.withThread(if: true) { second in #expect(first != nil && second != nil) }
        }
    }
}
