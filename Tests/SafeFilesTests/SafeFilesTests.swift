import Foundation
import SafeFiles
import Testing

@Suite struct SafeFilesTests {
    let directory: String = {
        let d = testScratch + "/safe-files-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func problem(reading path: String, limit: Int = 1 << 20) -> FileProblem? {
        do {
            _ = try RegularFile.read(path, maximumBytes: limit)
            return nil
        } catch { return error }
    }

    func problem(writing bytes: [UInt8], to path: String) -> FileProblem? {
        do {
            try AtomicWrite.write(bytes, to: path)
            return nil
        } catch { return error }
    }

    func contents(_ path: String) -> [UInt8]? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) }
    }

    @Test func readsARegularFileAndRefusesTheRestByType() throws {
        let file = directory + "/a.bin"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file))
        #expect(try RegularFile.read(file, maximumBytes: 3) == [1, 2, 3])
        #expect(problem(reading: file, limit: 2) == .tooLarge(bytes: 3, limit: 2))
        #expect(problem(reading: directory + "/none") == .missing)
        #expect(problem(reading: directory) == .directory)
        // A FIFO would block a reader for ever, and /dev/zero never ends: both are refused
        // from their type, before being opened.
        let fifo = directory + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(problem(reading: fifo) == .special(kind: "a FIFO (named pipe)"))
        #expect(problem(reading: "/dev/zero") == .special(kind: "a character device"))
        // The start of a file and its size, for formats whose header gives the length.
        let start = try RegularFile.start(file, count: 2)
        #expect(start.bytes == [1, 2] && start.size == 3)
        #expect(try RegularFile.start(file, count: 16).bytes == [1, 2, 3])
        #expect(throws: FileProblem.special(kind: "a FIFO (named pipe)")) { _ = try RegularFile.start(fifo, count: 4) }
        // A symbolic link to a regular file is read through.
        let link = directory + "/link"
        #expect(symlink(file, link) == 0)
        #expect(try RegularFile.read(link, maximumBytes: 3) == [1, 2, 3])
    }

    @Test func writesReplacesAndWritesThroughALink() throws {
        let file = directory + "/model"
        try AtomicWrite.write([1], to: file)
        try AtomicWrite.write([2, 2], to: file)
        #expect(contents(file) == [2, 2])
        let link = directory + "/link"
        #expect(symlink(file, link) == 0)
        try AtomicWrite.write([3, 3, 3], to: link)
        #expect(contents(file) == [3, 3, 3])
        let kind = try FileManager.default.attributesOfItem(atPath: link)[.type] as? FileAttributeType
        #expect(kind == .typeSymbolicLink, "the link was replaced by a file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["link", "model"])
    }

    @Test func replacesNothingButARegularFile() throws {
        let fifo = directory + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(problem(writing: [1], to: fifo) == .special(kind: "a FIFO (named pipe)"))
        let kind = try FileManager.default.attributesOfItem(atPath: fifo)[.type] as? FileAttributeType
        #expect(kind != .typeRegular, "the FIFO was replaced by a file")
        let folder = directory + "/folder"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        #expect(problem(writing: [1], to: folder) == .directory)
        #expect(problem(writing: [1], to: "/dev/null") == .special(kind: "a character device"))
        let dangling = directory + "/dangling"
        #expect(symlink(directory + "/nowhere", dangling) == 0)
        #expect(problem(writing: [1], to: dangling) == .unwritable(reason: "it is a symbolic link to a missing file"))
        #expect(problem(writing: [1], to: directory + "/no/such/folder/file") != nil)
    }

    @Test func aFailedWriteKeepsTheOldFileAndLeavesNoTemporary() throws {
        let file = directory + "/model"
        try AtomicWrite.write([7, 7, 7, 7], to: file)
        #expect(throws: FileProblem.self) { try AtomicWrite.write([1, 2, 3, 4, 5, 6], to: file, failingAfter: 3) }
        #expect(contents(file) == [7, 7, 7, 7])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model"])
    }

    @Test func staleTemporariesOfDeadProcessesAreRemoved() throws {
        let file = directory + "/model"
        // A process number that runs no process, and one that does (this test's parent's).
        var dead: pid_t = 4_000_000
        while kill(dead, 0) == 0 || errno != ESRCH { dead += 1 }
        let live = getppid()
        for pid in [dead, live] { try Data([9]).write(to: URL(fileURLWithPath: directory + "/.model.tmp-\(pid)")) }
        try Data([9]).write(to: URL(fileURLWithPath: directory + "/.other.tmp-\(dead)"))
        try AtomicWrite.write([1], to: file)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == [
                ".model.tmp-\(live)", ".other.tmp-\(dead)", "model",
            ])
    }
}
