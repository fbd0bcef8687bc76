import ConvNet
import Datasets
import Testing

@Suite struct BatchingTests {
    func tiny(_ n: Int) -> LabelledImages {
        LabelledImages(
            pixels: (0..<(n * 4)).map { UInt8($0 % 256) }, labels: (0..<n).map { UInt8($0 % 10) },
            rows: 2, columns: 2)
    }

    @Test func everyExampleOncePerEpoch() {
        var rng = SeededRandom(seed: 7)
        let batches = tiny(103).shuffledBatches(size: 10, rng: &rng)
        #expect(batches.count == 11)
        #expect(batches.last?.count == 3)
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<103))
    }

    @Test func sameSeedSameOrderOtherSeedOtherOrder() {
        var a = SeededRandom(seed: 1)
        var b = SeededRandom(seed: 1)
        var c = SeededRandom(seed: 2)
        let data = tiny(50)
        let first = data.shuffledBatches(size: 8, rng: &a)
        #expect(first == data.shuffledBatches(size: 8, rng: &b))
        #expect(first != data.shuffledBatches(size: 8, rng: &c))
        #expect(first.flatMap { $0 } != Array(0..<50))  // really shuffled
    }

    @Test func batchValuesComeFromTheRightImages() {
        let data = tiny(5)
        let (x, labels) = data.batch([4, 1])
        #expect(x.shape == [2, 1, 2, 2])
        #expect(labels == [4, 1])
        #expect(x.data == [16, 17, 18, 19, 4, 5, 6, 7].map { Float($0) / 255 })
    }
}
