import Foundation

/// A fresh temporary directory for one test's files.
func temporaryDirectory(_ name: String = #function) -> String {
    let dir = testScratch + "/convnet-tests-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// The bytes of an IDX file: magic, sizes (big-endian), payload.
func idxBytes(magic: UInt32, sizes: [UInt32], payload: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = []
    for word in [magic] + sizes {
        bytes += [UInt8(word >> 24), UInt8(word >> 16 & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word & 0xFF)]
    }
    return bytes + payload
}

/// Writes bytes to `dir/name` and returns the path.
@discardableResult
func writeFile(_ bytes: [UInt8], _ dir: String, _ name: String) -> String {
    let path = (dir as NSString).appendingPathComponent(name)
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// gzip-compresses bytes with the system's gzip (an independent encoder).
func gzipped(_ bytes: [UInt8]) -> [UInt8] {
    let dir = temporaryDirectory()
    let path = writeFile(bytes, dir, "data")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-9", "-n", path]
    try? process.run()
    process.waitUntilExit()
    return [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: path + ".gz"))) ?? Data())
}

/// A small valid data set directory: `count` images of rows×columns and their labels.
func writeDataset(_ dir: String, count: Int, rows: Int = 28, columns: Int = 28, labelCount: Int? = nil) {
    let pixels = (0..<(count * rows * columns)).map { UInt8($0 % 256) }
    let labels = (0..<(labelCount ?? count)).map { UInt8($0 % 10) }
    for split in ["train", "t10k"] {
        writeFile(
            idxBytes(magic: 2051, sizes: [UInt32(count), UInt32(rows), UInt32(columns)], payload: pixels),
            dir, "\(split)-images-idx3-ubyte")
        writeFile(
            idxBytes(magic: 2049, sizes: [UInt32(labels.count)], payload: labels), dir, "\(split)-labels-idx1-ubyte")
    }
}
