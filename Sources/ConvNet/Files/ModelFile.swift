import Foundation
import SafeFiles

/// The model file: a trained network (or a training checkpoint) in one binary file.
///
/// Layout, all integers little-endian:
///
///     "CNNMODEL"                 8 bytes, the magic
///     version                    UInt32 (1)
///     then sections, each:       tag (4 ASCII bytes), length (UInt64), payload
///       "ARCH"  the architecture as text (see Network.architecture)
///       "PARM"  UInt32 count, then per parameter: UInt32 rank, rank × UInt32 sizes,
///               the values as Float32
///       "STAT"  UInt32 layer count, then per layer: UInt64 length and that many Float32,
///               the layer's saved state (SavableLayer.savedState; empty for most layers;
///               absent in files of earlier versions, whose layers had none)
///       "DATA"  (optional) the name of the data set the network was trained on, as text
///       "OPTM"  (checkpoints) optimizer name and state, see Checkpoint.swift
///       "TRNR"  (checkpoints) the trainer's position and history, as text
///       "END "  length 4, payload CRC-32 of every byte before this section
///
/// Files are written atomically: to a temporary file in the same folder, flushed to disk,
/// then renamed over the target, so a crash or a full disk never leaves half a model
/// where a good one was.
public enum ModelFile {
    public static let magic = Array("CNNMODEL".utf8)
    public static let version: UInt32 = 1
    /// Larger files are refused before they are read (the course's models are a few MB).
    public static let maximumBytes = 1 << 30

    /// Saves the network's architecture, parameters and layer state to `path`. A network
    /// holding a layer that is not a SavableLayer is refused, with the layer's name.
    /// `dataSet` ("MNIST", "Fashion-MNIST") is recorded, so that a model is not used on
    /// the other data set by mistake (see `loadClassifier`).
    public static func save(_ network: Network, to path: String, dataSet: String? = nil) throws {
        var sections = try modelSections(network, path: path)
        if let dataSet { sections.append(("DATA", Array(dataSet.utf8))) }
        try writeAtomically(encode(sections: sections), to: path)
    }

    /// Loads a model file, rebuilding the network it describes.
    public static func load(_ path: String) throws -> Network {
        try decode(try readFile(path), path: path)
    }

    /// A model file already in memory; `path` names it in errors. (The fuzzer feeds this.)
    public static func decode(_ bytes: [UInt8], path: String) throws -> Network {
        try network(from: try sectionsOf(bytes, path: path), path: path)
    }

    /// The network the file's sections describe, with its parameters and layer states.
    static func network(from sections: [String: [UInt8]], path: String) throws -> Network {
        let network: Network
        do { network = try Network(architecture: try text(sections, "ARCH", path)) } catch let error as ShapeError {
            throw ModelFileError.malformed(path: path, detail: "its architecture is not valid: \(error)")
        }
        try setParameters(of: network, from: sections, path: path)
        return network
    }

    /// Loads a model that is to classify items of `inputShape` into `classes` classes, and
    /// refuses it, naming the file, when it cannot: another input shape, another number of
    /// outputs, no layers, a weight that is not a finite number, or (when `dataSet` is
    /// given and the file records one) another data set. A model recorded as trained on
    /// "MNIST (DIR)", a directory of one's own, counts as MNIST.
    public static func loadClassifier(_ path: String, inputShape: [Int], classes: Int, dataSet: String? = nil) throws
        -> Network
    {
        let sections = try readSections(path)
        if let dataSet, sections["DATA"] != nil {
            let recorded = try text(sections, "DATA", path)
            guard recorded == dataSet || recorded.hasPrefix(dataSet + " (") else {
                throw ModelFileError.doesNotFit(
                    path: path, detail: "it was trained on \(recorded), and this task is \(dataSet)'s")
            }
        }
        let network = try network(from: sections, path: path)
        guard !network.layers.isEmpty else { throw ModelFileError.doesNotFit(path: path, detail: "it has no layers") }
        guard network.inputShape == inputShape else {
            throw ModelFileError.doesNotFit(
                path: path, detail: "it takes items of shape \(network.inputShape), this task's are \(inputShape)")
        }
        let output = try network.summary().last?.outputShape ?? []
        guard output == [1, classes] else {
            throw ModelFileError.doesNotFit(
                path: path,
                detail: "its output for one item has shape \(Array(output.dropFirst())), this task needs \(classes) "
                    + "class scores")
        }
        if let p = network.parameters.first(where: { !$0.value.data.allSatisfy(\.isFinite) }) {
            throw ModelFileError.doesNotFit(
                path: path, detail: "parameter \(p.name) holds a value that is not a finite number (training diverged?)"
            )
        }
        return network
    }

