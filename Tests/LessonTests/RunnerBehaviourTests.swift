import Foundation
import Testing

@Suite struct RunnerBehaviourTests {
    /// Without --no-pause, a lesson whose stdin is not a terminal still runs straight through.
    @Test func noPauseWhenStdinIsNotATerminal() throws {
        let run = try LessonRun.run("Lesson00", ["--quick"], timeLimit: 120)
        #expect(run.status == 0)
        #expect(!run.output.contains("Enter: next"))
    }

    /// In a terminal (a pseudo-terminal made by `script`), the lesson stops after each step
    /// with a prompt that says where it is; Enter goes on, q stops cleanly: exit status 0,
    /// the exercises still printed, and no transcript left for the unfinished run.
    @Test func pausePromptAndQuit() throws {
        let figures = testScratch + "/pause-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: figures) }
        let lesson = LessonRun.productsDirectory.appendingPathComponent("Lesson01").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-q", "-e", "-c", "\(lesson) --quick --figures \(figures)", "/dev/null"]
        let stdin = Pipe()
        let stdout = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (stdin, stdout, stdout)
        try process.run()
        stdin.fileHandleForWriting.write(Data("\nq\n".utf8))
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("step 1 of 6 — Enter: next, q: quit"))
        #expect(output.contains("step 2 of 6 — Enter: next, q: quit"))
        #expect(output.contains("Stopped after step 2 of 6."))
        #expect(!output.contains("In [3]:"), "a step after q ran")
        #expect(output.contains("Exercises"))
        #expect(!FileManager.default.fileExists(atPath: figures + "/Lesson01.md"))
    }

    @Test func badOptionIsRefusedWithAMessage() throws {
        let run = try LessonRun.run("Lesson00", ["--dataset", "cifar"], figures: false)
        #expect(run.status != 0)
        #expect(run.errors.contains("cifar"))
        // The usage line names the lesson, not a Swift type ("Usage: arguments …" before).
        #expect(run.errors.contains("Usage: Lesson00 [--no-pause]"), "\(run.errors)")
        let nine = try LessonRun.run("Lesson09", ["--bogus"], figures: false)
        #expect(nine.errors.contains("Usage: Lesson09 [--no-pause]") && nine.errors.contains("'Lesson09 --help'"))
    }

    @Test func unwritableFiguresDirectory() throws {
        let run = try LessonRun.run("Lesson00", ["--quick", "--figures", "/proc/cannot/write"], figures: false)
        #expect(run.status == 1)
        #expect(run.errors.contains("/proc/cannot/write"))
    }

    @Test func missingDataDirectoryNamesIt() throws {
        let run = try LessonRun.run("Lesson00", ["--quick", "--data", "/no/such/mnist"])
        #expect(run.status == 1)
        #expect(run.errors.contains("error: /no/such/mnist: no such data directory"))
    }
}
