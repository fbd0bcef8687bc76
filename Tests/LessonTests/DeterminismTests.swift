import Foundation
import Testing

/// The same seed gives the same training: with one thread the saved parameters are the
/// same bytes; with two threads too (the parallel matrix multiply always adds its
/// partial sums in the same order), and so the same accuracy figures.
@Suite struct DeterminismTests {
    func train(threads: Int) throws -> (model: Data, accuracy: String) {
        let model = testScratch + "/determinism-\(UUID().uuidString).model"
        defer { try? FileManager.default.removeItem(atPath: model) }
        let run = try LessonRun.run(
            "Lesson09",
            [
                "--quick", "--no-pause", "--epochs", "2", "--threads", "\(threads)",
                "--model", model,
            ])
        #expect(run.status == 0, "\(run.errors)")
        let accuracy = run.output.split(separator: "\n").last.map(String.init) ?? ""
        return (try Data(contentsOf: URL(fileURLWithPath: model)), accuracy)
    }

    @Test(arguments: [1, 2])
    func sameSeedSameModel(threads: Int) throws {
        let first = try train(threads: threads)
        let second = try train(threads: threads)
        #expect(first.model == second.model, "\(threads) thread(s): the trained parameters differ")
        #expect(first.accuracy == second.accuracy && first.accuracy.hasPrefix("test accuracy: "))
    }

    @Test func badThreadCountIsRefused() throws {
        let run = try LessonRun.run("Lesson09", ["--quick", "--no-pause", "--threads", "0"], figures: false)
        #expect(run.status != 0)
        #expect(run.errors.contains("--threads must be between 1 and 256"))
    }
}
