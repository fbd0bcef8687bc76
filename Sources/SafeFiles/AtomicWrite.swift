import Foundation

/// Writing a file the course makes (a model, a checkpoint, a figure, a transcript) so that
/// a reader sees the old file or the new one, never half of one: the bytes go to a
/// temporary file beside the target, are flushed to disk, and the temporary file is
/// renamed over the target.
///
/// What is at the path decides what happens:
/// - nothing, or a regular file: it is written (replaced);
/// - a symbolic link: the file it points to is replaced, and the link stays a link;
/// - a directory, FIFO, device or socket: refused, and left as it was.
///
/// A temporary file left by a process that was killed mid-save (`.NAME.tmp-PID`, where
/// no process PID runs any more) is removed on the next save of the same file.
public enum AtomicWrite {
    public static func write(_ bytes: [UInt8], to path: String) throws(FileProblem) {
        try write(bytes, to: path, failingAfter: nil)
    }

    /// The same, with a write that fails after `failingAfter` bytes, as a full disk would
    /// (tests use it to interrupt a save half-way).
    public static func write(_ bytes: [UInt8], to path: String, failingAfter limit: Int?) throws(FileProblem) {
        let target = try resolvedTarget(path)
        let directory =
            (target as NSString).deletingLastPathComponent.isEmpty
            ? "." : (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        removeStaleTemporaries(of: name, in: directory)
        let temporary = directory + "/.\(name).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(reason: FileProblem.systemReason) }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                var chunk = buffer.count - written
                if let limit {
                    guard written < limit else {
                        errno = ENOSPC
                        return false
                    }
                    chunk = min(chunk, limit - written)
                }
                let n = Foundation.write(fd, buffer.baseAddress! + written, chunk)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let reason = FileProblem.systemReason
        close(fd)
        guard ok else {
            unlink(temporary)
            throw .unwritable(reason: reason)
        }
        guard rename(temporary, target) == 0 else {
            let reason = FileProblem.systemReason
            unlink(temporary)
            throw .unwritable(reason: reason)
        }
    }

    /// Checks, before any long work, that `write` will be able to write `path`: what is
    /// there may be replaced, and its folder exists and takes new files.
    public static func checkWritable(_ path: String) throws(FileProblem) {
        let target = try resolvedTarget(path)
        let folder = (target as NSString).deletingLastPathComponent
        try checkFolderTakesFiles(folder.isEmpty ? "." : folder)
    }

    /// Checks that a new file can be created in `directory` by creating one and removing
    /// it: permissions do not tell everything (to root, /proc looks writable).
    public static func checkFolderTakesFiles(_ directory: String) throws(FileProblem) {
        var info = stat()
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw .unwritable(reason: "its folder \(directory) does not exist")
        }
        let probe = directory + "/.write-test.tmp-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .unwritable(reason: "no file can be created in its folder \(directory) (\(FileProblem.systemReason))")
        }
        close(fd)
        unlink(probe)
    }

    /// The path to replace: `path` itself, or the file a symbolic link at `path` points to.
    static func resolvedTarget(_ path: String) throws(FileProblem) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else { return path }  // nothing there yet
        var target = path
        if info.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                throw .unwritable(reason: "it is a symbolic link to a missing file")
            }
            target = String(cString: resolved)
            free(resolved)
            guard stat(target, &info) == 0 else { return target }
        }
        try RegularFile.requireRegular(info, maximumBytes: nil)
        return target
    }

    /// Removes `.NAME.tmp-PID` files in `directory` whose process PID no longer runs.
    static func removeStaleTemporaries(of name: String, in directory: String) {
        let prefix = ".\(name).tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = pid_t(entry.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + entry) }
        }
    }
}
