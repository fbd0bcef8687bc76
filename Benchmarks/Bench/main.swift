// The benchmark: how fast the core is on this machine.
//
//     swift run -c release Bench            # matrix multiply, im2col, layers, one training step
//     swift run Bench                       # the same in a debug build (numeric code is still optimised)
//
// Speed is measured here, never in the tests.
import ArgumentParser
import ConvNet
import Datasets
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure the speed of the ConvNet core.")

    @Option(help: "Threads for the matrix multiply (1 or more).")
    var threads: Int = Parallelism.threads

    @Option(help: "Seconds to spend on each measurement (the best time of the repeats is kept).")
    var seconds: Double = 1.0

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive, got \(seconds)") }
    }

    func run() throws {
        Parallelism.threads = threads
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        print("Bench: \(build) build, \(threads) thread(s), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        matrixMultiplyBenchmarks()
    }

    /// Runs `body` repeatedly for about `seconds` and returns the best time of one run.
    func best(_ body: () -> Void) -> Double {
        body()   // warm up
        var bestTime = Double.infinity
        let start = DispatchTime.now().uptimeNanoseconds
        var runs = 0
        repeat {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            bestTime = min(bestTime, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            runs += 1
        } while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds || runs < 3
        return bestTime
    }

    func matrixMultiplyBenchmarks() {
        print("\nmatrix multiply C = A·B (best of repeats)")
        let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
            ("square 1024", 1024, 1024, 1024, false, false),
            ("affine (100×4320)·(4320×100)", 100, 100, 4320, false, false),
            ("conv forward (57600×25)·(25×30)", 57600, 30, 25, false, false),
            ("conv dW (25×57600)·(57600×30)", 25, 30, 57600, true, false),
            ("conv dcol (57600×30)·(30×25)", 57600, 25, 30, false, false),
        ]
        var rng = SeededRandom(seed: 1)
        for (name, m, n, k, ta, tb) in shapes {
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
            var c = [Float](repeating: 0, count: m * n)
            let t = best { matrixMultiply(a, b, &c, m: m, n: n, k: k, transposeA: ta, transposeB: tb) }
            let gflops = 2 * Double(m) * Double(n) * Double(k) / t / 1e9
            print("  " + name.padding(toLength: 36, withPad: " ", startingAt: 0)
                  + String(format: " %8.3f ms  %6.1f GFLOP/s", t * 1e3, gflops))
        }
    }
}

Bench.main()
