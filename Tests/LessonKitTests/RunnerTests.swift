import ConvNet
import Datasets
import Foundation
import Testing

@testable import LessonKit

@Suite struct RunnerTests {
    @Test func pausesOnlyAtATerminalWithoutNoPause() {
        #expect(Lesson.shouldPause(noPause: false, stdinIsTerminal: true))
        #expect(!Lesson.shouldPause(noPause: true, stdinIsTerminal: true))
        #expect(!Lesson.shouldPause(noPause: false, stdinIsTerminal: false))
        #expect(!Lesson.shouldPause(noPause: true, stdinIsTerminal: false))
    }

    @Test func optionsParse() throws {
        let options = try LessonOptions.parse([
            "--no-pause", "--quick", "--figures", "/tmp/f", "--dataset", "fashion", "--seed", "7",
        ])
        #expect(options.noPause && options.quick && options.figures == "/tmp/f")
        #expect(options.dataset == .fashion && options.seed == 7)
        #expect(throws: (any Error).self) { try LessonOptions.parse(["--dataset", "cifar"]) }
        #expect(throws: (any Error).self) { try LessonOptions.parse(["--seed", "-3"]) }
    }

    @Test func figuresDirectoryThatIsAFileIsRefused() throws {
        let file = testScratch + "/not-a-dir-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: LessonError.self) { try Lesson.prepareFiguresDirectory(file) }
        #expect(throws: LessonError.self) { try Lesson.prepareFiguresDirectory("/proc/no/figures") }
        let parent = testScratch + "/figs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let fresh = parent + "/Lesson01"
        try Lesson.prepareFiguresDirectory(fresh)
        #expect(FileManager.default.fileExists(atPath: fresh))
    }

    /// Every run that is not the default one gets a name, and with it a folder of its own
    /// (Figures/LessonNN/runs/NAME), so it never writes over the committed figures.
    @Test func nonDefaultRunsAreNamed() throws {
        func name(_ arguments: [String], variant: [String] = [], environment: [String: String] = [:]) throws -> String {
            Lesson.runName(try LessonOptions.parse(arguments), variant: variant, environment: environment)
        }
        #expect(try name([]) == "")
        #expect(try name(["--no-pause", "--no-code"]) == "")
        #expect(try name(["--quick"]) == "quick")
        #expect(try name(["--dataset", "fashion"]) == "fashion")
        #expect(try name(["--seed", "7", "--threads", "1"]) == "seed-7-threads-1")
        #expect(try name(["--data", "/some/dir"]) == "data")
        #expect(try name([], environment: ["MNIST_DIR": "/x"]) == "data")
        #expect(try name(["--quick"], variant: ["learning-rate-0.1"]) == "quick-learning-rate-0.1")
    }

    @Test func packageRootHoldsPackageSwift() {
        #expect(FileManager.default.fileExists(atPath: Lesson.packageRoot + "/Package.swift"))
    }

    /// One trained file per data set in Models/; quick runs and directories of one's own
    /// keep theirs in the run folder (Lesson 09 on 5000 images once replaced the MNIST model).
    @Test func trainedFilesArePerDataSet() {
        func path(_ source: DataSource, quick: Bool = false) -> String {
            Lesson.trainedFilePath("lesson09.model", source: source, quick: quick, models: "/M", runFolder: "/R")
        }
        #expect(path(.bundled) == "/M/lesson09.model")
        #expect(path(.fashion) == "/M/lesson09-fashion.model")
        #expect(path(.directory("/my/digits")) == "/R/lesson09.model")
        #expect(path(.bundled, quick: true) == "/R/lesson09.model")
        #expect(path(.fashion, quick: true) == "/R/lesson09.model")
    }
}
