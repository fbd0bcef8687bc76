import Foundation
import Testing

@Suite struct RunnerBehaviourTests {
    /// Without --no-pause, a lesson whose stdin is not a terminal still runs straight through.
    @Test func noPauseWhenStdinIsNotATerminal() throws {
        let run = try LessonRun.run("Lesson00", ["--quick"], timeLimit: 120)
        #expect(run.status == 0)
        #expect(!run.output.contains("[Enter]"))
    }

    @Test func badOptionIsRefusedWithAMessage() throws {
        let run = try LessonRun.run("Lesson00", ["--dataset", "cifar"], figures: false)
        #expect(run.status != 0)
        #expect(run.errors.contains("cifar"))
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
