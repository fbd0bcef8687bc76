import Foundation
import SafeFiles

/// The IDX file format of MNIST: a big-endian header, then raw unsigned bytes.
///
///     images: magic 2051 (0x00000803), count, rows, columns, then count·rows·columns bytes
///     labels: magic 2049 (0x00000801), count, then count bytes
///
/// Files may be plain or gzipped; the first two bytes tell which.
public enum IDX {
    public static let imagesMagic: UInt32 = 2051
    public static let labelsMagic: UInt32 = 2049
    /// No IDX file this course reads is larger; a header asking for more is refused
    /// before anything is allocated.
    public static let maximumBytes = 256 << 20

    /// The raw bytes of a file, as stored.
    static func readBytes(path: String) throws -> [UInt8] {
        // The largest plain file this reader accepts (a header of 16 bytes, then at most
        // maximumBytes); a gzipped one is smaller still. Checked before anything is read.
        do {
            // A plain file's header says how long the file must be: a file of another size
            // is refused from its first bytes, before the rest is read.
            let (start, size) = try RegularFile.start(path, count: 16)
            if !Gzip.isGzipped(start), start.count >= 4 {
                let magic = bigEndianUInt32(start, at: 0)
                if magic == imagesMagic || magic == labelsMagic {
                    _ = try header(
                        start, path: path, magic: magic, dimensions: magic == imagesMagic ? 3 : 1, fileSize: size)
                }
            }
            return try RegularFile.read(path, maximumBytes: maximumBytes + 16)
        } catch let error as FileProblem {
            switch error {
            case .missing: throw DatasetError.missingFile(path: path)
            case .directory: throw DatasetError.notAFile(path: path)
            case .tooLarge(let bytes, let limit):
                throw DatasetError.fileTooLarge(path: path, bytes: bytes, limit: limit)
            case .special(let kind): throw DatasetError.notARegularFile(path: path, kind: kind)
            case .unreadable(let reason), .unwritable(let reason):
                throw DatasetError.unreadable(path: path, reason: reason)
            }
        }
    }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Checks the header and the size, and returns the header's sizes.
    /// `fileSize`: the size of the whole file when `bytes` holds only its start.
    private static func header(_ bytes: [UInt8], path: String, magic: UInt32, dimensions: Int, fileSize: Int? = nil)
        throws -> [Int]
    {
        let headerBytes = 4 + 4 * dimensions
        let total = fileSize ?? bytes.count
        guard bytes.count >= 4 else {
            throw DatasetError.truncated(path: path, expectedBytes: headerBytes, actualBytes: total)
        }
        let found = bigEndianUInt32(bytes, at: 0)
        guard found == magic else { throw DatasetError.badMagic(path: path, found: found, expected: magic) }
        guard bytes.count >= headerBytes else {
            throw DatasetError.truncated(path: path, expectedBytes: headerBytes, actualBytes: total)
        }
        let sizes = (0..<dimensions).map { Int(bigEndianUInt32(bytes, at: 4 + 4 * $0)) }
        // Multiply with overflow checks: a hostile header must not wrap around.
        var payload = 1
        for size in sizes {
            let (product, overflow) = payload.multipliedReportingOverflow(by: size)
            guard !overflow, product <= maximumBytes else {
                throw DatasetError.tooLarge(path: path, bytes: overflow ? Int.max : product, limit: maximumBytes)
            }
            payload = product
        }
        let expected = headerBytes + payload
        if total < expected {
            throw DatasetError.truncated(path: path, expectedBytes: expected, actualBytes: total)
        }
        if total > expected {
            throw DatasetError.trailingBytes(path: path, expectedBytes: expected, actualBytes: total)
        }
        return sizes
    }

    /// Reads an image file: (count, rows, columns, pixels as bytes, row-major per image).
    public static func readImages(path: String) throws -> (count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        try decodeImages(try readBytes(path: path), path: path)
    }

    /// Reads a label file: one byte per example.
    public static func readLabels(path: String) throws -> [UInt8] {
        try decodeLabels(try readBytes(path: path), path: path)
    }

    /// The contents of an image file already in memory (plain or gzipped); `path` names
    /// it in errors. (The fuzzer feeds this directly.)
    public static func decodeImages(_ raw: [UInt8], path: String) throws -> (
        count: Int, rows: Int, columns: Int, pixels: [UInt8]
    ) {
        let bytes = try gunzipped(raw, path: path)
        let sizes = try header(bytes, path: path, magic: imagesMagic, dimensions: 3)
        return (sizes[0], sizes[1], sizes[2], Array(bytes[16...]))
    }

    /// The contents of a label file already in memory (plain or gzipped).
    public static func decodeLabels(_ raw: [UInt8], path: String) throws -> [UInt8] {
        let bytes = try gunzipped(raw, path: path)
        _ = try header(bytes, path: path, magic: labelsMagic, dimensions: 1)
        return Array(bytes[8...])
    }

    static func gunzipped(_ raw: [UInt8], path: String) throws -> [UInt8] {
        Gzip.isGzipped(raw) ? try Gzip.decompress(raw, path: path, limit: maximumBytes + 16) : raw
    }
}