    /// The refusal for a network that holds a layer no file can describe.
    static func requireSavable(_ network: Network, path: String) throws {
        if let (index, layer) = network.layers.enumerated().first(where: { !($0.element is SavableLayer) }) {
            throw ModelFileError.unsavableLayer(path: path, layer: "layer \(index + 1) (\(layer.name))")
        }
    }

    /// Loads the parameters of a model file into an existing network, which must have the
    /// same architecture.
    public static func load(_ path: String, into network: Network) throws {
        let sections = try readSections(path)
        try requireSameArchitecture(sections, as: network, path: path)
        try setParameters(of: network, from: sections, path: path)
    }

    // MARK: Sections

    static func modelSections(_ network: Network, path: String) throws -> [(String, [UInt8])] {
        try requireSavable(network, path: path)
        var stat = ByteWriter()
        stat.append(UInt32(network.layers.count))
        for layer in network.layers {
            let state = (layer as? SavableLayer)?.savedState ?? []
            stat.append(UInt64(state.count))
            stat.append(state)
        }
        return [
            ("ARCH", Array(network.architecture.utf8)), ("PARM", encodeTensors(network.parameters.map(\.value))),
            ("STAT", stat.bytes),
        ]
    }

    /// UInt32 count, then per tensor: UInt32 rank, the sizes, the values (PARM and BEST).
    static func encodeTensors(_ tensors: [Tensor]) -> [UInt8] {
        var w = ByteWriter()
        w.append(UInt32(tensors.count))
        for t in tensors {
            w.append(UInt32(t.rank))
            for size in t.shape { w.append(UInt32(size)) }
            w.append(t.data)
        }
        return w.bytes
    }

    /// Reads what encodeTensors wrote, requiring exactly the shapes of `parameters`.
    static func decodeTensors(_ bytes: [UInt8], like parameters: [Parameter], path: String) throws -> [Tensor] {
        var reader = ByteReader(bytes: bytes, path: path)
        let count = Int(try reader.uint32())
        guard count == parameters.count else {
            throw ModelFileError.malformed(
                path: path, detail: "it holds \(count) parameter tensors, the architecture needs \(parameters.count)")
        }
        let values = try parameters.map { p -> Tensor in
            let rank = Int(try reader.uint32())
            guard rank <= 8 else { throw ModelFileError.malformed(path: path, detail: "a parameter of rank \(rank)") }
            let shape = try (0..<rank).map { _ in Int(try reader.uint32()) }
            guard shape == p.value.shape else {
                throw ModelFileError.malformed(
                    path: path,
                    detail: "parameter \(p.name) has shape \(shape), the architecture needs \(p.value.shape)")
            }
            return Tensor(shape: shape, data: try reader.floats(p.value.count))
        }
        guard reader.atEnd else {
            throw ModelFileError.malformed(path: path, detail: "extra bytes after the parameters")
        }
        return values
    }

    static func setParameters(of network: Network, from sections: [String: [UInt8]], path: String) throws {
        guard let bytes = sections["PARM"] else {
            throw ModelFileError.malformed(path: path, detail: "it has no parameters section")
        }
        let parameters = network.parameters
        let values = try decodeTensors(bytes, like: parameters, path: path)
        let states = try decodeStates(sections["STAT"], for: network, path: path)
        // Only once everything was read: first the states (each layer checks its own), then the parameters.
        for (layer, state) in zip(network.layers, states) {
            do { try (layer as? SavableLayer)?.restore(savedState: state) } catch {
                throw ModelFileError.malformed(path: path, detail: "\(error)")
            }
        }
        for (p, v) in zip(parameters, values) { p.value = v }
    }

