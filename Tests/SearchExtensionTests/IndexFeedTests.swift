import Registry
import Testing

@testable import SearchExtension

/// The feed lets pushes gather into one batch, but never keeps a search waiting for the batch to fill.
/// The window in these tests is an hour: were gathering not cut short, they would run into the time limit.
@Suite(.timeLimit(.minutes(1))) struct IndexFeedTests {
    static let event = RegistryEvent.manifestDeleted(repository: "a", reference: "v1")

    @Test func gatheringEndsAsSoonAsASearchWaits() async throws {
        let feed = IndexFeed()
        feed.post(Self.event)
        async let gathered: Void = feed.gather(window: .seconds(3600), batchLimit: 1000)
        try await Task.sleep(for: .milliseconds(100))  // the consumer is gathering by now
        async let searched: Void = feed.waitUntilCurrent()
        await gathered
        let batch = feed.takePending()
        #expect(batch == [Self.event])
        feed.markApplied(batch.count)
        await searched
    }

    @Test func gatheringEndsOnceTheBatchIsFull() async throws {
        let feed = IndexFeed()
        async let gathered: Void = feed.gather(window: .seconds(3600), batchLimit: 3)
        try await Task.sleep(for: .milliseconds(100))  // the consumer is gathering by now
        for _ in 0..<3 { feed.post(Self.event) }
        await gathered
        #expect(feed.takePending().count == 3)
    }

    @Test func aSearchWithNothingPendingDoesNotWait() async {
        let feed = IndexFeed()
        feed.post(Self.event)
        feed.markApplied(feed.takePending().count)
        await feed.waitUntilCurrent()
    }
}
