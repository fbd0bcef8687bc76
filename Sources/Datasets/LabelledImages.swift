import ConvNet

/// One split of an MNIST-style data set: grey 28×28 images with a class label each.
///
/// Pixels stay as bytes (60000 training digits are 47 MB this way, 188 MB as Float);
/// a batch is turned into Float in [0, 1] only when it is asked for.
public struct LabelledImages: Sendable {
    public let pixels: [UInt8]  // count × rows × columns, row-major
    public let labels: [UInt8]  // count, each 0...9
    public let rows: Int
    public let columns: Int

    public init(pixels: [UInt8], labels: [UInt8], rows: Int, columns: Int) {
        require(
            pixels.count == labels.count * rows * columns,
            "\(pixels.count) pixels do not make \(labels.count) images of \(rows)×\(columns)")
        self.pixels = pixels
        self.labels = labels
        self.rows = rows
        self.columns = columns
    }

    public var count: Int { labels.count }
    public var pixelsPerImage: Int { rows * columns }

    /// The first `n` examples (all of them if there are fewer).
    public func prefix(_ n: Int) -> LabelledImages {
        let n = min(max(n, 0), count)
        return LabelledImages(
            pixels: Array(pixels[0..<(n * pixelsPerImage)]), labels: Array(labels[0..<n]),
            rows: rows, columns: columns)
    }

    /// Examples `range`, as a new split (for a validation set cut from training data).
    public func subset(_ range: Range<Int>) -> LabelledImages {
        require(range.lowerBound >= 0 && range.upperBound <= count, "subset \(range) is outside 0..<\(count)")
        return LabelledImages(
            pixels: Array(pixels[(range.lowerBound * pixelsPerImage)..<(range.upperBound * pixelsPerImage)]),
            labels: Array(labels[range]), rows: rows, columns: columns)
    }

    /// The examples at `indices` as a Float batch: x is N×1×rows×columns in [0, 1].
    public func batch(_ indices: [Int]) -> (x: Tensor, labels: [Int]) {
        var x = Tensor(shape: [indices.count, 1, rows, columns])
        fillBatch(indices, into: &x.data)
        return (x, indices.map { Int(labels[$0]) })
    }

    /// Writes the normalised pixels of `indices` into `buffer`, which holds exactly that
    /// many images (so one buffer can be reused batch after batch).
    public func fillBatch(_ indices: [Int], into buffer: inout [Float]) {
        let size = pixelsPerImage
        require(
            buffer.count == indices.count * size, "batch buffer holds \(buffer.count), needs \(indices.count * size)")
        for index in indices { require(index >= 0 && index < count, "example \(index) is outside 0..<\(count)") }
        pixels.withUnsafeBufferPointer { src in
            buffer.withUnsafeMutableBufferPointer { dst in
                guard let src = src.baseAddress, let dst = dst.baseAddress else { return }
                for (n, index) in indices.enumerated() {
                    // One image: a loop over plain pointers, which the compiler turns into
                    // vector code (16 pixels an instruction; indexing the buffers kept it
                    // one pixel at a time).
                    let from = src + index * size
                    let to = dst + n * size
                    for p in 0..<size { to[p] = Float(from[p]) / 255 }
                }
            }
        }
    }

    /// Example `index` as a 1×rows×columns image in [0, 1].
    public func image(_ index: Int) -> Tensor {
        batch([index]).x.reshaped([1, rows, columns])
    }

    /// Examples 0..<n as one batch.
    public func firstBatch(_ n: Int) -> (x: Tensor, labels: [Int]) {
        batch(Array(0..<min(n, count)))
    }

    /// Index batches that visit every example once per epoch in a seeded random order.
    /// The last batch is smaller when `size` does not divide the count.
    public func shuffledBatches(size: Int, rng: inout SeededRandom) -> [[Int]] {
        require(size > 0, "batch size must be positive, got \(size)")
        let order = rng.permutation(count)
        return stride(from: 0, to: count, by: size).map { Array(order[$0..<min($0 + size, count)]) }
    }

    /// The mean image of each class, pixel by pixel, in [0, 1]: classes × (rows·columns).
    public func classMeans(classes: Int = 10) -> [[Float]] {
        let size = pixelsPerImage
        var sums = [[Float]](repeating: [Float](repeating: 0, count: size), count: classes)
        for i in 0..<count where Int(labels[i]) < classes {
            let base = i * size
            sums[Int(labels[i])].withUnsafeMutableBufferPointer { sum in
                for p in 0..<size { sum[p] += Float(pixels[base + p]) }
            }
        }
        let counts = classCounts(classes: classes)
        return (0..<classes).map { c in sums[c].map { $0 / (255 * Float(max(counts[c], 1))) } }
    }

    /// How many pixels fall into each of `bins` equal ranges of 0...255.
    public func pixelHistogram(bins: Int) -> [Int] {
        require(bins > 0 && bins <= 256, "bins must be 1...256, got \(bins)")
        var counts = [Int](repeating: 0, count: bins)
        for p in pixels { counts[Int(p) * bins / 256] += 1 }
        return counts
    }

    /// The indices of the first `n` examples of class `label`.
    public func indices(ofClass label: Int, first n: Int) -> [Int] {
        var found: [Int] = []
        for i in 0..<count where Int(labels[i]) == label {
            found.append(i)
            if found.count == n { break }
        }
        return found
    }

    /// How many examples of each class (0...9).
    public func classCounts(classes: Int = 10) -> [Int] {
        var counts = [Int](repeating: 0, count: classes)
        for label in labels where Int(label) < classes { counts[Int(label)] += 1 }
        return counts
    }
}

/// One-hot rows: label 3 of 10 becomes [0,0,0,1,0,0,0,0,0,0]. Shape N×classes.
public func oneHot(_ labels: [Int], classes: Int = 10) -> Tensor {
    var t = Tensor(shape: [labels.count, classes])
    for (n, label) in labels.enumerated() {
        require(label >= 0 && label < classes, "label \(label) is outside 0..<\(classes)")
        t.data[n * classes + label] = 1
    }
    return t
}

/// The trainer of the core draws its batches through `batch(_:)`.
extension LabelledImages: TrainingData {}
