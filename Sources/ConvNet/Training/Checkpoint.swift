import Foundation

/// Checkpoints: a model file with two more sections, so training can stop at any step and
/// resume exactly where it was (the same next batch, the same optimizer memory, the same
/// dropout masks, so the same final parameters as a run that was never interrupted).
///
///     "OPTM"  UInt32 name length, the optimizer's name, UInt32 array count, then per
///             array UInt64 length and its Float32 values (see Optimizer.state(for:))
///     "TRNR"  text, one "key value…" line each: the position (epoch, step), the seeded
///             generator's state at the start of the epoch, the epoch's running sums,
///             early-stopping state, every step's loss and every epoch's record. (Each
///             layer's own state, such as a dropout generator, is in "STAT", as in any
///             model file.) Floats are written as their bit patterns in
///             hex, so nothing is rounded.
///     "BEST"  (with early stopping) the best parameters so far, laid out like "PARM"
extension Trainer {
    public func saveCheckpoint(to path: String) throws {
        var sections = try ModelFile.modelSections(network, path: path)
        var optm = ByteWriter()
        let name = Array(optimizer.name.utf8)
        optm.append(UInt32(name.count))
        optm.bytes += name
        let state = optimizer.state(for: network.parameters)
        optm.append(UInt32(state.count))
        for array in state {
            optm.append(UInt64(array.count))
            optm.append(array)
        }
        sections.append(("OPTM", optm.bytes))
        sections.append(("TRNR", Array(trainerState.utf8)))
        if let best = bestParameters { sections.append(("BEST", ModelFile.encodeTensors(best))) }
        try writeAtomically(ModelFile.encode(sections: sections), to: path)
    }

    /// Continues from a checkpoint written by a trainer with the same network
    /// architecture, optimizer, batch size and seed.
    public func resume(from path: String) throws {
        let sections = try ModelFile.readSections(path)
        try ModelFile.requireSameArchitecture(sections, as: network, path: path)
        guard let optm = sections["OPTM"], sections["TRNR"] != nil else {
            throw ModelFileError.notACheckpoint(path: path)
        }
        let text = try ModelFile.text(sections, "TRNR", path)
        // Read everything first; change the trainer only when all of it made sense.
        var reader = ByteReader(bytes: optm, path: path)
        let nameLength = Int(try reader.uint32())
        guard nameLength <= 64 else {
            throw ModelFileError.malformed(path: path, detail: "optimizer name of \(nameLength) bytes")
        }
        let name = String(decoding: try reader.bytes(nameLength), as: UTF8.self)
        guard name == optimizer.name else {
            throw ModelFileError.malformed(
                path: path, detail: "it was trained with \(name), this run uses \(optimizer.name)")
        }
        let arrayCount = Int(try reader.uint32())
        // As many arrays as this optimizer keeps for this network (it says how many).
        guard arrayCount == optimizer.state(for: network.parameters).count else {
            throw ModelFileError.malformed(path: path, detail: "\(arrayCount) optimizer arrays for \(optimizer.name)")
        }
        var state: [[Float]] = []
        for _ in 0..<arrayCount {
            let n = try reader.uint64()
            guard n <= UInt64(optm.count) else {
                throw ModelFileError.truncated(path: path, detail: "optimizer array of \(n) numbers")
            }
            state.append(try reader.floats(Int(n)))
        }
        let parsed = try TrainerState(text: text, path: path)
        if let recorded = parsed.dataSet, let current = options.dataSet, recorded != current {
            throw ModelFileError.malformed(
                path: path, detail: "it was written while training on \(recorded), this run trains on \(current)")
        }
        // Every number is bounded by what this run can reach, so nothing overflows later.
        guard parsed.stepInEpoch <= stepsPerEpoch, parsed.epochSeen <= train.count,
            parsed.epochCorrect <= parsed.epochSeen, parsed.epochLossSum.isFinite, parsed.epochLossSum >= 0
        else {
            throw ModelFileError.malformed(
                path: path,
                detail: "its position (step \(parsed.stepInEpoch), \(parsed.epochSeen) images seen) does not fit "
                    + "this run's \(stepsPerEpoch) steps of \(train.count) images an epoch")
        }
        guard parsed.completedEpochs <= TrainerState.maximumEpochs,
            parsed.totalSteps <= (parsed.completedEpochs + 1) * stepsPerEpoch
        else {
            throw ModelFileError.malformed(
                path: path,
                detail: "\(parsed.completedEpochs) epochs and \(parsed.totalSteps) steps is not a position "
                    + "this run can reach (at most \(TrainerState.maximumEpochs) epochs of \(stepsPerEpoch) steps)")
        }
        guard parsed.batchSize == options.batchSize, parsed.seed == options.seed else {
            throw ModelFileError.malformed(
                path: path,
                detail: "it was made with batch size \(parsed.batchSize) and seed "
                    + "\(parsed.seed), this run uses \(options.batchSize) and \(options.seed)")
        }
        guard
            sections["STAT"] != nil || network.layers.allSatisfy({ ($0 as? SavableLayer)?.savedState.isEmpty ?? true })
        else {
            throw ModelFileError.malformed(
                path: path, detail: "it has no layer states (written by an earlier version); start without --resume")
        }
        var best: [Tensor]?
        if let bytes = sections["BEST"] {
            best = try ModelFile.decodeTensors(bytes, like: network.parameters, path: path)
        }
        try ModelFile.setParameters(of: network, from: sections, path: path)
        do { try optimizer.restore(state, for: network.parameters) } catch {
            throw ModelFileError.malformed(path: path, detail: "\(error)")
        }
        completedEpochs = parsed.completedEpochs
        stepInEpoch = parsed.stepInEpoch
        totalSteps = parsed.totalSteps
        epochStartRandom = SeededRandom(seed: parsed.random)
        (epochLossSum, epochCorrect, epochSeen) = (parsed.epochLossSum, parsed.epochCorrect, parsed.epochSeen)
        bestValidation = parsed.bestValidation
        epochsWithoutImprovement = parsed.epochsWithoutImprovement
        bestParameters = best
        history = parsed.history
    }

