import Foundation
import Testing

@testable import ConvNet

/// A layer the course does not have, written as a learner would add one, all in this
/// file: it keeps a running mean of its input (state that is not learned by gradient
/// descent, like batch normalisation's) and a learnable scale.
///
///     training:  mean ← 0.9·mean + 0.1·(batch mean of x);  out = (x − batch mean)·γ
///     inference: out = (x − mean)·γ
final class RunningMeanCentre: Layer, SavableLayer {
    static let keyword = "runningmeancentre"
    let gamma: Parameter
    private(set) var mean: [Float]
    private var centred = Tensor(shape: [0])
    var name: String { "RunningMeanCentre" }
    var parameters: [Parameter] { [gamma] }

    init(features: Int) {
        gamma = Parameter("gamma", Tensor(shape: [features], repeating: 1))
        mean = [Float](repeating: 0, count: features)
    }

    func outputShape(for s: [Int]) throws -> [Int] {
        guard s.count == 2, s[1] == mean.count else {
            throw ShapeError("RunningMeanCentre takes N×\(mean.count), got \(s)")
        }
        return s
    }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, d) = (x.shape[0], x.shape[1])
        var centre = mean
        if training {
            centre = (0..<d).map { j in (0..<n).reduce(0) { $0 + x.data[$1 * d + j] } / Float(n) }
            mean = zip(mean, centre).map { 0.9 * $0 + 0.1 * $1 }
        }
        centred = Tensor(shape: x.shape, data: (0..<x.count).map { x.data[$0] - centre[$0 % d] })
        return Tensor(shape: x.shape, data: (0..<x.count).map { centred.data[$0] * gamma.value.data[$0 % d] })
    }

    func backward(_ dout: Tensor) -> Tensor {
        let d = mean.count
        gamma.gradient = Tensor(
            shape: [d],
            data: (0..<d).map { j in
                stride(from: j, to: dout.count, by: d).reduce(0) { $0 + dout.data[$1] * centred.data[$1] }
            })
        return Tensor(shape: dout.shape, data: (0..<dout.count).map { dout.data[$0] * gamma.value.data[$0 % d] })
    }

    var architectureWords: [String] { ["features", "\(mean.count)"] }
    convenience init(architectureWords line: ArchitectureLine) throws {
        try line.expect([1: "features"])
        try line.expectCount(3, "runningmeancentre features D")
        self.init(features: try line.size(at: 2))
    }
    var savedState: [Float] { mean }
    func restore(savedState: [Float]) throws {
        guard savedState.count == mean.count else {
            throw ShapeError("RunningMeanCentre keeps \(mean.count) means, the file has \(savedState.count)")
        }
        mean = savedState
    }
}

@Suite struct SavableLayerTests {
    func network(seed: UInt64, inputs: Int = 6) -> Network {
        var rng = SeededRandom(seed: seed)
        return Network(
            layers: [
                Affine(inputSize: inputs, outputSize: 5, weightStd: 0.5, rng: &rng), RunningMeanCentre(features: 5),
                ReLU(), Dropout(ratio: 0.3, seed: 4), Affine(inputSize: 5, outputSize: 3, weightStd: 0.5, rng: &rng),
            ],
            inputShape: [inputs])
    }

    /// Its running mean, which no parameter holds, goes through a model file: the loaded
    /// network predicts exactly what the trained one does.
    @Test func stateSurvivesAModelFile() throws {
        LayerRegistry.register(RunningMeanCentre.self)
        let net = network(seed: 1)
        var rng = SeededRandom(seed: 2)
        let adam = Adam(learningRate: 0.01)
        for _ in 0..<20 {
            let x = Tensor.randomNormal([8, 6], rng: &rng) + 1.5
            net.gradient(x, labels: (0..<8).map { $0 % 3 })
            adam.update(net.parameters)
        }
        let trained = try #require(net.layers[1] as? RunningMeanCentre)
        #expect(trained.mean.contains { abs($0) > 0.05 }, "the running mean never moved")
        let path = testScratch + "/running-mean.model"
        try ModelFile.save(net, to: path)
        let loaded = try ModelFile.load(path)
        #expect((loaded.layers[1] as? RunningMeanCentre)?.mean == trained.mean)
        let x = Tensor.randomNormal([4, 6], rng: &rng)
        #expect(loaded.predict(x) == net.predict(x))
        #expect(loaded.architecture.contains("runningmeancentre features 5"))
    }

    /// …and a checkpoint: a run stopped and resumed ends with the same parameters and the
    /// same running mean as one that was never stopped (the dropout generator, also a
    /// layer's saved state, continues too).
    @Test func stateSurvivesACheckpoint() throws {
        LayerRegistry.register(RunningMeanCentre.self)
        let data = Blobs(count: 60, seed: 3)
        let options = TrainingOptions(epochs: 2, batchSize: 10, seed: 5)
        let whole = try Trainer(
            network: network(seed: 1, inputs: 2), optimizer: Adam(learningRate: 0.01), train: data, options: options)
        try whole.run()
        let path = testScratch + "/running-mean.ckpt"
        var stopping = options
        (stopping.checkpointEvery, stopping.checkpointPath, stopping.stopAfterSteps) = (4, path, 7)
        try Trainer(
            network: network(seed: 1, inputs: 2), optimizer: Adam(learningRate: 0.01), train: data, options: stopping
        ).run()
        let resumed = try Trainer(
            network: network(seed: 9, inputs: 2), optimizer: Adam(learningRate: 0.01), train: data, options: options)
        try resumed.resume(from: path)
        try resumed.run()
        #expect(zip(whole.network.parameters, resumed.network.parameters).allSatisfy { $0.value == $1.value })
        #expect(
            (whole.network.layers[1] as? RunningMeanCentre)?.mean
                == (resumed.network.layers[1] as? RunningMeanCentre)?.mean)
    }

    /// A network with a layer no file can describe is refused when it is saved, naming it.
    @Test func anUnsavableLayerIsRefusedAtSaveTime() throws {
        final class Scale: Layer {
            var name: String { "Scale" }
            func outputShape(for s: [Int]) throws -> [Int] { s }
            func forward(_ x: Tensor, training: Bool) -> Tensor { x * 2 }
            func backward(_ dout: Tensor) -> Tensor { dout * 2 }
        }
        var rng = SeededRandom(seed: 1)
        let net = Network(
            layers: [Affine(inputSize: 4, outputSize: 3, weightStd: 1, rng: &rng), Scale()], inputShape: [4])
        let path = testScratch + "/unsavable.model"
        #expect(throws: ModelFileError.unsavableLayer(path: path, layer: "layer 2 (Scale)")) {
            try ModelFile.save(net, to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
