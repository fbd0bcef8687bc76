import ConvNet
import Datasets
import Foundation
import Pictures

/// An exercise at the end of a lesson: what to try, the command that checks it, and
/// where the worked answer is.
public struct Exercise: Sendable {
    public let task: String
    public let check: String
    public let answer: String
    public init(_ task: String, check: String, answer: String) {
        self.task = task; self.check = check; self.answer = answer
    }
}

/// The notebook-style runner: a lesson is a title and numbered steps, each with a
/// heading, a paragraph of prose, a computation and its printed output or figure.
///
///     let lesson = Lesson(number: 5, title: "Pooling")
///     lesson.step("Max pooling", "Each output keeps the largest value of its window.") {
///         lesson.show("x", x)
///     }
///
/// In a terminal it waits for Enter after each step; with --no-pause, or when standard
/// input is not a terminal (a pipe, CI), it runs straight through.
public final class Lesson {
    public let number: Int
    public let title: String
    public let options: LessonOptions
    /// Where figures go: --figures, or Figures/LessonNN (Figures/LessonNN/fashion with
    /// --dataset fashion) at the package root.
    public let figuresDirectory: String
    /// The lesson's random numbers, seeded by --seed.
    public var rng: SeededRandom
    public let pauses: Bool
    private var stepNumber = 0
    private let width = Terminal.width

    public var quick: Bool { options.quick }
    public var name: String { String(format: "Lesson%02d", number) }

    public init(number: Int, title: String, options: LessonOptions? = nil) {
        let options = options ?? LessonOptions.parseOrExit()
        self.number = number
        self.title = title
        self.options = options
        rng = SeededRandom(seed: options.seed)
        if let threads = options.threads { Parallelism.threads = threads }
        pauses = Lesson.shouldPause(noPause: options.noPause, stdinIsTerminal: Terminal.stdinIsTerminal)
        figuresDirectory = options.figures
            ?? (Lesson.packageRoot as NSString).appendingPathComponent(Lesson.defaultFiguresFolder(number: number, dataset: options.dataset))
        do {
            try Lesson.prepareFiguresDirectory(figuresDirectory)
        } catch {
            Lesson.fail(error)
        }
        let heading = String(format: "Lesson %02d: %@", number, title)
        print(heading)
        print(String(repeating: "=", count: heading.count))
        if pauses { print("(Press Enter after each step to go on; run with --no-pause to read straight through.)") }
    }

    /// Pausing needs both: the learner did not say --no-pause, and someone is at a terminal.
    public static func shouldPause(noPause: Bool, stdinIsTerminal: Bool) -> Bool {
        !noPause && stdinIsTerminal
    }

    /// The repository root, found from this source file, so figures land in the
    /// repository's Figures/ whichever directory the lesson is started from.
    public static var packageRoot: String {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            return root.path
        }
        return FileManager.default.currentDirectoryPath
    }

    /// Creates the directory and checks that a file can be written in it.
    /// Figures/LessonNN, or Figures/LessonNN/fashion for a run on Fashion-MNIST, so that
    /// such a run never overwrites the MNIST figures the README shows.
    static func defaultFiguresFolder(number: Int, dataset: DatasetName) -> String {
        String(format: "Figures/Lesson%02d", number) + (dataset == .fashion ? "/fashion" : "")
    }

    static func prepareFiguresDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw LessonError.figuresDirectory(path: path, reason: "it is a file, not a directory")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LessonError.figuresDirectory(path: path, reason: "it cannot be created")
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw LessonError.figuresDirectory(path: path, reason: "it is not writable")
        }
    }

    // MARK: Steps and prose

    /// One numbered step: heading, prose, then the body's output. An error thrown by
    /// the body ends the lesson with its message (and exit status 1), not a crash.
    public func step(_ heading: String, _ prose: String, _ body: () throws -> Void) {
        stepNumber += 1
        let line = "\(stepNumber). \(heading)"
        print("\n" + line)
        print(String(repeating: "-", count: line.count))
        if !prose.isEmpty { print(Terminal.wrap(prose, width: width)) }
        print("")
        do { try body() } catch { Lesson.fail(error) }
        fflush(nil)         // into a pipe or a log too, each step shows when it is done
        pause()
    }

    /// More prose inside a step.
    public func say(_ text: String) {
        // A short single line is printed as it is, so aligned spacing survives.
        let fits = text.count <= width && !text.contains("\n")
        print(fits ? text : Terminal.wrap(text, width: width))
    }

    /// A small tensor printed as an aligned grid under a label.
    public func show(_ label: String, _ tensor: Tensor, decimals: Int? = nil) {
        print("\(label)  (\(tensor.shape.map(String.init).joined(separator: "×")))")
        print(formatGrid(tensor, decimals: decimals))
    }

    /// A table with aligned columns.
    public func table(_ header: [String], _ rows: [[String]]) {
        print(formatTable(header, rows))
    }

    private func pause() {
        guard pauses else { return }
        print("[Enter] ", terminator: "")
        fflush(nil)
        _ = readLine()
    }

    // MARK: Figures and data

    /// Writes a figure into the lesson's figures directory and prints its path.
    @discardableResult
    public func saveFigure(_ canvas: Canvas, _ fileName: String) -> String {
        let path = (figuresDirectory as NSString).appendingPathComponent(fileName)
        do { try canvas.write(to: path) } catch { Lesson.fail(error) }
        print("figure: \(Lesson.displayPath(path))")
        return path
    }

    /// A path relative to the current directory when it lies inside it.
    static func displayPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    /// The data set chosen by --data, --dataset and MNIST_DIR (the bundled MNIST by default).
    public func loadData() -> MNIST {
        let source = DataSource.choose(dataDirectory: options.data, dataset: options.dataset.rawValue)
        do { return try MNIST.load(source) } catch { Lesson.fail(error) }
    }

    /// Times a piece of work in seconds (wall clock).
    public func time<T>(_ work: () throws -> T) rethrows -> (result: T, seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try work()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    // MARK: The end

    public func exercises(_ list: [Exercise]) {
        let heading = "Exercises"
        print("\n" + heading)
        print(String(repeating: "-", count: heading.count))
        for (i, exercise) in list.enumerated() {
            print(Terminal.wrap("\(i + 1). \(exercise.task)", width: width))
            print("   check:  \(exercise.check)")
            print("   answer: \(exercise.answer)")
        }
    }

    public func finish() {
        print(String(format: "\nEnd of lesson %02d. Figures are in %@.", number, Lesson.displayPath(figuresDirectory)))
    }

    /// Prints the error as a sentence and exits with status 1.
    public static func fail(_ error: Error) -> Never {
        Terminal.printError("error: \(error)")
        exit(1)
    }
}

/// Errors of the runner itself.
public enum LessonError: Error, CustomStringConvertible {
    case figuresDirectory(path: String, reason: String)
    case badOption(name: String, reason: String)

    public var description: String {
        switch self {
        case .figuresDirectory(let path, let reason): return "figures directory \(path): \(reason)"
        case .badOption(let name, let reason): return "option \(name): \(reason)"
        }
    }
}
