import Foundation
import Testing

/// Runs a lesson executable the way a learner (or CI) does and collects what it printed.
struct LessonRun {
    let status: Int32
    let output: String
    let errors: String
    let figures: [String]
    /// The transcript the run wrote beside its figures (LessonNN.md), if any.
    let transcript: String?

    /// The folder holding the built executables (beside the test bundle).
    static var productsDirectory: URL {
        let candidates =
            [
                Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            ]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in candidates where FileManager.default.fileExists(atPath: dir.appendingPathComponent("Lesson00").path)
        {
            return dir
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug")
    }

    /// Runs `name` with `arguments`; standard input is a pipe that is never written to,
    /// so a lesson that wrongly waited for Enter would hang until the time limit.
    static func run(
        _ name: String, _ arguments: [String], figures: Bool = true, timeLimit: Double = 300,
        environment: [String: String]? = nil
    ) throws -> LessonRun {
        let figuresDirectory = testScratch + "/lesson-figures-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent(name)
        process.arguments = arguments + (figures ? ["--figures", figuresDirectory] : [])
        if let environment { process.environment = environment }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        // Read both pipes while the process runs, so a full pipe cannot block it.
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outData = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = stderr.fileHandleForReading.readDataToEndOfFile() }
        let deadline = Date().addingTimeInterval(timeLimit)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("\(name) \(arguments) did not finish within \(timeLimit) s (waiting for input?)")
        }
        process.waitUntilExit()
        group.wait()
        let pngs = ((try? FileManager.default.contentsOfDirectory(atPath: figuresDirectory)) ?? []).filter {
            $0.hasSuffix(".png")
        }
        let transcript = try? String(contentsOfFile: figuresDirectory + "/\(name).md", encoding: .utf8)
        try? FileManager.default.removeItem(atPath: figuresDirectory)  // no litter in /tmp
        return LessonRun(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
            errors: String(decoding: errData, as: UTF8.self), figures: pngs.sorted(), transcript: transcript)
    }

    /// The standard check: --quick --no-pause succeeds, prints every step, writes figures.
    @discardableResult
    static func checkQuick(_ name: String, expectFigures: [String]) throws -> LessonRun {
        let run = try run(name, ["--quick", "--no-pause"])
        #expect(run.status == 0, "\(name) failed: \(run.errors)")
        #expect(run.output.contains("End of lesson"))
        #expect(run.output.contains("Exercises"))
        for figure in expectFigures { #expect(run.figures.contains(figure), "\(name) did not write \(figure)") }
        #expect(run.errors.isEmpty, "\(name) wrote to stderr: \(run.errors)")
        return run
    }
}
