import ConvNet
import Foundation

extension Lesson {
    /// A table of the network's layers: each one's output shape for one item, its number
    /// of parameters, and what runs it (the book layer itself, or the engine), then the total.
    public func showLayers(of network: Network) throws {
        var rows: [[String]] = [["input", network.inputShape.map(String.init).joined(separator: "×"), "", ""]]
        for (row, runsAs) in zip(try network.summary(), network.runsAs) {
            rows.append([
                row.layer, row.outputShape.dropFirst().map(String.init).joined(separator: "×"),
                row.parameters == 0 ? "" : "\(row.parameters)", runsAs,
            ])
        }
        rows.append(["total", "", "\(network.parameterCount)", ""])
        table(["layer", "output (one item)", "parameters", "runs as"], rows)
    }

    /// Runs a trainer with a progress bar for each epoch (images per second, loss, time
    /// left) and one summary line per epoch. An error (a diverging loss, a checkpoint that
    /// cannot be written) ends the lesson with its message.
    @discardableResult
    public func train(_ trainer: Trainer) -> TrainingHistory {
        var bar: ProgressBar?
        trainer.onEpochStart = { epoch in
            bar = ProgressBar(total: trainer.stepsPerEpoch, label: "epoch \(epoch)/\(trainer.options.epochs)")
        }
        trainer.onStep = { report in
            bar?.update(
                done: report.step, info: String(format: "loss %.3f  %.0f images/s", report.loss, report.imagesPerSecond)
            )
        }
        trainer.onEpoch = { record in
            var info = String(format: "mean loss %.3f, train %.2f %%", record.trainLoss, 100 * record.trainAccuracy)
            if let v = record.validationAccuracy { info += String(format: ", validation %.2f %%", 100 * v) }
            if let t = record.testAccuracy { info += String(format: ", test %.2f %%", 100 * t) }
            bar?.finish(info: "")
            bar = nil
            self.emit("epoch \(record.epoch): \(info)  (\(String(format: "%.1f", record.seconds)) s)")
        }
        do { return try trainer.run() } catch { Lesson.fail(error) }
    }

    /// Makes a trainer, ending the lesson with a clear message if an option is bad.
    public func trainer(
        _ network: Network, _ optimizer: Optimizer, train: TrainingData, validation: TrainingData? = nil,
        test: TrainingData? = nil, options: TrainingOptions
    ) -> Trainer {
        do {
            return try Trainer(
                network: network, optimizer: optimizer, train: train, validation: validation, test: test,
                options: options)
        } catch { Lesson.fail(error) }
    }
}
