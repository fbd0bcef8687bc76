import Foundation

/// Where the digits come from.
public enum DataSource: Equatable, Sendable {
    /// The full MNIST committed under Data/mnist/ in this repository.
    case bundled
    /// A directory holding the four IDX files (plain or gzipped).
    case directory(String)
    /// Fashion-MNIST from Debian's `dataset-fashion-mnist` package.
    case fashion

    /// Picks the source from the command line and environment: `--data DIR` wins, then
    /// `--dataset fashion`, then the MNIST_DIR environment variable, then the bundled copy.
    public static func choose(
        dataDirectory: String?, dataset: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> DataSource {
        if let dir = dataDirectory { return .directory(dir) }
        if dataset == "fashion" { return .fashion }
        if let dir = environment["MNIST_DIR"], !dir.isEmpty { return .directory(dir) }
        return .bundled
    }

    /// The data set's name, as `MNIST.name` and model files give it: "MNIST",
    /// "Fashion-MNIST", or "MNIST (DIR)" for a directory of one's own.
    public var name: String {
        switch self {
        case .bundled: return "MNIST"
        case .directory(let dir): return "MNIST (\(dir))"
        case .fashion: return "Fashion-MNIST"
        }
    }
}

/// An MNIST-style data set: a training and a test split of 28×28 grey images.
public struct MNIST: Sendable {
    public let train: LabelledImages
    public let test: LabelledImages
    /// What each class index means ("0"…"9" for digits, "Trouser" etc. for Fashion-MNIST).
    public let classNames: [String]
    public let name: String

    public static let digitNames = (0...9).map(String.init)
    public static let fashionNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]
    public static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

    /// Data/mnist/ in the repository, found from this source file's location so it works
    /// from any working directory.
    public static var bundledDirectory: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/mnist").path
    }

    public static func load(_ source: DataSource) throws -> MNIST {
        switch source {
        case .bundled:
            return try load(directory: bundledDirectory, name: source.name, classNames: digitNames)
        case .directory(let dir):
            return try load(directory: dir, name: source.name, classNames: digitNames)
        case .fashion:
            guard FileManager.default.fileExists(atPath: fashionDirectory) else {
                throw DatasetError.fashionMissing(directory: fashionDirectory)
            }
            return try load(directory: fashionDirectory, name: source.name, classNames: fashionNames)
        }
    }

    /// Loads the four files from a directory. Names follow the original distribution
    /// (`train-images-idx3-ubyte`, also with `.gz`, or with a dot before `idx`).
    public static func load(directory: String, name: String = "MNIST", classNames: [String] = digitNames) throws
        -> MNIST
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw DatasetError.missingDirectory(path: directory)
        }
        guard isDirectory.boolValue else { throw DatasetError.dataDirectoryIsAFile(path: directory) }
        let train = try loadSplit(
            images: find("train-images", "idx3-ubyte", in: directory),
            labels: find("train-labels", "idx1-ubyte", in: directory))
        let test = try loadSplit(
            images: find("t10k-images", "idx3-ubyte", in: directory),
            labels: find("t10k-labels", "idx1-ubyte", in: directory))
        return MNIST(train: train, test: test, classNames: classNames, name: name)
    }

    private static func find(_ stem: String, _ suffix: String, in directory: String) throws -> String {
        // Each name plain or gzipped; both copies of one file make it unclear which to read.
        for plainName in ["\(stem)-\(suffix)", "\(stem).\(suffix)"] {
            let plain = (directory as NSString).appendingPathComponent(plainName)
            let gzipped = plain + ".gz"
            switch (FileManager.default.fileExists(atPath: plain), FileManager.default.fileExists(atPath: gzipped)) {
            case (true, true): throw DatasetError.bothPlainAndGzipped(plain: plain, gzipped: gzipped)
            case (true, false): return plain
            case (false, true): return gzipped
            case (false, false): continue
            }
        }
        throw DatasetError.noDataFiles(directory: directory, missing: "\(stem)-\(suffix)")
    }

    /// Reads one images file and its labels file and checks that they belong together.
    public static func loadSplit(images imagesPath: String, labels labelsPath: String) throws -> LabelledImages {
        let images = try IDX.readImages(path: imagesPath)
        guard images.rows == 28, images.columns == 28 else {
            throw DatasetError.wrongImageSize(path: imagesPath, rows: images.rows, columns: images.columns)
        }
        let labels = try IDX.readLabels(path: labelsPath)
        guard labels.count == images.count else {
            throw DatasetError.countMismatch(
                imagesPath: imagesPath, images: images.count,
                labelsPath: labelsPath, labels: labels.count)
        }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw DatasetError.badLabel(path: labelsPath, index: bad, value: Int(labels[bad]))
        }
        return LabelledImages(pixels: images.pixels, labels: labels, rows: 28, columns: 28)
    }
}
