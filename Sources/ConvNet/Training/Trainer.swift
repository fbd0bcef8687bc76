import Foundation

/// Labelled examples a trainer can draw batches from. Datasets' LabelledImages is one;
/// tests use small synthetic ones.
public protocol TrainingData {
    var count: Int { get }
    /// The items at `indices`, as one batch N×… with their labels.
    func batch(_ indices: [Int]) -> (x: Tensor, labels: [Int])
}

/// How to train. Every count is checked by `Trainer.init`.
public struct TrainingOptions: Sendable {
    public var epochs: Int
    public var batchSize: Int
    /// Seeds the order of the examples in every epoch.
    public var seed: UInt64
    /// Early stopping: stop when validation accuracy has not improved for this many
    /// epochs, and go back to the best parameters seen. Needs validation data.
    public var patience: Int?
    /// Write a checkpoint to `checkpointPath` every this many steps.
    public var checkpointEvery: Int?
    public var checkpointPath: String?
    /// Stop (as if interrupted) once this many steps have been taken in all.
    public var stopAfterSteps: Int?
    /// Evaluate on at most this many test items after each epoch (nil: all of them).
    public var testLimit: Int?
    /// The data set trained on ("MNIST", "Fashion-MNIST"), recorded in checkpoints so that
    /// a run on another data set cannot resume from them.
    public var dataSet: String?
    /// Weight decay λ (0: none); see `addWeightDecay`. The reported loss includes it.
    public var weightDecay: Float = 0
    /// Move each training image by a random shift of up to this many pixels (0: none);
    /// see `randomlyShifted`. Needs image batches (N×C×H×W).
    public var shiftPixels = 0

    public init(
        epochs: Int, batchSize: Int, seed: UInt64 = 1, patience: Int? = nil, checkpointEvery: Int? = nil,
        checkpointPath: String? = nil, stopAfterSteps: Int? = nil, testLimit: Int? = nil, dataSet: String? = nil
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.patience = patience
        self.checkpointEvery = checkpointEvery
        self.checkpointPath = checkpointPath
        self.stopAfterSteps = stopAfterSteps
        self.testLimit = testLimit
        self.dataSet = dataSet
    }
}

/// One line of the history per epoch.
public struct EpochRecord: Equatable, Sendable {
    public var epoch: Int  // 1-based
    public var trainLoss: Double  // mean over the epoch's steps
    public var trainAccuracy: Double  // on the training batches, as they were seen
    public var validationAccuracy: Double?
    public var testAccuracy: Double?
    public var seconds: Double
}

public struct TrainingHistory: Equatable, Sendable {
    /// The loss of every step, in order.
    public var stepLosses: [Float] = []
    public var epochs: [EpochRecord] = []
    public init() {}
}

/// What a progress display needs after each step.
public struct StepReport: Sendable {
    public let epoch: Int  // 1-based
    public let epochs: Int
    public let step: Int  // 1-based, within the epoch
    public let stepsPerEpoch: Int
    public let loss: Float
    public let imagesPerSecond: Double
}

public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case badOption(name: String, reason: String)
    case diverged(epoch: Int, step: Int, loss: Float, optimizer: String)

    public var description: String {
        switch self {
        case .badOption(let name, let reason): return "\(name): \(reason)"
        case .diverged(let epoch, let step, let loss, let optimizer):
            return "training stopped: the loss became \(loss) at step \(step) of epoch \(epoch). The likely cause is a "
                + "learning rate too high for \(optimizer) (try one ten times smaller); inputs that are not scaled "
                + "to [0, 1] can do it too."
        }
    }
}

/// Trains a network with mini-batches: every epoch visits each training example once, in
/// a fresh seeded random order, and the optimizer steps after every batch.
public final class Trainer {
    public let network: Network
    public let optimizer: Optimizer
    public let train: TrainingData
    public let validation: TrainingData?
    public let test: TrainingData?
    public let options: TrainingOptions

    public internal(set) var history = TrainingHistory()
    /// Called after every step and every epoch (for a progress bar, say).
    public var onEpochStart: ((_ epoch: Int) -> Void)?
    public var onStep: ((StepReport) -> Void)?
    public var onEpoch: ((EpochRecord) -> Void)?

    // Where training stands; a checkpoint saves all of it.
    public internal(set) var completedEpochs = 0
    public internal(set) var stepInEpoch = 0
    public internal(set) var totalSteps = 0
    public private(set) var stoppedEarly = false
    var epochStartRandom: SeededRandom  // the generator as it was when the epoch began
    var epochLossSum = 0.0, epochCorrect = 0, epochSeen = 0
    var bestValidation: Double?
    var epochsWithoutImprovement = 0
    var bestParameters: [Tensor]?

    public var stepsPerEpoch: Int { train.count / options.batchSize + (train.count % options.batchSize == 0 ? 0 : 1) }