    /// The "STAT" section: one array per layer (empty ones when the file has no section).
    static func decodeStates(_ bytes: [UInt8]?, for network: Network, path: String) throws -> [[Float]] {
        guard let bytes else { return network.layers.map { _ in [] } }
        var reader = ByteReader(bytes: bytes, path: path)
        guard Int(try reader.uint32()) == network.layers.count else {
            throw ModelFileError.malformed(path: path, detail: "its state section does not have one entry per layer")
        }
        let states = try network.layers.map { _ -> [Float] in
            let n = try reader.uint64()
            guard n <= UInt64(bytes.count) else {
                throw ModelFileError.truncated(path: path, detail: "a layer state of \(n) numbers")
            }
            return try reader.floats(Int(n))
        }
        guard reader.atEnd else {
            throw ModelFileError.malformed(path: path, detail: "extra bytes after the layer states")
        }
        return states
    }

    /// The file's architecture must be the network's (dropout seeds aside: a checkpoint
    /// restores the dropout generators anyway). Compared as text, without building anything.
    static func requireSameArchitecture(_ sections: [String: [UInt8]], as network: Network, path: String) throws {
        let stored = try text(sections, "ARCH", path)
        guard Network.withoutDropoutSeeds(stored) == network.architectureShape else {
            throw ModelFileError.architectureMismatch(path: path, file: stored, expected: network.architecture)
        }
    }

    static func text(_ sections: [String: [UInt8]], _ tag: String, _ path: String) throws -> String {
        guard let bytes = sections[tag] else {
            throw ModelFileError.malformed(path: path, detail: "it has no \(tag) section")
        }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw ModelFileError.malformed(path: path, detail: "its \(tag) section is not text")
        }
        return s
    }

    // MARK: Encoding

    static func encode(sections: [(String, [UInt8])]) -> [UInt8] {
        var w = ByteWriter()
        w.bytes += magic
        w.append(version)
        for (tag, payload) in sections {
            w.bytes += Array(tag.utf8)
            w.append(UInt64(payload.count))
            w.bytes += payload
        }
        let checksum = crc32(w.bytes)
        w.bytes += Array("END ".utf8)
        w.append(UInt64(4))
        w.append(checksum)
        return w.bytes
    }

    static func readSections(_ path: String) throws -> [String: [UInt8]] {
        try sectionsOf(try readFile(path), path: path)
    }

    static func sectionsOf(_ bytes: [UInt8], path: String) throws -> [String: [UInt8]] {
        guard bytes.count >= 12, Array(bytes[0..<8]) == magic else {
            throw ModelFileError.notAModel(path: path)
        }
        var reader = ByteReader(bytes: bytes, path: path)
        reader.position = 8
        let version = try reader.uint32()
        guard version == ModelFile.version else {
            throw ModelFileError.unsupportedVersion(path: path, version: version)
        }
        var sections: [String: [UInt8]] = [:]
        while true {
            let start = reader.position
            let tag = String(decoding: try reader.bytes(4), as: UTF8.self)
            let length = try reader.uint64()
            guard length <= UInt64(bytes.count - reader.position) else {
                throw ModelFileError.truncated(
                    path: path,
                    detail: "section \(tag) says \(length) bytes, only \(bytes.count - reader.position) follow")
            }
            let payload = Array(try reader.bytes(Int(length)))
            if tag == "END " {
                var end = ByteReader(bytes: payload, path: path)
                guard length == 4, try end.uint32() == crc32(Array(bytes[0..<start])) else {
                    throw ModelFileError.checksumMismatch(path: path)
                }
                guard reader.atEnd else { throw ModelFileError.malformed(path: path, detail: "bytes after the end") }
                return sections
            }
            sections[tag] = payload
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        do { return try RegularFile.read(path, maximumBytes: maximumBytes) } catch {
            switch error {
            case .missing: throw ModelFileError.notFound(path: path)
            case .directory: throw ModelFileError.isADirectory(path: path)
            case .tooLarge(let bytes, let limit):
                throw ModelFileError.malformed(
                    path: path, detail: "it is \(bytes) bytes, more than the \(limit) a model may have")
            default: throw ModelFileError.cannotRead(path: path, reason: "\(error)")
            }
        }
    }
}

