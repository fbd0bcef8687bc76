import Foundation
import Synchronization
import Testing

@testable import ConvNet

/// The engine's helper threads: every part runs exactly once, whoever calls and however
/// often, and a call from inside a part or from a second thread still finishes.
@Suite struct WorkerPoolTests {
    /// Counts how often each part ran, from any thread.
    final class Tally: Sendable {
        let counts: Mutex<[Int]>
        init(_ parts: Int) { counts = Mutex(Array(repeating: 0, count: parts)) }
        func mark(_ part: Int) { counts.withLock { $0[part] += 1 } }
        var values: [Int] { counts.withLock { $0 } }
    }

    @Test(arguments: [0, 1, 2, 3, 7], [0, 1, 3])
    func everyPartRunsOnce(parts: Int, helpers: Int) {
        let pool = WorkerPool(maxHelpers: helpers)
        for _ in 0..<2000 {
            let tally = Tally(parts)
            pool.run(parts: parts) { tally.mark($0) }
            #expect(tally.values == Array(repeating: 1, count: parts))
            if tally.values != Array(repeating: 1, count: parts) { return }
        }
    }

    /// Each part waits (up to a second) for the other to start: only parts that run at the
    /// same time, on two threads, both see each other.
    @Test func twoPartsRunAtTheSameTime() {
        let pool = WorkerPool(maxHelpers: 1)
        let started = Tally(2)
        let sawTheOther = Tally(2)
        pool.run(parts: 2) { part in
            started.mark(part)
            let deadline = Date().addingTimeInterval(1)
            while Date() < deadline {
                if started.values[1 - part] == 1 {
                    sawTheOther.mark(part)
                    break
                }
            }
        }
        #expect(sawTheOther.values == [1, 1])
    }

    @Test func aCallAfterTheHelperSleptStillRuns() {
        let pool = WorkerPool()
        let tally = Tally(2)
        pool.run(parts: 2) { tally.mark($0) }
        Thread.sleep(forTimeInterval: 0.02)  // longer than the helper watches for work
        pool.run(parts: 2) { tally.mark($0) }
        #expect(tally.values == [2, 2])
    }

    @Test func aCallFromInsideAPartRunsItsPartsInPlace() {
        let pool = WorkerPool()
        let outer = Tally(2)
        let inner = Tally(4)
        pool.run(parts: 2) { part in
            outer.mark(part)
            pool.run(parts: 2) { inner.mark(2 * part + $0) }
        }
        #expect(outer.values == [1, 1])
        #expect(inner.values == [1, 1, 1, 1])
    }

    @Test func callsFromSeveralThreadsAtOnceAllFinish() {
        let pool = WorkerPool()
        let tally = Tally(3)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<500 { pool.run(parts: 3) { tally.mark($0) } }
        }
        #expect(tally.values == [2000, 2000, 2000])
    }
}
