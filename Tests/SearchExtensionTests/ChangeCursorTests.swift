import Testing

@testable import SearchExtension

/// How far a replica's index has followed the shared changes, and the gaps it still looks for.
@Suite struct ChangeCursorTests {
    @Test func changesAppliedInOrderRaiseTheFloor() {
        var cursor = ChangeCursor(floor: 0)
        cursor.markApplied([1, 2, 3], at: 0)
        #expect(cursor.floor == 3 && cursor.highest == 3 && cursor.missing.isEmpty)
    }

    /// Position 2 belongs to a transaction still running when 3 was read: the floor waits below it, and 2 is
    /// looked for again until it comes.
    @Test func aGapHoldsTheFloorUntilItFills() {
        var cursor = ChangeCursor(floor: 0)
        cursor.markApplied([1, 3, 4], at: 0)
        #expect(cursor.floor == 1 && cursor.highest == 4 && cursor.missing == [2])
        cursor.markApplied([2], at: 1)
        #expect(cursor.floor == 4 && cursor.missing.isEmpty)
    }

    /// A transaction that rolled back never fills its position: after `gapPatience` the floor goes past it.
    @Test func aGapIsGivenUpAfterItsPatience() {
        var cursor = ChangeCursor(floor: 10)
        cursor.markApplied([12], at: 100)
        cursor.markApplied([], at: 100 + ChangeCursor.gapPatience - 1)
        #expect(cursor.floor == 10 && cursor.missing == [11])
        cursor.markApplied([], at: 100 + ChangeCursor.gapPatience)
        #expect(cursor.floor == 12 && cursor.missing.isEmpty)
    }

    /// Read again after a restart from the saved floor, changes already applied are not gaps, and positions at
    /// or below the floor change nothing.
    @Test func positionsAtOrBelowTheFloorAreIgnored() {
        var cursor = ChangeCursor(floor: 5)
        cursor.markApplied([3, 5], at: 0)
        #expect(cursor.floor == 5 && cursor.highest == 5 && cursor.missing.isEmpty)
    }
}
