/// Durations written the way zot's configs write them: Go's `time.ParseDuration` syntax.
///
/// A duration is a sequence of decimal numbers, each with an optional fraction and a unit, with an optional
/// sign in front: `"1h"`, `"30m"`, `"1h30m"`, `"1.5h"`, `"500ms"`, `"2h45m10s"`. Units are `ns`, `us` (or
/// `µs`), `ms`, `s`, `m` and `h`; `"0"` is the only number allowed without one. Like Go, values are whole
/// nanoseconds in 64 bits, so anything beyond about 292 years is refused as an overflow.
public enum GoDuration {
    /// Parses Go duration syntax; `nil` when `text` is not a valid duration.
    public static func parse(_ text: String) -> Duration? {
        nanoseconds(parsing: Array(text.utf8)).map { Duration.nanoseconds($0) }
    }

    /// Renders `duration` as Go prints it (`"1h0m0s"`, `"1.5s"`, `"500ms"`, `"0s"`), so messages show the
    /// same text a zot user is used to. Sub-nanosecond parts are dropped.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        let nanoseconds = overflow || overflow2 ? (seconds < 0 ? Int64.min : Int64.max) : total
        return format(nanoseconds: nanoseconds)
    }

    private static let unitScale: [String: UInt64] = [
        "ns": 1,
        "us": 1_000, "µs": 1_000, "μs": 1_000,  // U+00B5 and U+03BC, both accepted by Go
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    // Follows Go's algorithm step by step, so that edge cases ("1.h", ".5s", "+0", overflow) agree with zot.
    private static func nanoseconds(parsing input: [UInt8]) -> Int64? {
        var rest = input[...]
        var negative = false
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        if rest.elementsEqual("0".utf8) { return 0 }
        if rest.isEmpty { return nil }

        let limit: UInt64 = 1 << 63
        var total: UInt64 = 0
        while !rest.isEmpty {
            guard let first = rest.first, first == UInt8(ascii: ".") || isDigit(first) else { return nil }

            var whole: UInt64 = 0
            let wholeDigits = rest.prefix(while: isDigit)
            for digit in wholeDigits {
                let (shifted, overflow) = whole.multipliedReportingOverflow(by: 10)
                guard !overflow, shifted <= limit - UInt64(digit - 48) else { return nil }
                whole = shifted + UInt64(digit - 48)
            }
            rest = rest.dropFirst(wholeDigits.count)

            // The fraction keeps as many digits as fit and ignores the rest, as Go does.
            var fraction: UInt64 = 0
            var scale: Double = 1
            var fractionDigitCount = 0
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                let fractionDigits = rest.prefix(while: isDigit)
                var saturated = false
                for digit in fractionDigits where !saturated {
                    let (shifted, overflow) = fraction.multipliedReportingOverflow(by: 10)
                    if overflow || shifted > limit - UInt64(digit - 48) {
                        saturated = true
                    } else {
                        fraction = shifted + UInt64(digit - 48)
                        scale *= 10
                    }
                }
                fractionDigitCount = fractionDigits.count
                rest = rest.dropFirst(fractionDigits.count)
            }
            guard !wholeDigits.isEmpty || fractionDigitCount > 0 else { return nil }

            let unitBytes = rest.prefix { $0 != UInt8(ascii: ".") && !isDigit($0) }
            guard !unitBytes.isEmpty,
                let unit = unitScale[String(decoding: unitBytes, as: UTF8.self)]
            else { return nil }
            rest = rest.dropFirst(unitBytes.count)

            let (scaled, overflow) = whole.multipliedReportingOverflow(by: unit)
            guard !overflow, scaled <= limit else { return nil }
            var value = scaled
            if fraction > 0 {
                value += UInt64(Double(fraction) * (Double(unit) / scale))
                guard value <= limit else { return nil }
            }
            total += value
            guard total <= limit else { return nil }
        }
        if negative { return total == limit ? Int64.min : -Int64(total) }
        guard total < limit else { return nil }
        return Int64(total)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func format(nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        var value = nanoseconds.magnitude
        if value < 1_000_000_000 {
            let (precision, unit) =
                value < 1_000 ? (0, "ns") : value < 1_000_000 ? (3, "µs") : (6, "ms")
            let (fractionText, whole) = fractionPart(of: value, precision: precision)
            return "\(sign)\(whole)\(fractionText)\(unit)"
        }
        let (fractionText, seconds) = fractionPart(of: value, precision: 9)
        value = seconds
        var text = "\(value % 60)\(fractionText)s"
        value /= 60
        if value > 0 {
            text = "\(value % 60)m" + text
            value /= 60
            if value > 0 { text = "\(value)h" + text }
        }
        return sign + text
    }

    /// Splits `value` into its last `precision` decimal digits, printed without trailing zeros (and without a
    /// point when they are all zero), and what remains above them.
    private static func fractionPart(of value: UInt64, precision: Int) -> (String, UInt64) {
        var remaining = value
        var digits = ""
        var significant = false
        for _ in 0..<precision {
            let digit = remaining % 10
            significant = significant || digit != 0
            if significant { digits = "\(digit)" + digits }
            remaining /= 10
        }
        return (significant ? "." + digits : "", remaining)
    }
}
