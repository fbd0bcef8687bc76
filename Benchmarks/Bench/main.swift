// The benchmark: how fast the core is on this machine.
//
//     swift run -c release Bench                      # matrix multiply, im2col, layers, one step
//     swift run -c release Bench --epoch              # one training epoch of SimpleConvNet on MNIST
//     swift run -c release Bench --epoch --dataset fashion --threads 1
//     swift run -c release Bench --epoch --network deeper --steps 60   # Lesson 10's network
//     swift run -c release Bench --epoch --layer-by-layer   # the engine without ConvolutionBlock
//     swift run -c release Bench --epoch --book --steps 50   # the book layers, as the lessons wrote them
//     swift run Bench --epoch                         # the same in a debug build
//
// Speed is measured here, never in the tests.
import ArgumentParser
import ConvNet
import Datasets
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure the speed of the ConvNet core.")

    @Option(help: "Threads for the numeric code (1 or more).")
    var threads: Int = Parallelism.threads

    @Option(help: "Seconds to spend on each kernel measurement (the best time of the repeats is kept).")
    var seconds: Double = 1.0

    @Flag(
        help:
            "Train SimpleConvNet for one epoch and report seconds, images per second, memory and a per-layer breakdown."
    )
    var epoch = false

    @Option(help: "With --epoch: mnist (the bundled copy) or fashion (Debian's dataset-fashion-mnist).")
    var dataset = "mnist"

    @Option(
        help:
            "With --epoch: stop after this many training steps (for a quick look; the epoch figure is then extrapolated)."
    )
    var steps: Int?

    @Option(help: "With --epoch: simple (Lesson 09's SimpleConvNet) or deeper (Lesson 10's network).")
    var network = "simple"

    @Flag(
        help:
            "With --epoch: the engine runs every layer on its own instead of each Convolution, ReLU, MaxPooling as one ConvolutionBlock (to compare)."
    )
    var layerByLayer = false

    @Flag(help: "With --epoch: run the book layers as the lessons wrote them, not the engine (to compare; slow).")
    var book = false

    func validate() throws {
        guard threads >= 1 && threads <= Parallelism.maximumThreads else {
            throw ValidationError("--threads must be between 1 and \(Parallelism.maximumThreads), got \(threads)")
        }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive, got \(seconds)") }
        guard ["mnist", "fashion"].contains(dataset) else {
            throw ValidationError("--dataset must be mnist or fashion, got '\(dataset)'")
        }
        guard ["simple", "deeper"].contains(network) else {
            throw ValidationError("--network must be simple or deeper, got '\(network)'")
        }
        if let steps { guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") } }
    }

    func run() throws {
        Parallelism.threads = threads
        #if DEBUG
            let build = "debug"
        #else
            let build = "release"
        #endif
        print("Bench: \(build) build, \(threads) thread(s), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print(
            "processor: \(EngineReport.processor); code: \(EngineReport.codeGeneration); "
                + "matrix multiply register tile \(EngineReport.registerTile)")
        if epoch {
            try epochBenchmark()
        } else {
            matrixMultiplyBenchmarks()
            layerBenchmarks()
        }
        print(String(format: "\npeak resident memory: %.0f MB", Double(peakResidentBytes()) / 1e6))
    }
}

Bench.main()
