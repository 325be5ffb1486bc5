#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process figures Go's process collector exposes (and so zot): read from `/proc/self` when scraped.
///
/// Linux only; elsewhere every figure is nil and the families are left out.
struct ProcessSample: Sendable, Equatable {
    var residentMemoryBytes: Double?
    var virtualMemoryBytes: Double?
    var cpuSeconds: Double?
    /// Seconds since the Unix epoch.
    var startTimeSeconds: Double?
    var openFileDescriptors: Double?
    var maxFileDescriptors: Double?

    /// Reads the current figures. Costs a few small reads of `/proc`: fine per scrape, not per request.
    static func current() -> ProcessSample {
        var sample = ProcessSample()
        #if canImport(Glibc)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = read("/proc/self/stat").flatMap(StatFields.init), ticks > 0 {
            sample.cpuSeconds = (stat.userTicks + stat.systemTicks) / ticks
            sample.virtualMemoryBytes = stat.virtualBytes
            sample.residentMemoryBytes = stat.residentPages * pageSize
            if let boot = bootTime() { sample.startTimeSeconds = boot + stat.startTicks / ticks }
        }
        sample.openFileDescriptors = countOpenFileDescriptors()
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            sample.maxFileDescriptors = Double(limit.rlim_cur)
        }
        #endif
        return sample
    }

    #if canImport(Glibc)
    /// The fields of `/proc/self/stat` that matter here (proc(5)); `comm` may hold spaces and parentheses, so
    /// fields are counted from the last `)`.
    struct StatFields {
        var userTicks: Double
        var systemTicks: Double
        var startTicks: Double
        var virtualBytes: Double
        var residentPages: Double

        init?(_ text: String) {
            guard let close = text.lastIndex(of: ")") else { return nil }
            // After `)`: field 3 (state) is at offset 0, so field N is at N - 3.
            let fields = text[text.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double? {
                let offset = number - 3
                return fields.indices.contains(offset) ? Double(fields[offset]) : nil
            }
            guard let utime = field(14), let stime = field(15), let start = field(22), let vsize = field(23),
                let rss = field(24)
            else { return nil }
            (userTicks, systemTicks, startTicks, virtualBytes, residentPages) = (utime, stime, start, vsize, rss)
        }
    }

    /// `btime` from `/proc/stat`: when the machine booted, in seconds since the epoch.
    private static func bootTime() -> Double? {
        guard let text = read("/proc/stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count).trimmingPrefix(while: { $0 == " " }))
        }
        return nil
    }

    private static func countOpenFileDescriptors() -> Double? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        // `entry.pointee.d_name` would copy the whole 256-byte array, but a record is only as long as its name
        // (`d_reclen`): the copy read past the end of the directory buffer and crashed when that buffer ended
        // at a page boundary (a test run died in memcpy at 0x…1000). Only the name's bytes up to its NUL are
        // read here.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(directory) {
            let name = UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: UInt8.self)
            let dot = UInt8(ascii: ".")
            let isDot = name[0] == dot && (name[1] == 0 || (name[1] == dot && name[2] == 0))
            if !isDot { count += 1 }
        }
        // The directory stream itself holds one descriptor while it is read.
        return Double(max(0, count - 1))
    }

    /// A whole small `/proc` file (their size reads as 0, so read until end of file).
    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    #endif
}