/// What can be wrong with a model or checkpoint file, said so a learner can act on it.
public enum ModelFileError: Error, CustomStringConvertible, Equatable {
    case notFound(path: String)
    case isADirectory(path: String)
    case unreadable(path: String)
    case cannotRead(path: String, reason: String)
    case notAModel(path: String)
    case unsupportedVersion(path: String, version: UInt32)
    case truncated(path: String, detail: String)
    case checksumMismatch(path: String)
    case malformed(path: String, detail: String)
    case architectureMismatch(path: String, file: String, expected: String)
    case notACheckpoint(path: String)
    case unwritable(path: String, reason: String)
    case unsavableLayer(path: String, layer: String)
    case doesNotFit(path: String, detail: String)

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such model or checkpoint file"
        case .isADirectory(let p): return "\(p): is a directory, not a model file"
        case .unreadable(let p): return "\(p): cannot be read (check its permissions)"
        case .cannotRead(let p, let r): return "\(p): not read: \(r)"
        case .notAModel(let p): return "\(p): not a model file of this course (it does not start with CNNMODEL)"
        case .unsupportedVersion(let p, let v):
            return "\(p): model file version \(v), this course reads version \(ModelFile.version)"
        case .truncated(let p, let d):
            return "\(p): the file is truncated (\(d)); it was probably not written completely"
        case .checksumMismatch(let p): return "\(p): the checksum does not match; the file is damaged"
        case .malformed(let p, let d): return "\(p): not a valid model file: \(d)"
        case .architectureMismatch(let p, let file, let expected):
            return
                "\(p): the file holds a different network.\n  file:     \(file.replacingOccurrences(of: "\n", with: " | "))"
                + "\n  expected: \(expected.replacingOccurrences(of: "\n", with: " | "))"
        case .notACheckpoint(let p): return "\(p): a model file, not a training checkpoint (it has no trainer state)"
        case .unwritable(let p, let r): return "\(p): cannot write the file: \(r)"
        case .unsavableLayer(let p, let l):
            return "\(p): not written: \(l) cannot be saved in a model file (it is not a SavableLayer)"
        case .doesNotFit(let p, let d): return "\(p): this model cannot be used here: \(d)"
        }
    }
}

/// Writes `bytes` atomically (see SafeFiles' AtomicWrite: a temporary file beside the
/// target, flushed, renamed over it; only a regular file is replaced, a symbolic link is
/// written through).
package func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    try writeAtomically(bytes, to: path, failingAfter: nil)
}

/// The same, with a write that fails after `failingAfter` bytes, as a full disk would
/// (the tests use it to interrupt a save half-way).
func writeAtomically(_ bytes: [UInt8], to path: String, failingAfter limit: Int?) throws {
    do { try AtomicWrite.write(bytes, to: path, failingAfter: limit) } catch {
        throw ModelFileError.unwritable(path: path, reason: "\(error)")
    }
}

/// CRC-32 (the zlib/PNG polynomial), bit by bit through a small table.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = crcTable[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
}

private let crcTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

/// Little-endian writing and bounds-checked reading.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func append(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func append(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func append(_ values: [Float]) {
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for v in values { append(v.bitPattern) }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    let path: String
    var position = 0
    var atEnd: Bool { position == bytes.count }

    mutating func bytes(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - position else {
            throw ModelFileError.truncated(
                path: path,
                detail: "needed \(n) more bytes at offset \(position), the file has \(bytes.count - position)")
        }
        defer { position += n }
        return bytes[position..<(position + n)]
    }
    mutating func uint32() throws -> UInt32 {
        let b = try bytes(4)
        let i = b.startIndex
        return UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    mutating func uint64() throws -> UInt64 {
        try bytes(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    mutating func floats(_ n: Int) throws -> [Float] {
        guard n >= 0, n <= (bytes.count - position) / 4 else {
            throw ModelFileError.truncated(path: path, detail: "needed \(n) numbers at offset \(position)")
        }
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n { out[i] = Float(bitPattern: try uint32()) }
        return out
    }
}
