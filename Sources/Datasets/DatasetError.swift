/// Everything that can be wrong with a data file or directory, each case with a sentence
/// that names the file and says what to do.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String)
    case notAFile(path: String)
    case unreadable(path: String, reason: String)
    case corruptGzip(path: String, reason: String)
    case badMagic(path: String, found: UInt32, expected: UInt32)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case trailingBytes(path: String, expectedBytes: Int, actualBytes: Int)
    case tooLarge(path: String, bytes: Int, limit: Int)
    case fileTooLarge(path: String, bytes: Int, limit: Int)
    case unpacksTooLarge(path: String, limit: Int)
    case notARegularFile(path: String, kind: String)
    case dataDirectoryIsAFile(path: String)
    case bothPlainAndGzipped(plain: String, gzipped: String)
    case wrongImageSize(path: String, rows: Int, columns: Int)
    case countMismatch(imagesPath: String, images: Int, labelsPath: String, labels: Int)
    case badLabel(path: String, index: Int, value: Int)
    case missingDirectory(path: String)
    case noDataFiles(directory: String, missing: String)
    case fashionMissing(directory: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path): no such file"
        case .notAFile(let path):
            return "\(path): is a directory, not a data file"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason))"
        case .corruptGzip(let path, let reason):
            return "\(path): corrupt gzip data (\(reason)); download the file again"
        case .badMagic(let path, let found, let expected):
            let kind = expected == IDX.imagesMagic ? "an IDX image file" : "an IDX label file"
            return "\(path): not \(kind): magic number is \(found), expected \(expected)"
        case .truncated(let path, let expected, let actual):
            return "\(path): truncated: the header promises \(expected) bytes, the file holds \(actual)"
        case .trailingBytes(let path, let expected, let actual):
            return "\(path): \(actual - expected) unexpected bytes after the \(expected) the header describes"
        case .tooLarge(let path, let bytes, let limit):
            return "\(path): the header describes \(bytes) bytes, more than the \(limit) this reader accepts"
        case .fileTooLarge(let path, let bytes, let limit):
            return "\(path): the file is \(bytes) bytes, more than the \(limit) an IDX file of this course may have"
        case .unpacksTooLarge(let path, let limit):
            return "\(path): unpacks to more than \(limit) bytes, more than an IDX file of this course may have "
                + "(is it the right file?)"
        case .notARegularFile(let path, let kind):
            return "\(path): is \(kind), not a data file"
        case .dataDirectoryIsAFile(let path):
            return "\(path): is a file; --data (or MNIST_DIR) names the directory that holds the four IDX files"
        case .bothPlainAndGzipped(let plain, let gzipped):
            return "\(plain) and \(gzipped) are both there; remove one, so that it is clear which to read"
        case .wrongImageSize(let path, let rows, let columns):
            return "\(path): images are \(rows)×\(columns), but MNIST-style data must be 28×28"
        case .countMismatch(let imagesPath, let images, let labelsPath, let labels):
            return "\(imagesPath) holds \(images) images but \(labelsPath) holds \(labels) labels; they must match"
        case .badLabel(let path, let index, let value):
            return "\(path): label \(index) is \(value), but labels must be 0...9"
        case .missingDirectory(let path):
            return "\(path): no such data directory"
        case .noDataFiles(let directory, let missing):
            return "\(directory): no file named \(missing) (plain or .gz) in this directory"
        case .fashionMissing(let directory):
            return "Fashion-MNIST is not installed (looked in \(directory)); install it with: "
                + "sudo apt-get install dataset-fashion-mnist"
        }
    }
}
