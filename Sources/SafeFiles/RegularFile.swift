import Foundation

/// Reading a whole file that a user named, safely: only a regular file is read (a FIFO
/// would block for ever, /dev/zero would never end), and only when its size is within
/// the limit the caller knows its format can need, checked before anything is allocated.
public enum RegularFile {
    public static func read(_ path: String, maximumBytes: Int) throws(FileProblem) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(reason: FileProblem.systemReason)
        }
        try requireRegular(info.st_mode)
        guard Int(info.st_size) <= maximumBytes else { throw .tooLarge(bytes: Int(info.st_size), limit: maximumBytes) }
        // O_NONBLOCK: should the path have become a FIFO since stat, opening does not wait.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(reason: FileProblem.systemReason) }
        defer { close(fd) }
        guard fstat(fd, &info) == 0 else { throw .unreadable(reason: FileProblem.systemReason) }
        try requireRegular(info.st_mode)
        let size = Int(info.st_size)
        guard size <= maximumBytes else { throw .tooLarge(bytes: size, limit: maximumBytes) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        let failed = bytes.withUnsafeMutableBytes { buffer -> Bool in
            while filled < size {
                let n = Foundation.read(fd, buffer.baseAddress! + filled, size - filled)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return true }
                if n == 0 { break }  // the file shrank while being read
                filled += n
            }
            return false
        }
        guard !failed else { throw .unreadable(reason: FileProblem.systemReason) }
        return filled == size ? bytes : Array(bytes[0..<filled])
    }

    /// The first `count` bytes (fewer if the file is shorter) and the file's size, so that
    /// a format whose header says how long the file must be can refuse it before reading
    /// the rest. The same checks of type as `read`.
    public static func start(_ path: String, count: Int) throws(FileProblem) -> (bytes: [UInt8], size: Int) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(reason: FileProblem.systemReason)
        }
        try requireRegular(info.st_mode)
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(reason: FileProblem.systemReason) }
        defer { close(fd) }
        guard fstat(fd, &info) == 0 else { throw .unreadable(reason: FileProblem.systemReason) }
        try requireRegular(info.st_mode)
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, count) }
        guard n >= 0 else { throw .unreadable(reason: FileProblem.systemReason) }
        return (Array(bytes[0..<n]), Int(info.st_size))
    }

    static func requireRegular(_ mode: mode_t) throws(FileProblem) {
        switch mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw .directory
        default: throw .special(kind: FileProblem.kind(of: mode))
        }
    }
}
