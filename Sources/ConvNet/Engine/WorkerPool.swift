import Foundation
import Synchronization

/// The engine's helper threads. `run(parts:)` runs `body(0)`, …, `body(parts − 1)` at the
/// same time, the calling thread taking parts too, and returns when all are done.
///
/// Why not `DispatchQueue.concurrentPerform`: on the 2-core Linux machine this was
/// measured on (docs/performance.md, session 12) its worker thread woke tens of
/// microseconds late, so a 50 µs piece of work mostly ran on the calling thread alone
/// (47 µs median cost per call, against 0.2 µs here), and a training step makes dozens of
/// such calls. These threads instead keep watching for the next piece of work for a couple
/// of milliseconds after each one, and only then sleep.
///
/// Which thread runs which part never changes a result: the caller fixes the parts, and
/// each part writes its own memory. A call made while the pool is busy (from inside a part,
/// or from a second thread of the program) runs its parts one after another on its own
/// thread, so nothing waits for itself.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// The call in hand, in one word so that a thread that looks late can never take a part
    /// of a newer call: generation (which call) in bits 32–63, its number of parts in
    /// 16–31, the next part to hand out in 0–15.
    private let ticket = Atomic<UInt64>(0)
    /// The address of the call's `Job` (held alive by the caller until all parts are done).
    private let job = Atomic<UInt>(0)
    /// Parts of the call in hand not yet finished.
    private let unfinished = Atomic<Int>(0)
    /// Whether a call is in hand.
    private let busy = Atomic<Bool>(false)
    /// Threads asleep on `wakeUp`.
    private let sleepers = Atomic<Int>(0)
    private let wakeUp = NSCondition()
    /// Helper threads started so far (they run until the program ends).
    private var helpers = 0
    /// At most one helper per core besides the caller's: helpers that watch for work on
    /// a core another thread needs would take its time (asked for 4 threads on 2 cores,
    /// an epoch took 2.6 times as long). More parts than threads are simply taken in turn.
    private let maxHelpers: Int

    init(maxHelpers: Int = ProcessInfo.processInfo.activeProcessorCount - 1) {
        self.maxHelpers = max(0, maxHelpers)
    }

    /// How long a helper keeps watching for work after its last part before it sleeps.
    /// The gaps between a training step's parallel pieces are far shorter; the gaps a lesson
    /// leaves while it prints and draws are longer, and then the helper should not burn a core.
    private static let watchNanoseconds: UInt64 = 2_000_000

    private final class Job {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }

    func run(parts: Int, _ body: (Int) -> Void) {
        precondition(parts >= 0 && parts < 1 << 16, "WorkerPool: \(parts) parts")
        guard parts > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for part in 0..<parts { body(part) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        let previous = ticket.load(ordering: .relaxed) >> 32
        let generation = (previous + 1) & 0xFFFF_FFFF
        startHelpers(upTo: min(parts - 1, maxHelpers), generation: previous)
        withoutActuallyEscaping(body) { body in
            let call = Job(body)
            withExtendedLifetime(call) {
                job.store(UInt(bitPattern: Unmanaged.passUnretained(call).toOpaque()), ordering: .relaxed)
                unfinished.store(parts, ordering: .relaxed)
                // Publishes the job and the count with it (sequentially consistent, so that
                // a helper going to sleep either sees this store or is counted below).
                ticket.store(generation << 32 | UInt64(parts) << 16, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    wakeUp.lock()
                    wakeUp.broadcast()
                    wakeUp.unlock()
                }
                takeParts(of: generation)
                // Parts a helper took may still be running.
                var spins = 0
                while unfinished.load(ordering: .acquiring) > 0 {
                    spins += 1
                    if spins > 100_000 { sched_yield() }  // a helper was descheduled
                }
            }
        }
    }

    /// Takes parts of call `generation` and runs them until none is left to take.
    private func takeParts(of generation: UInt64) {
        var current = ticket.load(ordering: .acquiring)
        while current >> 32 == generation {
            let parts = (current >> 16) & 0xFFFF
            let next = current & 0xFFFF
            guard next < parts else { return }
            let (exchanged, seen) = ticket.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            guard exchanged else {
                current = seen
                continue
            }
            // The part is ours, so the call cannot finish (nor its job change) before we do.
            guard let address = UnsafeRawPointer(bitPattern: job.load(ordering: .relaxed)) else { return }
            Unmanaged<Job>.fromOpaque(address)._withUnsafeGuaranteedRef { $0.body(Int(next)) }
            unfinished.subtract(1, ordering: .releasing)
            current = ticket.load(ordering: .acquiring)
        }
    }

    private func startHelpers(upTo count: Int, generation: UInt64) {
        while helpers < count {
            helpers += 1
            let thread = Thread { [self] in helperLoop(lastSeen: generation) }
            thread.name = "ConvNet engine \(helpers)"
            thread.start()
        }
    }

    private func helperLoop(lastSeen: UInt64) {
        var seen = lastSeen
        var lastWork = DispatchTime.now().uptimeNanoseconds
        while true {
            let generation = ticket.load(ordering: .acquiring) >> 32
            if generation != seen {
                seen = generation
                takeParts(of: generation)
                lastWork = DispatchTime.now().uptimeNanoseconds
                continue
            }
            // Nothing new: watch a while (checking the clock now and then), then sleep.
            for _ in 0..<256 where ticket.load(ordering: .relaxed) >> 32 == seen {}
            if DispatchTime.now().uptimeNanoseconds - lastWork > Self.watchNanoseconds {
                wakeUp.lock()
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while ticket.load(ordering: .sequentiallyConsistent) >> 32 == seen { wakeUp.wait() }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                wakeUp.unlock()
                lastWork = DispatchTime.now().uptimeNanoseconds
            }
        }
    }
}
