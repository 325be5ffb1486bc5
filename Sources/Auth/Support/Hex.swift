extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal.
    var hexString: String {
        var text = ""
        for byte in self {
            let digits = Array("0123456789abcdef".utf8)
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte >> 4)]))
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte & 0x0F)]))
        }
        return text
    }
}

/// Random bytes from the system's cryptographic generator.
enum SecureRandom {
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
