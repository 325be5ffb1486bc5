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
        .io("\(call)(\(path)): \(String(cString: strerror(errno)))")
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(StorageError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("open", path) }
        return fd
    }

    static func writeAll(_ fd: Int32, _ buffer: ByteBuffer, at offset: Int64, path: String) throws(StorageError) {
        var position = offset
        let result: StorageError? = buffer.withUnsafeReadableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let written = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(position))
                if written < 0 {
                    if errno == EINTR { continue }
                    return failure("pwrite", path)
                }
                done += written
                position += Int64(written)
            }
            return nil
        }
        if let result { throw result }
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

    /// Removes a file; an absent one is not an error.
    static func remove(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("unlink", path) }
    }

    static func truncate(_ fd: Int32, to size: Int64, path: String) throws(StorageError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw failure("ftruncate", path) }
    }

    static func listDirectory(_ path: String) throws(StorageError) -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw failure("opendir", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