    public init(
        network: Network, optimizer: Optimizer, train: TrainingData, validation: TrainingData? = nil,
        test: TrainingData? = nil, options: TrainingOptions
    ) throws {
        guard options.epochs >= 1 else {
            throw TrainingError.badOption(name: "epochs", reason: "must be at least 1, got \(options.epochs)")
        }
        guard options.batchSize >= 1 else {
            throw TrainingError.badOption(name: "batch size", reason: "must be at least 1, got \(options.batchSize)")
        }
        guard train.count >= 1 else { throw TrainingError.badOption(name: "training data", reason: "is empty") }
        guard options.weightDecay >= 0, options.weightDecay.isFinite else {
            throw TrainingError.badOption(name: "weight decay", reason: "must be 0 or more, got \(options.weightDecay)")
        }
        guard (0...8).contains(options.shiftPixels) else {
            throw TrainingError.badOption(name: "shift", reason: "must be 0 to 8 pixels, got \(options.shiftPixels)")
        }
        if options.shiftPixels > 0 {
            let (x, _) = train.batch([0])
            guard x.rank == 4 else {
                throw TrainingError.badOption(name: "shift", reason: "needs image batches (N×C×H×W), got \(x.shape)")
            }
        }
        if let patience = options.patience {
            guard patience >= 1 else {
                throw TrainingError.badOption(name: "patience", reason: "must be at least 1, got \(patience)")
            }
            guard validation != nil else {
                throw TrainingError.badOption(name: "patience", reason: "early stopping needs validation data")
            }
        }
        if let every = options.checkpointEvery {
            guard every >= 1 else {
                throw TrainingError.badOption(
                    name: "checkpoint interval", reason: "must be at least 1 step, got \(every)")
            }
            guard options.checkpointPath != nil else {
                throw TrainingError.badOption(name: "checkpoint interval", reason: "needs a checkpoint path")
            }
        }
        self.network = network
        self.optimizer = optimizer
        self.train = train
        self.validation = validation
        self.test = test
        self.options = options
        epochStartRandom = SeededRandom(seed: options.seed)
    }

    /// Trains until the last epoch, early stopping, or `stopAfterSteps`. Throws when the
    /// loss stops being a number.
    @discardableResult
    public func run() throws -> TrainingHistory {
        while completedEpochs < options.epochs && !stoppedEarly {
            var rng = epochStartRandom
            let order = rng.permutation(train.count)
            onEpochStart?(completedEpochs + 1)
            let epochStart = DispatchTime.now().uptimeNanoseconds
            var lastReport = epochStart
            var imagesSinceReport = 0
            while stepInEpoch < stepsPerEpoch {
                if let stop = options.stopAfterSteps, totalSteps >= stop { return history }
                let start = stepInEpoch * options.batchSize
                let indices = Array(order[start..<min(start + options.batchSize, train.count)])
                var (x, labels) = train.batch(indices)
                if options.shiftPixels > 0 {
                    // A generator of its own per step, so a resumed run shifts alike.
                    var shifts = SeededRandom(seed: options.seed &+ 0x5348_4946_5400 &+ UInt64(totalSteps))
                    x = randomlyShifted(x, upTo: options.shiftPixels, rng: &shifts)
                }
                var loss = network.gradient(x, labels: labels)
                if options.weightDecay > 0 { loss += addWeightDecay(options.weightDecay, to: network.parameters) }
                guard loss.isFinite else {
                    throw TrainingError.diverged(
                        epoch: completedEpochs + 1, step: stepInEpoch + 1, loss: loss,
                        optimizer: optimizer.name)
                }
                optimizer.update(network.parameters)
                // Accuracy on the batch just seen, from the probabilities the loss computed.
                let predictions = argmaxPerRow(network.lossLayer.y)
                epochCorrect += zip(predictions, labels).filter { $0 == $1 }.count
                epochSeen += labels.count
                epochLossSum += Double(loss)
                history.stepLosses.append(loss)
                stepInEpoch += 1
                totalSteps += 1
                imagesSinceReport += labels.count
                if let onStep {
                    let now = DispatchTime.now().uptimeNanoseconds
                    let rate = Double(imagesSinceReport) / max(Double(now - lastReport) / 1e9, 1e-9)
                    (lastReport, imagesSinceReport) = (now, 0)
                    onStep(
                        StepReport(
                            epoch: completedEpochs + 1, epochs: options.epochs, step: stepInEpoch,
                            stepsPerEpoch: stepsPerEpoch, loss: loss, imagesPerSecond: rate))
                }
                if let every = options.checkpointEvery, let path = options.checkpointPath, totalSteps % every == 0 {
                    try saveCheckpoint(to: path)
                }
            }
            let record = EpochRecord(
                epoch: completedEpochs + 1, trainLoss: epochLossSum / Double(stepsPerEpoch),
                trainAccuracy: Double(epochCorrect) / Double(max(epochSeen, 1)),
                validationAccuracy: validation.map { evaluate($0, limit: nil) },
                testAccuracy: test.map { evaluate($0, limit: options.testLimit) },
                seconds: Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9)
            history.epochs.append(record)
            completedEpochs += 1
            stepInEpoch = 0
            epochStartRandom = rng
            (epochLossSum, epochCorrect, epochSeen) = (0, 0, 0)
            updateEarlyStopping(record)
            onEpoch?(record)
        }
        return history
    }

    /// The share of `data` the network classifies correctly, in batches of 1000.
    public func evaluate(_ data: TrainingData, limit: Int?) -> Double {
        let n = min(data.count, limit ?? data.count)
        var correct = 0
        var start = 0
        while start < n {
            let (x, labels) = data.batch(Array(start..<min(start + 1000, n)))
            correct += zip(network.classify(x), labels).filter { $0 == $1 }.count
            start += 1000
        }
        return Double(correct) / Double(max(n, 1))
    }

    /// Early stopping on validation accuracy: remember the best parameters; after
    /// `patience` epochs without improvement, restore them and stop.
    private func updateEarlyStopping(_ record: EpochRecord) {
        guard let patience = options.patience, let accuracy = record.validationAccuracy else { return }
        if accuracy > (bestValidation ?? -1) {
            bestValidation = accuracy
            epochsWithoutImprovement = 0
            bestParameters = network.parameters.map(\.value)
        } else {
            epochsWithoutImprovement += 1
            if epochsWithoutImprovement >= patience, let best = bestParameters {
                for (p, value) in zip(network.parameters, best) { p.value = value }
                stoppedEarly = true
            }
        }
    }
}
