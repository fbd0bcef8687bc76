import Foundation

/// How many threads the numeric code may use: the matrix multiply and the layers split
/// their work over them. Set it once, before any work starts. With a given number of
/// threads, results are the same bits run after run (work is split the same way every
/// time, and partial sums are added in a fixed order).
public enum Parallelism {
    /// The most threads the setting takes (the lessons' and Bench's `--threads` say so
    /// before they set it; a larger value is taken as this one).
    public static let maximumThreads = 256

    public static var threads: Int {
        get { override ?? configured }
        set { configured = min(max(1, newValue), maximumThreads) }
    }
    nonisolated(unsafe) private static var configured = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// A thread count for one piece of work and what it calls, without touching the
    /// setting others read: `Parallelism.$override.withValue(2) { … }` (the tests run
    /// the engine with 1 and 2 threads side by side this way).
    @TaskLocal package static var override: Int?
}

/// How many threads a loop over `count` items of about `cost` elementary operations each
/// should use. Small jobs stay on the calling thread: waking a thread costs a few
/// microseconds, more than a small loop takes.
func threadCount(items count: Int, cost: Int) -> Int {
    count * cost < 50_000 ? 1 : max(1, min(Parallelism.threads, count))
}

/// Runs `body` over `0..<count`, split into one contiguous range per thread. Each item
/// must only write memory no other item writes (its own image, its own plane), so the
/// ranges can run at the same time.
///
///     parallelFor(images, cost: imageSize) { range in for n in range { … image n … } }
func parallelFor(_ count: Int, cost: Int, _ body: (Range<Int>) -> Void) {
    parallelParts(count, parts: threadCount(items: count, cost: cost)) { _, range in body(range) }
}

/// Splits `0..<count` into `parts` contiguous ranges and runs them at the same time,
/// telling `body` which part it runs, for work that keeps a partial result per part
/// (a weight gradient summed over images, added up afterwards in part order).
func parallelParts(_ count: Int, parts: Int, _ body: (_ part: Int, Range<Int>) -> Void) {
    if parts <= 1 {
        body(0, 0..<count)
        return
    }
    WorkerPool.shared.run(parts: parts) { t in body(t, (count * t / parts)..<(count * (t + 1) / parts)) }
}
