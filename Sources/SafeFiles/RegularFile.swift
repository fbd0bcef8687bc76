import Foundation

/// Reading a whole file that a user named, safely: only a regular file is read (a FIFO
/// would block for ever, /dev/zero would never end), and only when its size is within
/// the limit the caller knows its format can need, checked before anything is allocated.
public enum RegularFile {
    public static func read(_ path: String, maximumBytes: Int) throws(FileProblem) -> [UInt8] {
        let (fd, size) = try openRegular(path, maximumBytes: maximumBytes)
        defer { close(fd) }
        return try read(upTo: size, from: fd)
    }

    /// The first `count` bytes (fewer if the file is shorter) and the file's size, so that
    /// a format whose header says how long the file must be can refuse it before reading
    /// the rest. The same checks of type as `read`.
    public static func start(_ path: String, count: Int) throws(FileProblem) -> (bytes: [UInt8], size: Int) {
        let (fd, size) = try openRegular(path, maximumBytes: nil)
        defer { close(fd) }
        return (try read(upTo: count, from: fd), size)
    }

    /// Opens `path` for reading if it is a regular file of at most `maximumBytes`, checked
    /// from its name before opening and again from the open file; returns it and its size.
    static func openRegular(_ path: String, maximumBytes: Int?) throws(FileProblem) -> (fd: Int32, size: Int) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(reason: FileProblem.systemReason)
        }
        try requireRegular(info, maximumBytes: maximumBytes)
        // O_NONBLOCK: should the path have become a FIFO since stat, opening does not wait.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(reason: FileProblem.systemReason) }
        guard fstat(fd, &info) == 0 else {
            let reason = FileProblem.systemReason
            close(fd)
            throw .unreadable(reason: reason)
        }
        do { try requireRegular(info, maximumBytes: maximumBytes) } catch {
            close(fd)
            throw error
        }
        return (fd, Int(info.st_size))
    }

    static func requireRegular(_ info: stat, maximumBytes: Int?) throws(FileProblem) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .directory
        default: throw .special(kind: FileProblem.kind(of: info.st_mode))
        }
        if let maximumBytes, Int(info.st_size) > maximumBytes {
            throw .tooLarge(bytes: Int(info.st_size), limit: maximumBytes)
        }
    }

    /// Up to `count` bytes from the open file, fewer if it ends sooner.
    static func read(upTo count: Int, from fd: Int32) throws(FileProblem) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        let failed = bytes.withUnsafeMutableBytes { buffer -> Bool in
            while filled < count {
                let n = Foundation.read(fd, buffer.baseAddress! + filled, count - filled)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return true }
                if n == 0 { break }  // the end, or the file shrank while being read
                filled += n
            }
            return false
        }
        guard !failed else { throw .unreadable(reason: FileProblem.systemReason) }
        return filled == count ? bytes : Array(bytes[0..<filled])
    }
}
