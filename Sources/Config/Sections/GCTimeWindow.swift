import Foundation

/// The daily window, in UTC, during which a periodic garbage-collection sweep may start: zot's
/// `storage.gcTimeWindow`, written `"HH:MM-HH:MM"`. A window whose start is later than its end (`"22:00-06:00"`)
/// wraps past midnight. A sweep that starts inside the window may run past its end.
public struct GCTimeWindow: Sendable, Equatable, CustomStringConvertible {
    /// Minutes after midnight UTC at which the window opens.
    public let startMinute: Int
    /// Minutes after midnight UTC at which the window closes.
    public let endMinute: Int

    /// Parses `"HH:MM-HH:MM"` (24-hour clock, the hour may have one digit); `nil` when malformed or when
    /// start and end are equal, which zot refuses too.
    public init?(parsing text: String) {
        let halves = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2,
            let start = Self.minuteOfDay(halves[0].trimmingCharacters(in: .whitespaces)),
            let end = Self.minuteOfDay(halves[1].trimmingCharacters(in: .whitespaces)),
            start != end
        else { return nil }
        startMinute = start
        endMinute = end
    }

    /// Whether `date` falls inside the window.
    public func contains(_ date: Date) -> Bool {
        let secondsIntoDay = Int(date.timeIntervalSince1970.rounded(.down)) % 86_400
        let minute = (secondsIntoDay + 86_400) % 86_400 / 60
        if startMinute < endMinute { return minute >= startMinute && minute < endMinute }
        return minute >= startMinute || minute < endMinute
    }

    /// `"HH:MM-HH:MM"`.
    public var description: String { Self.format(startMinute) + "-" + Self.format(endMinute) }

    private static func minuteOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]),
            hour < 24, minute < 60
        else { return nil }
        return hour * 60 + minute
    }

    private static func format(_ minuteOfDay: Int) -> String {
        let hour = minuteOfDay / 60
        let minute = minuteOfDay % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
