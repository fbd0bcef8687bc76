import Foundation
import Testing

@testable import ConvNet

/// Three Gaussian blobs in the plane, one per class: easy for a small MLP, hard enough
/// that it needs a few epochs.
struct Blobs: TrainingData {
    let points: [Float]
    let labels: [Int]
    var count: Int { labels.count }

    init(count: Int, seed: UInt64, randomLabels: Bool = false) {
        var rng = SeededRandom(seed: seed)
        let centres: [(Float, Float)] = [(-2, 0), (2, 0), (0, 2.5)]
        var p: [Float] = []
        var l: [Int] = []
        for _ in 0..<count {
            let c = rng.index(below: 3)
            p += [centres[c].0 + rng.normal(), centres[c].1 + rng.normal()]
            l.append(randomLabels ? rng.index(below: 3) : c)
        }
        points = p
        labels = l
    }

    func batch(_ indices: [Int]) -> (x: Tensor, labels: [Int]) {
        (
            Tensor(shape: [indices.count, 2], data: indices.flatMap { [points[2 * $0], points[2 * $0 + 1]] }),
            indices.map { labels[$0] }
        )
    }
}

func blobNetwork(seed: UInt64, dropout: Bool = false) -> Network {
    var rng = SeededRandom(seed: seed)
    var layers: [Layer] = [Affine(inputSize: 2, outputSize: 16, weightStd: 0.5, rng: &rng), ReLU()]
    if dropout { layers.append(Dropout(ratio: 0.2, seed: 3)) }
    layers.append(Affine(inputSize: 16, outputSize: 3, weightStd: 0.5, rng: &rng))
    return Network(layers: layers, inputShape: [2])
}

@Suite struct TrainerTests {
    let train = Blobs(count: 300, seed: 1)
    let test = Blobs(count: 200, seed: 2)

