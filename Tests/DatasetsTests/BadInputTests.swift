import Datasets
import Foundation
import Testing

/// Every kind of bad data file gives its own clear error (thrown, never a crash), and the
/// message names the file.
@Suite struct BadInputTests {
    func expectError(_ expected: DatasetError, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(expected), but nothing was thrown")
        } catch let error as DatasetError {
            #expect(error == expected)
        } catch {
            Issue.record("expected \(expected), got \(error)")
        }
    }

    @Test func missingFile() {
        let path = temporaryDirectory() + "/nothing-here"
        expectError(.missingFile(path: path)) { _ = try IDX.readImages(path: path) }
        #expect(DatasetError.missingFile(path: path).description.contains(path))
    }

    @Test func directoryInsteadOfFile() {
        let dir = temporaryDirectory()
        expectError(.notAFile(path: dir)) { _ = try IDX.readLabels(path: dir) }
    }

    @Test func badMagic() {
        let dir = temporaryDirectory()
        // A label file where an image file is expected.
        let path = writeFile(idxBytes(magic: 2049, sizes: [3], payload: [1, 2, 3]), dir, "images")
        expectError(.badMagic(path: path, found: 2049, expected: 2051)) { _ = try IDX.readImages(path: path) }
        let text = writeFile(Array("hello world, not IDX".utf8), dir, "text")
        #expect(throws: DatasetError.self) { _ = try IDX.readLabels(path: text) }
    }

    @Test func emptyFile() {
        let path = writeFile([], temporaryDirectory(), "empty")
        expectError(.truncated(path: path, expectedBytes: 8, actualBytes: 0)) { _ = try IDX.readLabels(path: path) }
    }

    @Test func truncatedData() {
        let dir = temporaryDirectory()
        let full = idxBytes(magic: 2051, sizes: [2, 28, 28], payload: [UInt8](repeating: 7, count: 2 * 784))
        let path = writeFile(Array(full.dropLast(100)), dir, "images")
        expectError(.truncated(path: path, expectedBytes: 16 + 2 * 784, actualBytes: 16 + 2 * 784 - 100)) {
            _ = try IDX.readImages(path: path)
        }
        let headerOnly = writeFile(Array(full[0..<10]), dir, "header")
        expectError(.truncated(path: headerOnly, expectedBytes: 16, actualBytes: 10)) {
            _ = try IDX.readImages(path: headerOnly)
        }
    }

    /// A header promising 4 billion images must be refused before anything is allocated.
    @Test func hugeDimensionsAreRefused() {
        let path = writeFile(
            idxBytes(magic: 2051, sizes: [0xFFFF_FFFF, 0xFFFF_FFFF, 28], payload: []),
            temporaryDirectory(), "huge")
        #expect(throws: DatasetError.self) { _ = try IDX.readImages(path: path) }
        do { _ = try IDX.readImages(path: path) } catch let error as DatasetError {
            if case .tooLarge = error {} else { Issue.record("expected tooLarge, got \(error)") }
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func imagesThatAreNot28x28() {
        let dir = temporaryDirectory()
        writeDataset(dir, count: 3, rows: 32, columns: 32)
        expectError(.wrongImageSize(path: dir + "/train-images-idx3-ubyte", rows: 32, columns: 32)) {
            _ = try MNIST.load(directory: dir)
        }
    }

    @Test func imageAndLabelCountsDiffer() {
        let dir = temporaryDirectory()
        writeDataset(dir, count: 5, labelCount: 4)
        expectError(
            .countMismatch(
                imagesPath: dir + "/train-images-idx3-ubyte", images: 5,
                labelsPath: dir + "/train-labels-idx1-ubyte", labels: 4)
        ) {
            _ = try MNIST.load(directory: dir)
        }
    }

    @Test func corruptGzip() {
        let dir = temporaryDirectory()
        let good = gzipped(idxBytes(magic: 2049, sizes: [1000], payload: (0..<1000).map { UInt8($0 % 10) }))
        #expect(good.count > 20)
        var flipped = good
        flipped[good.count / 2] ^= 0xFF
        flipped[good.count / 2 + 1] ^= 0xFF
        let corrupt = writeFile(flipped, dir, "labels.gz")
        #expect(throws: DatasetError.self) { _ = try IDX.readLabels(path: corrupt) }
        let cut = writeFile(Array(good.prefix(good.count / 2)), dir, "cut.gz")
        do {
            _ = try IDX.readLabels(path: cut)
            Issue.record("a half gzip file was accepted")
        } catch let error as DatasetError {
            guard case .corruptGzip(let p, _) = error else {
                Issue.record("expected corruptGzip, got \(error)")
                return
            }
            #expect(p == cut)
        } catch { Issue.record("unexpected \(error)") }
        // The intact file reads, and gives back what was compressed.
        let ok = writeFile(good, dir, "ok.gz")
        #expect((try? IDX.readLabels(path: ok))?.count == 1000)
    }

    @Test func labelOutOfRange() {
        let dir = temporaryDirectory()
        writeDataset(dir, count: 3)
        writeFile(idxBytes(magic: 2049, sizes: [3], payload: [1, 12, 3]), dir, "train-labels-idx1-ubyte")
        expectError(.badLabel(path: dir + "/train-labels-idx1-ubyte", index: 1, value: 12)) {
            _ = try MNIST.load(directory: dir)
        }
    }

    @Test func missingDirectoryAndMissingFiles() {
        let dir = temporaryDirectory()
        expectError(.missingDirectory(path: dir + "/nope")) { _ = try MNIST.load(directory: dir + "/nope") }
        expectError(.noDataFiles(directory: dir, missing: "train-images-idx3-ubyte")) {
            _ = try MNIST.load(directory: dir)
        }
    }

    @Test func plainAndGzippedDirectoriesBothLoad() throws {
        let dir = temporaryDirectory()
        writeDataset(dir, count: 4)
        let plain = try MNIST.load(directory: dir)
        #expect(plain.train.count == 4 && plain.test.count == 4)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"] {
            let path = dir + "/" + name
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            try FileManager.default.removeItem(atPath: path)
            writeFile(gzipped(bytes), dir, name + ".gz")
        }
        let mixed = try MNIST.load(directory: dir)
        #expect(mixed.train.pixels == plain.train.pixels)
    }

    @Test func dataSourceChoice() {
        #expect(DataSource.choose(dataDirectory: "/d", dataset: "fashion", environment: [:]) == .directory("/d"))
        #expect(DataSource.choose(dataDirectory: nil, dataset: "fashion", environment: ["MNIST_DIR": "/e"]) == .fashion)
        #expect(
            DataSource.choose(dataDirectory: nil, dataset: "mnist", environment: ["MNIST_DIR": "/e"])
                == .directory("/e"))
        #expect(DataSource.choose(dataDirectory: nil, dataset: "mnist", environment: [:]) == .bundled)
    }

    @Test func fashionMissingNamesThePackage() {
        #expect(
            DatasetError.fashionMissing(directory: "/x").description.contains("apt-get install dataset-fashion-mnist"))
    }
}
