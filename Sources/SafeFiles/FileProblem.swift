import Foundation

/// What stops a file from being read or written, said in words each module puts after the
/// file's name ("MODEL: it is a FIFO (named pipe), not a regular file").
public enum FileProblem: Error, Equatable, CustomStringConvertible {
    case missing
    case directory
    /// A FIFO, device or socket: reading one can block for ever or never end.
    case special(kind: String)
    case tooLarge(bytes: Int, limit: Int)
    case unreadable(reason: String)
    case unwritable(reason: String)

    public var description: String {
        switch self {
        case .missing: return "no such file"
        case .directory: return "it is a directory, not a file"
        case .special(let kind): return "it is \(kind), not a regular file"
        case .tooLarge(let bytes, let limit): return "the file is \(bytes) bytes, more than the \(limit) accepted here"
        case .unreadable(let reason): return "it cannot be read (\(reason))"
        case .unwritable(let reason): return "it cannot be written (\(reason))"
        }
    }

    /// The words for a file type that is not a regular file or a directory.
    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "a special file"
        }
    }

    /// The system's words for `errno`.
    static var systemReason: String { String(cString: strerror(errno)) }
}
