import Datasets
import Foundation
import Testing

/// Files that are not what a data file should be: refused from their type or size before
/// they are read, and every message names the file and says what is wrong.
@Suite struct SpecialFileTests {
    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "accepted"
        } catch { return "\(error)" }
    }

    @Test func aFIFOIsRefusedNotWaitedOn() {
        let dir = temporaryDirectory()
        let fifo = dir + "/train-labels-idx1-ubyte"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(message { _ = try IDX.readLabels(path: fifo) } == "\(fifo): is a FIFO (named pipe), not a data file")
        #expect(
            message { _ = try IDX.readLabels(path: "/dev/zero") } == "/dev/zero: is a character device, not a data file"
        )
    }

    @Test func aHugePlainFileIsRefusedFromItsSize() throws {
        // 1 GB, sparse: refused from its size, without reading (or allocating) any of it.
        let dir = temporaryDirectory()
        let path = dir + "/train-images-idx3-ubyte"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(truncate(path, 1 << 30) == 0)
        #expect(
            message { _ = try IDX.readImages(path: path) }
                == "\(path): the file is 1073741824 bytes, more than the \(IDX.maximumBytes + 16) an IDX file of this course may have"
        )
    }

    @Test func aPlainFileLongerThanItsHeaderSaysIsRefusedFromItsStart() throws {
        // A label file whose header says 3 labels, padded (sparsely) to 300 MB: refused
        // from its first 16 bytes and its size, with both numbers. (Read whole, it would
        // be refused for its size instead, with another sentence.)
        let dir = temporaryDirectory()
        let path = writeFile(idxBytes(magic: 2049, sizes: [3], payload: [1, 2, 3]), dir, "train-labels-idx1-ubyte")
        #expect(truncate(path, 300 << 20) == 0)
        #expect(
            message { _ = try IDX.readLabels(path: path) }
                == "\(path): \((300 << 20) - 11) unexpected bytes after the 11 the header describes")
    }

    @Test func aGzipBombIsNamedForWhatItUnpacksTo() {
        // 300 members of 1 MB of zeros each, about 300 KB in all; the header inside is
        // never reached.
        let dir = temporaryDirectory()
        let member = gzipped([UInt8](repeating: 0, count: 1 << 20))
        let bomb = writeFile(Array([[UInt8]](repeating: member, count: 300).joined()), dir, "bomb.gz")
        #expect(
            message { _ = try IDX.readImages(path: bomb) }
                == "\(bomb): unpacks to more than \(IDX.maximumBytes + 16) bytes, more than an IDX file of this course may have (is it the right file?)"
        )
    }

    @Test func plainAndGzippedCopiesOfOneFileAreRefused() {
        let dir = temporaryDirectory()
        writeDataset(dir, count: 3)
        let plain = dir + "/train-images-idx3-ubyte"
        writeFile(
            gzipped([UInt8](FileManager.default.contents(atPath: plain) ?? Data())), dir, "train-images-idx3-ubyte.gz")
        #expect(
            message { _ = try MNIST.load(directory: dir) }
                == "\(plain) and \(plain).gz are both there; remove one, so that it is clear which to read")
    }

    @Test func aFileGivenAsTheDataDirectory() {
        let dir = temporaryDirectory()
        let file = writeFile([1, 2, 3], dir, "notes.txt")
        #expect(
            message { _ = try MNIST.load(directory: file) }
                == "\(file): is a file; --data (or MNIST_DIR) names the directory that holds the four IDX files")
    }
}