    @Test func trainsAndKeepsAHistory() throws {
        let network = blobNetwork(seed: 4)
        let trainer = try Trainer(
            network: network, optimizer: Adam(learningRate: 0.05), train: train, test: test,
            options: TrainingOptions(epochs: 4, batchSize: 32, seed: 5))
        var reports = 0
        trainer.onStep = { _ in reports += 1 }
        let history = try trainer.run()
        #expect(history.epochs.map(\.epoch) == [1, 2, 3, 4])
        #expect(history.stepLosses.count == 4 * 10)  // 300 / 32 → 10 steps per epoch
        #expect(reports == 40)
        #expect(history.epochs.last!.trainLoss < history.epochs.first!.trainLoss)
        #expect(
            (history.epochs.last!.testAccuracy ?? 0) > 0.9, "test accuracy \(history.epochs.last!.testAccuracy ?? 0)")
    }

    @Test func divergenceStopsWithAClearMessage() throws {
        let trainer = try Trainer(
            network: blobNetwork(seed: 4), optimizer: SGD(learningRate: 1e4), train: train,
            options: TrainingOptions(epochs: 3, batchSize: 32))
        #expect {
            try trainer.run()
        } throws: { error in
            let text = "\(error)"
            return text.contains("learning rate too high for SGD") && (text.contains("nan") || text.contains("inf"))
        }
    }

    @Test func badOptionsAreRefused() {
        for (epochs, batch) in [(0, 10), (-1, 10), (2, 0), (2, -5)] {
            #expect(throws: TrainingError.self) {
                try Trainer(
                    network: blobNetwork(seed: 1), optimizer: SGD(learningRate: 0.1), train: train,
                    options: TrainingOptions(epochs: epochs, batchSize: batch))
            }
        }
        #expect(throws: TrainingError.self) {  // early stopping without validation data
            try Trainer(
                network: blobNetwork(seed: 1), optimizer: SGD(learningRate: 0.1), train: train,
                options: TrainingOptions(epochs: 2, batchSize: 10, patience: 2))
        }
    }

    /// With labels that cannot be learned, validation accuracy stalls, training stops
    /// before the last epoch, and the parameters are the best ones seen.
    @Test func earlyStoppingRestoresTheBestParameters() throws {
        let validation = Blobs(count: 200, seed: 9, randomLabels: true)
        let trainer = try Trainer(
            network: blobNetwork(seed: 4), optimizer: Adam(learningRate: 0.05), train: train,
            validation: validation, options: TrainingOptions(epochs: 40, batchSize: 32, patience: 2))
        let history = try trainer.run()
        #expect(trainer.stoppedEarly)
        #expect(history.epochs.count < 40)
        let best = history.epochs.compactMap(\.validationAccuracy).max()!
        #expect(trainer.evaluate(validation, limit: nil) == best)
    }

    /// Stop after 7 steps (a checkpoint was written at step 5), resume in a fresh trainer
    /// whose network starts from other weights: the rest of the run is bit for bit the
    /// run that was never interrupted, dropout masks and Adam's memory included.
    @Test func resumingContinuesExactly() throws {
        let path = testScratch + "/resume-\(UUID().uuidString).ckpt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = TrainingOptions(epochs: 3, batchSize: 32, seed: 7)

        let whole = try Trainer(
            network: blobNetwork(seed: 4, dropout: true), optimizer: Adam(learningRate: 0.01),
            train: train, test: test, options: options)
        let uninterrupted = try whole.run()

        var interruptedOptions = options
        interruptedOptions.checkpointEvery = 5
        interruptedOptions.checkpointPath = path
        interruptedOptions.stopAfterSteps = 7
        let first = try Trainer(
            network: blobNetwork(seed: 4, dropout: true), optimizer: Adam(learningRate: 0.01),
            train: train, test: test, options: interruptedOptions)
        try first.run()
        #expect(first.totalSteps == 7)

        let resumed = try Trainer(
            network: blobNetwork(seed: 99, dropout: true), optimizer: Adam(learningRate: 0.01),
            train: train, test: test, options: options)
        try resumed.resume(from: path)
        #expect(resumed.totalSteps == 5)
        let history = try resumed.run()
        #expect(history.stepLosses == uninterrupted.stepLosses)
        #expect(history.epochs.map(\.testAccuracy) == uninterrupted.epochs.map(\.testAccuracy))
        for (a, b) in zip(resumed.network.parameters, whole.network.parameters) {
            #expect(a.value == b.value, "parameter \(a.name) differs after resuming")
        }
    }

    @Test func resumeRefusesAnotherSetUp() throws {
        let path = testScratch + "/other-\(UUID().uuidString).ckpt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trainer = try Trainer(
            network: blobNetwork(seed: 4), optimizer: Adam(learningRate: 0.01), train: train,
            options: TrainingOptions(epochs: 1, batchSize: 32))
        try trainer.run()
        try trainer.saveCheckpoint(to: path)
        let otherOptimizer = try Trainer(
            network: blobNetwork(seed: 4), optimizer: SGD(learningRate: 0.01), train: train,
            options: TrainingOptions(epochs: 1, batchSize: 32))
        #expect { try otherOptimizer.resume(from: path) } throws: {
            "\($0)".contains("trained with Adam, this run uses SGD")
        }
        let otherBatch = try Trainer(
            network: blobNetwork(seed: 4), optimizer: Adam(learningRate: 0.01), train: train,
            options: TrainingOptions(epochs: 1, batchSize: 16))
        #expect { try otherBatch.resume(from: path) } throws: { "\($0)".contains("batch size 32") }
        let otherNetwork = try Trainer(
            network: blobNetwork(seed: 4, dropout: true), optimizer: Adam(learningRate: 0.01),
            train: train, options: TrainingOptions(epochs: 1, batchSize: 32))
        #expect { try otherNetwork.resume(from: path) } throws: { "\($0)".contains("holds a different network") }
        // A plain model file is not a checkpoint.
        try ModelFile.save(trainer.network, to: path)
        #expect { try trainer.resume(from: path) } throws: { "\($0)".contains("not a training checkpoint") }
    }

    /// A checkpoint keeps the data set it was trained on, and every number in it is bounded
    /// by what the resuming run can reach (an epoch of Int.max used to trap later on).
    @Test func resumeRefusesAnotherDataSetAndImpossiblePositions() throws {
        let path = testScratch + "/data-\(UUID().uuidString).ckpt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        func trainer(dataSet: String?) throws -> Trainer {
            try Trainer(
                network: blobNetwork(seed: 4), optimizer: Adam(learningRate: 0.01), train: train,
                options: TrainingOptions(epochs: 1, batchSize: 32, dataSet: dataSet))
        }
        let first = try trainer(dataSet: "MNIST")
        try first.run()
        try first.saveCheckpoint(to: path)
        #expect { try trainer(dataSet: "Fashion-MNIST").resume(from: path) } throws: {
            "\($0)".contains("it was written while training on MNIST, this run trains on Fashion-MNIST")
        }
        try trainer(dataSet: "MNIST").resume(from: path)
        try trainer(dataSet: nil).resume(from: path)  // a run that does not say is not refused

        // The same checkpoint with one line of its trainer state replaced.
        let sections = try ModelFile.readSections(path)
        let state = try ModelFile.text(sections, "TRNR", path)
        func resume(replacing line: String, with newLine: String) throws {
            #expect(state.contains(line + "\n"))
            var changed = sections
            changed["TRNR"] = Array(state.replacingOccurrences(of: line + "\n", with: newLine + "\n").utf8)
            let order = ["ARCH", "PARM", "STAT", "OPTM", "TRNR", "BEST"]
            try Data(ModelFile.encode(sections: order.compactMap { tag in changed[tag].map { (tag, $0) } }))
                .write(to: URL(fileURLWithPath: path))
            try trainer(dataSet: "MNIST").resume(from: path)
        }
        let steps = first.stepsPerEpoch
        #expect { try resume(replacing: "epoch 1", with: "epoch 9223372036854775807") } throws: {
            "\($0)".contains("is not a position this run can reach")
        }
        #expect { try resume(replacing: "step 0", with: "step \(steps + 1)") } throws: {
            "\($0)".contains("does not fit this run's \(steps) steps of \(train.count) images an epoch")
        }
        #expect { try resume(replacing: "totalSteps \(steps)", with: "totalSteps 9223372036854775807") } throws: {
            "\($0)".contains("is not a position this run can reach")
        }
        let sums = state.split(separator: "\n").first { $0.hasPrefix("epochSums ") }.map(String.init) ?? "?"
        #expect { try resume(replacing: sums, with: "epochSums 0 9223372036854775807 9223372036854775807") } throws: {
            "\($0)".contains("does not fit")
        }
        #expect { try resume(replacing: sums, with: "epochSums 7ff0000000000000 0 0") } throws: {  // +infinity
            "\($0)".contains("does not fit")
        }
        try resume(replacing: "epoch 1", with: "epoch 1")  // the unchanged file still resumes
    }

    /// The same seed gives bit-identical parameters (one thread: the sums run in one order).
    @Test func sameSeedSameParameters() throws {
        func trained() throws -> [Tensor] {
            let t = try Trainer(
                network: blobNetwork(seed: 4, dropout: true), optimizer: Adam(learningRate: 0.01),
                train: train, options: TrainingOptions(epochs: 2, batchSize: 32, seed: 11))
            try t.run()
            return t.network.parameters.map(\.value)
        }
        #expect(try trained() == trained())
    }
}
