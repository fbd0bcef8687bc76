import ConvNet
import Foundation
@testable import LessonKit
import Testing

@Suite struct RunnerTests {
    @Test func pausesOnlyAtATerminalWithoutNoPause() {
        #expect(Lesson.shouldPause(noPause: false, stdinIsTerminal: true))
        #expect(!Lesson.shouldPause(noPause: true, stdinIsTerminal: true))
        #expect(!Lesson.shouldPause(noPause: false, stdinIsTerminal: false))
        #expect(!Lesson.shouldPause(noPause: true, stdinIsTerminal: false))
    }

    @Test func optionsParse() throws {
        let options = try LessonOptions.parse(["--no-pause", "--quick", "--figures", "/tmp/f", "--dataset", "fashion", "--seed", "7"])
        #expect(options.noPause && options.quick && options.figures == "/tmp/f")
        #expect(options.dataset == .fashion && options.seed == 7)
        #expect(throws: (any Error).self) { try LessonOptions.parse(["--dataset", "cifar"]) }
        #expect(throws: (any Error).self) { try LessonOptions.parse(["--seed", "-3"]) }
    }

    @Test func figuresDirectoryThatIsAFileIsRefused() throws {
        let file = NSTemporaryDirectory() + "not-a-dir-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: file, contents: Data())
        #expect(throws: LessonError.self) { try Lesson.prepareFiguresDirectory(file) }
        #expect(throws: LessonError.self) { try Lesson.prepareFiguresDirectory("/proc/no/figures") }
        let fresh = NSTemporaryDirectory() + "figs-\(UUID().uuidString)/Lesson01"
        try Lesson.prepareFiguresDirectory(fresh)
        #expect(FileManager.default.fileExists(atPath: fresh))
    }

    /// A Fashion-MNIST run writes beside, never over, the MNIST figures.
    @Test func fashionRunsKeepTheirOwnFiguresFolder() {
        #expect(Lesson.defaultFiguresFolder(number: 9, dataset: .mnist) == "Figures/Lesson09")
        #expect(Lesson.defaultFiguresFolder(number: 9, dataset: .fashion) == "Figures/Lesson09/fashion")
        #expect(Lesson.defaultFiguresFolder(number: 0, dataset: .fashion) == "Figures/Lesson00/fashion")
    }

    @Test func packageRootHoldsPackageSwift() {
        #expect(FileManager.default.fileExists(atPath: Lesson.packageRoot + "/Package.swift"))
    }
}
