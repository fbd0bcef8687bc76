import ConvNet
import Datasets
import Testing

/// The bundled full MNIST, checked against the published facts of the data set.
@Suite struct BundledMNISTTests {
    static let mnist = Result { try MNIST.load(.bundled) }

    @Test func countsAndSizes() throws {
        let data = try Self.mnist.get()
        #expect(data.train.count == 60000)
        #expect(data.test.count == 10000)
        #expect(data.train.rows == 28 && data.train.columns == 28)
        #expect(data.train.pixels.count == 60000 * 784)
    }

    /// The per-class counts published with MNIST.
    @Test func perClassCounts() throws {
        let data = try Self.mnist.get()
        #expect(data.train.classCounts() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(data.test.classCounts() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    /// Known values, read from the raw files with Python's gzip module.
    @Test func knownPixelsAndLabels() throws {
        let data = try Self.mnist.get()
        #expect(data.train.pixels[8 * 28 + 14] == 198)
        #expect(data.train.pixels[5 * 28 + 20] == 166)
        #expect(data.train.pixels[59999 * 784 + 14 * 28 + 14] == 97)
        #expect(Array(data.test.labels[0..<10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        let image = data.train.image(0)
        #expect(image.shape == [1, 28, 28])
        #expect(image[0, 8, 14] == Float(198) / 255)
    }

    @Test func batchesAreNormalisedNCHW() throws {
        let data = try Self.mnist.get()
        let (x, labels) = data.train.batch([0, 1, 2])
        #expect(x.shape == [3, 1, 28, 28])
        #expect(x.min() == 0 && x.max() == 1)
        #expect(labels == [5, 0, 4])
    }

    @Test func prefixTakesTheFirstExamples() throws {
        let data = try Self.mnist.get()
        let small = data.train.prefix(100)
        #expect(small.count == 100)
        #expect(small.labels == Array(data.train.labels[0..<100]))
        #expect(small.pixels == Array(data.train.pixels[0..<(100 * 784)]))
    }
}
