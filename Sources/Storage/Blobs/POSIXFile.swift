#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Thin wrappers over the syscalls the local backend needs, turning errno into `StorageError.io`.
///
/// They block, so callers run them on the NIO thread pool, never on the cooperative pool.
enum POSIXFile {
    static func failure(_ call: String, _ path: String) -> StorageError {
        failure(errno, call, path)
    }

    static func failure(_ code: Int32, _ call: String, _ path: String) -> StorageError {
        .io("\(call)(\(path)): \(String(cString: strerror(code)))")
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(StorageError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("open", path) }
        return fd
    }

    static func writeAll(_ fd: Int32, _ buffer: ByteBuffer, at offset: Int64, path: String) throws(StorageError) {
        if let failed = pwriteAll(fd, buffer, at: offset).errno { throw failure(failed, "pwrite", path) }
    }

    /// Every byte of `buffer` at `offset`, resuming after short writes and `EINTR`; on failure, the errno and
    /// how much was written before it.
    private static func pwriteAll(_ fd: Int32, _ buffer: ByteBuffer, at offset: Int64) -> (errno: Int32?, written: Int) {
        buffer.withUnsafeReadableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let written = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + Int64(done)))
                if written < 0 {
                    if errno == EINTR { continue }
                    return (errno, done)
                }
                done += written
            }
            return (nil, done)
        }
    }

    /// Linux's `O_DIRECT`, which Swift's Glibc module leaves out (glibc defines it only under `_GNU_SOURCE`);
    /// nil on an architecture whose value is not spelled here, where uploads skip direct I/O.
    static let directFlag: Int32? = {
        #if os(Linux) && (arch(x86_64) || arch(riscv64))
        0o40000
        #elseif os(Linux) && arch(arm64)
        0o200000
        #else
        nil
        #endif
    }()

    /// A second descriptor of `path` for direct I/O, or nil where the file system (or the platform) has none.
    static func openDirect(_ path: String, flags: Int32) -> Int32? {
        guard let directFlag else { return nil }
        let fd = Glibc.open(path, flags | directFlag | O_CLOEXEC)
        return fd >= 0 ? fd : nil
    }

    /// Direct I/O takes a write whose offset, length and memory address are multiples of the device's block.
    static func suitsDirectIO(_ buffer: ByteBuffer, at offset: Int64) -> Bool {
        let block = StagingWriter.alignment
        guard offset % Int64(block) == 0, buffer.readableBytes % block == 0, buffer.readableBytes > 0 else {
            return false
        }
        return buffer.withUnsafeReadableBytes { Int(bitPattern: $0.baseAddress) % block == 0 }
    }

    /// `writeAll` on a descriptor opened with `O_DIRECT`; false, with nothing written, when the file system
    /// refuses this write (EINVAL: a larger block than `suitsDirectIO` assumed), so the caller writes through
    /// the page cache.
    static func writeAllDirect(_ fd: Int32, _ buffer: ByteBuffer, at offset: Int64, path: String) throws(StorageError)
        -> Bool
    {
        switch pwriteAll(fd, buffer, at: offset) {
        case (nil, _): return true
        case (EINVAL?, 0): return false
        case (let failed?, _): throw failure(failed, "pwrite", path)
        }
    }

    /// Up to `length` bytes at `offset`; fewer only at the end of the file.
    static func read(_ fd: Int32, _ length: Int, at offset: Int64, path: String) throws(StorageError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: length)
        while buffer.readableBytes < length {
            let wanted = length - buffer.readableBytes
            let position = off_t(offset + Int64(buffer.readableBytes))
            var result = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { space in
                result = pread(fd, space.baseAddress!, wanted, position)
                return max(result, 0)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("pread", path)
            }
            if result == 0 { break }  // end of file
        }
        return buffer
    }

    static func size(_ path: String) throws(StorageError) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("stat", path)
        }
        return Int64(info.st_size)
    }

    /// The size of an open file: what a reader of that descriptor will find, whatever happens to the path.
    static func size(of fd: Int32, path: String) throws(StorageError) -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("fstat", path) }
        return Int64(info.st_size)
    }

    static func sync(_ fd: Int32, path: String) throws(StorageError) {
        guard fsync(fd) == 0 else { throw failure("fsync", path) }
    }

    /// fsync of a directory makes a rename in it survive a power cut.
    static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { Glibc.close(fd) }
        try sync(fd, path: path)
    }

    static func makeDirectory(_ path: String) throws(StorageError) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw failure("mkdir", path) }
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws(StorageError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/\(component)"
            try makeDirectory(current)
        }
    }

    static func rename(_ from: String, _ to: String) throws(StorageError) {
        guard Glibc.rename(from, to) == 0 else { throw failure("rename", from) }
    }

    /// A second name for the file at `from`; false when the file system cannot link the two (another device,
    /// no hard links, too many links, or not allowed by `fs.protected_hardlinks`), so the caller copies.
    static func hardLink(_ from: String, _ to: String) throws(StorageError) -> Bool {
        guard Glibc.link(from, to) != 0 else { return true }
        switch errno {
        case EXDEV, EPERM, EMLINK, ENOTSUP, EACCES: return false
        default: throw failure("link", from)
        }
    }

    /// The whole file, or nil when it does not exist; a file over `limit` bytes is refused.
    static func readWhole(_ path: String, limit: Int) throws(StorageError) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("open", path)
        }
        defer { Glibc.close(fd) }
        let size = try size(of: fd, path: path)
        guard size <= limit else { throw .io("\(path) is larger than \(limit) bytes") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(size))
        while true {
            let chunk = try read(fd, 1 << 20, at: Int64(bytes.count), path: path)
            guard chunk.readableBytes > 0 else { return bytes }
            guard bytes.count + chunk.readableBytes <= limit else { throw .io("\(path) is larger than \(limit) bytes") }
            bytes += chunk.readableBytesView
        }
    }

    /// Copies the file at `from` to a new file `to`, in chunks.
    static func copy(_ from: String, _ to: String) throws(StorageError) {
        let source = try open(from, flags: O_RDONLY)
        defer { Glibc.close(source) }
        let destination = try open(to, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { Glibc.close(destination) }
        var offset: Int64 = 0
        while true {
            let chunk = try read(source, 1 << 20, at: offset, path: from)
            guard chunk.readableBytes > 0 else { return }
            try writeAll(destination, chunk, at: offset, path: to)
            offset += Int64(chunk.readableBytes)
        }
    }

    /// Removes a file; an absent one is not an error.
    static func remove(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("unlink", path) }
    }

    static func truncate(_ fd: Int32, to size: Int64, path: String) throws(StorageError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw failure("ftruncate", path) }
    }

    /// The names of the directory's subdirectories, symbolic links to directories excluded (a walk that
    /// followed them could loop or leave the root).
    static func subdirectories(of path: String) throws(StorageError) -> [String] {
        var names: [String] = []
        try forEachEntry(of: path) { name, type in
            switch Int32(type) {
            case Int32(DT_DIR): names.append(name)
            case Int32(DT_UNKNOWN):
                // Some file systems do not fill in the type: ask for it.
                var info = stat()
                if lstat("\(path)/\(name)", &info) == 0, info.st_mode & S_IFMT == S_IFDIR { names.append(name) }
            default: break
            }
        }
        return names
    }

    static func listDirectory(_ path: String) throws(StorageError) -> [String] {
        var names: [String] = []
        try forEachEntry(of: path) { name, _ in names.append(name) }
        return names
    }

    /// Each entry of the directory but `.` and `..`, with its `d_type`; a directory that does not exist has none.
    private static func forEachEntry(of path: String, _ body: (String, UInt8) -> Void) throws(StorageError) {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw failure("opendir", path)
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { body(name, entry.pointee.d_type) }
        }
    }
}