    var trainerState: String {
        func hex(_ d: Double) -> String { String(d.bitPattern, radix: 16) }
        func hexOptional(_ d: Double?) -> String { d.map(hex) ?? "none" }
        var lines = [
            "batchSize \(options.batchSize)", "seed \(options.seed)",
            "epoch \(completedEpochs)", "step \(stepInEpoch)", "totalSteps \(totalSteps)",
            "random \(epochStartRandom.state)",
            "epochSums \(hex(epochLossSum)) \(epochCorrect) \(epochSeen)",
            "best \(hexOptional(bestValidation)) \(epochsWithoutImprovement)",
            "losses " + history.stepLosses.map { String($0.bitPattern, radix: 16) }.joined(separator: " "),
        ]
        if let dataSet = options.dataSet { lines.append("dataSet \(dataSet)") }
        for r in history.epochs {
            lines.append(
                "record \(r.epoch) \(hex(r.trainLoss)) \(hex(r.trainAccuracy)) \(hexOptional(r.validationAccuracy)) "
                    + "\(hexOptional(r.testAccuracy)) \(hex(r.seconds))")
        }
        return lines.joined(separator: "\n")
    }
}

/// The "TRNR" section, parsed.
struct TrainerState {
    var batchSize = 0, seed: UInt64 = 0
    var completedEpochs = 0, stepInEpoch = 0, totalSteps = 0
    var random: UInt64 = 0
    var epochLossSum = 0.0, epochCorrect = 0, epochSeen = 0
    var bestValidation: Double?
    var epochsWithoutImprovement = 0
    var history = TrainingHistory()
    /// Absent in checkpoints written before it was recorded.
    var dataSet: String?
    /// More epochs than any run of the course makes; a larger number in a file is damage.
    static let maximumEpochs = 1_000_000

    init(text: String, path: String) throws {
        func bad(_ line: String) -> ModelFileError {
            .malformed(path: path, detail: "unreadable trainer state line \"\(line.prefix(60))\"")
        }
        var seen = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(separator: " ").map(String.init)
            guard let key = words.first else { continue }
            let values = Array(words.dropFirst())
            func int(_ i: Int) throws -> Int {
                guard i < values.count, let v = Int(values[i]), v >= 0 else { throw bad(String(line)) }
                return v
            }
            func u64(_ s: String) throws -> UInt64 {
                guard let v = UInt64(s) else { throw bad(String(line)) }
                return v
            }
            func double(_ s: String) throws -> Double {
                guard let bits = UInt64(s, radix: 16) else { throw bad(String(line)) }
                return Double(bitPattern: bits)
            }
            func optionalDouble(_ s: String) throws -> Double? { s == "none" ? nil : try double(s) }
            seen.insert(key)
            switch key {
            case "batchSize": batchSize = try int(0)
            case "seed":
                guard values.count == 1 else { throw bad(String(line)) }
                seed = try u64(values[0])
            case "epoch": completedEpochs = try int(0)
            case "step": stepInEpoch = try int(0)
            case "totalSteps": totalSteps = try int(0)
            case "random":
                guard values.count == 1 else { throw bad(String(line)) }
                random = try u64(values[0])
            case "epochSums":
                guard values.count == 3 else { throw bad(String(line)) }
                (epochLossSum, epochCorrect, epochSeen) = (try double(values[0]), try int(1), try int(2))
            case "best":
                guard values.count == 2 else { throw bad(String(line)) }
                (bestValidation, epochsWithoutImprovement) = (try optionalDouble(values[0]), try int(1))
            case "dataSet":
                guard !values.isEmpty else { throw bad(String(line)) }
                dataSet = values.joined(separator: " ")
            case "dropout": break  // earlier versions kept the dropout generators here; now in "STAT"
            case "losses":
                history.stepLosses = try values.map {
                    guard let bits = UInt32($0, radix: 16) else { throw bad(String(line)) }
                    return Float(bitPattern: bits)
                }
            case "record":
                guard values.count == 6 else { throw bad(String(line)) }
                history.epochs.append(
                    EpochRecord(
                        epoch: try int(0), trainLoss: try double(values[1]),
                        trainAccuracy: try double(values[2]),
                        validationAccuracy: try optionalDouble(values[3]),
                        testAccuracy: try optionalDouble(values[4]), seconds: try double(values[5])))
            default: throw bad(String(line))
            }
        }
        for key in ["batchSize", "seed", "epoch", "step", "totalSteps", "random", "epochSums", "best", "losses"]
        where !seen.contains(key) {
            throw ModelFileError.malformed(path: path, detail: "the trainer state has no \(key) line")
        }
    }
}
