import ConvNet
import Datasets
import Foundation
import Pictures
import SafeFiles

/// An exercise at the end of a lesson: what to try, the command that checks it, and
/// where the worked answer is.
public struct Exercise: Sendable {
    public let task: String
    public let check: String
    public let answer: String
    public init(_ task: String, check: String, answer: String) {
        self.task = task
        self.check = check
        self.answer = answer
    }
}

/// The notebook-style runner: a lesson is a title and numbered steps, each with a
/// heading, a paragraph of prose, the code of its body (read from the lesson's own source
/// file), and its printed output and figures.
///
///     let lesson = Lesson(number: 5, title: "Pooling")
///     lesson.step("Max pooling", "Each output keeps the largest value of its window.") {
///         lesson.show("x", x)
///     }
///
/// In a terminal it waits after each step (Enter: next, q: quit); with --no-pause, or when
/// standard input is not a terminal (a pipe, CI), it runs straight through.
///
/// A default run (no --quick, --seed, --data, --dataset, --threads, --figures, nor an option
/// of the lesson's own) writes its figures to Figures/LessonNN and its transcript to
/// Notebooks/LessonNN.md, the committed copies. Any other run writes both to
/// Figures/LessonNN/runs/NAME, NAME saying how the run differs (for example `quick` or
/// `epochs-1`), or to --figures DIR: it never replaces the committed files.
public final class Lesson {
    public let number: Int
    public let title: String
    public let options: LessonOptions
    /// Where figures go (see above).
    public let figuresDirectory: String
    /// Whether this is the default run, whose figures and transcript are the committed ones.
    public let isDefaultRun: Bool
    /// The lesson's random numbers, seeded by --seed.
    public var rng: SeededRandom
    public let pauses: Bool
    /// True once the learner typed q at a pause: the remaining steps are skipped.
    public private(set) var stoppedEarly = false
    private var stepNumber = 0
    /// The data set, when the lesson declared its needs and so had it loaded up front.
    private var loaded: MNIST?
    private let width = Terminal.width
    private let source: SourceFile?
    private var transcript: Transcript
    private let transcriptPath: String
    private let figureLinkPrefix: String, answersPrefix: String

    public var quick: Bool { options.quick }
    public var name: String { String(format: "Lesson%02d", number) }

    /// `variant` names the lesson's own options that differ from their defaults (for
    /// example ["epochs-1"]); a run with any of them is not the default run.
    ///
    /// `needs` says what the lesson works on: the data set is then loaded and checked here,
    /// before the first step, so a set too small is refused before any work, and
    /// `loadData()` hands out the same copy.
    public init(
        number: Int, title: String, options: LessonOptions? = nil, variant: [String] = [],
        needs: DataNeeds? = nil, file: String = #filePath
    ) {
        let options = options ?? LessonOptions.parseOrExit()
        self.number = number
        self.title = title
        self.options = options
        rng = SeededRandom(seed: options.seed)
        if let threads = options.threads { Parallelism.threads = threads }
        pauses = Lesson.shouldPause(noPause: options.noPause, stdinIsTerminal: Terminal.stdinIsTerminal)
        let name = String(format: "Lesson%02d", number)
        let run = Lesson.runName(options, variant: variant, environment: ProcessInfo.processInfo.environment)
        isDefaultRun = run.isEmpty && options.figures == nil
        let root = Lesson.packageRoot
        if let figures = options.figures {
            figuresDirectory = figures
        } else {
            figuresDirectory = (root as NSString).appendingPathComponent(
                "Figures/\(name)" + (run.isEmpty ? "" : "/runs/\(run)"))
        }
        if isDefaultRun {
            transcriptPath = (root as NSString).appendingPathComponent("Notebooks/\(name).md")
            (figureLinkPrefix, answersPrefix) = ("../Figures/\(name)/", "../")
        } else {
            transcriptPath = (figuresDirectory as NSString).appendingPathComponent("\(name).md")
            (figureLinkPrefix, answersPrefix) = ("", root + "/")
        }
        source = SourceFile(path: file)
        let heading = String(format: "Lesson %02d: %@", number, title)
        transcript = Transcript(title: heading, command: "swift run \(name)")
        do {
            try Lesson.prepareFiguresDirectory(figuresDirectory)
        } catch {
            Lesson.fail(error)
        }
        print(heading)
        print(String(repeating: "=", count: heading.count))
        if source == nil && !options.noCode {
            print("(The code cells are left out: this lesson's source file, \(file), cannot be read.)")
        }
        if pauses {
            print("(After each step: Enter to go on, q and Enter to stop; --no-pause reads straight through.)")
        }
        if let needs { loaded = loadData(needs: needs) }
    }

    /// How a run differs from the default one, as a folder name: "" for the default run,
    /// else words such as "quick", "seed-7", "fashion", "data", "threads-1" and the
    /// lesson's own, joined by "-".
    static func runName(_ options: LessonOptions, variant: [String], environment: [String: String]) -> String {
        var words: [String] = []
        if options.quick { words.append("quick") }
        if options.seed != 42 { words.append("seed-\(options.seed)") }
        if options.dataset == .fashion { words.append("fashion") }
        if options.data != nil || environment["MNIST_DIR"] != nil { words.append("data") }
        if let threads = options.threads { words.append("threads-\(threads)") }
        return (words + variant).joined(separator: "-")
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
        do { try AtomicWrite.checkFolderTakesFiles(path) } catch {
            throw LessonError.figuresDirectory(path: path, reason: "no file can be created in it")
        }
    }

    // MARK: Steps and prose

    /// One numbered step: heading, prose, the code of its body as a cell, then the body's
    /// output. An error thrown by the body ends the lesson with its message (and exit
    /// status 1), not a crash. After q at a pause, steps are skipped.
    public func step(_ heading: String, _ prose: String, line: Int = #line, _ body: () throws -> Void) {
        guard !stoppedEarly else { return }
        stepNumber += 1
        let title = "\(stepNumber). \(heading)"
        print("\n" + title)
        print(String(repeating: "-", count: title.count))
        if !prose.isEmpty { print(Terminal.wrap(prose, width: width)) }
        print("")
        let code = source?.stepBody(callLine: line)
        if let code, !options.noCode {
            print("In [\(stepNumber)]:")
            for codeLine in code { print("  │ " + codeLine) }
            print("")
        }
        transcript.step(title, prose: prose, code: code)
        do { try body() } catch { Lesson.fail(error) }
        fflush(nil)  // into a pipe or a log too, each step shows when it is done
        pause()
    }

    /// Prints output and keeps it for the transcript.
    func emit(_ text: String) {
        print(text)
        transcript.output(text)
    }

    /// More prose inside a step.
    public func say(_ text: String) {
        // A short single line is printed as it is, so aligned spacing survives.
        let fits = text.count <= width && !text.contains("\n")
        emit(fits ? text : Terminal.wrap(text, width: width))
    }

    /// A small tensor printed as an aligned grid under a label.
    public func show(_ label: String, _ tensor: Tensor, decimals: Int? = nil) {
        emit("\(label)  (\(tensor.shape.map(String.init).joined(separator: "×")))")
        emit(formatGrid(tensor, decimals: decimals))
    }

    /// A table with aligned columns.
    public func table(_ header: [String], _ rows: [[String]]) {
        emit(formatTable(header, rows))
    }

    /// The steps in all, counted in the source (nil if it cannot be read).
    private var stepTotal: Int? { source.map(\.stepCount).flatMap { $0 > 0 ? $0 : nil } }

    /// Waits for the learner: Enter goes on, q (then Enter) stops the lesson cleanly.
    private func pause() {
        guard pauses else { return }
        let position = stepTotal.map { "step \(stepNumber) of \($0)" } ?? "step \(stepNumber)"
        print("\(position) — Enter: next, q: quit ", terminator: "")
        fflush(nil)
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        if answer == nil || answer == "q" || answer == "quit" {
            stoppedEarly = true
            print("Stopped after step \(stepNumber)" + (stepTotal.map { " of \($0)" } ?? "") + ".")
        }
    }

    // MARK: Figures and data

    /// Writes a figure into the lesson's figures directory and prints its path.
    @discardableResult
    public func saveFigure(_ canvas: Canvas, _ fileName: String) -> String {
        let path = (figuresDirectory as NSString).appendingPathComponent(fileName)
        do { try canvas.write(to: path) } catch { Lesson.fail(error) }
        print("figure: \(Lesson.displayPath(path))")
        transcript.figure(figureLinkPrefix + fileName)
        return path
    }

    /// A path relative to the current directory when it lies inside it.
    static func displayPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    /// The data set chosen by --data, --dataset and MNIST_DIR (the bundled MNIST by default).
    public func loadData() -> MNIST {
        if let loaded { return loaded }
        do { return try MNIST.load(dataSource) } catch { Lesson.fail(error) }
    }

    /// Where this run's data come from (--data, --dataset, MNIST_DIR, else the bundled MNIST).
    public var dataSource: DataSource {
        DataSource.choose(dataDirectory: options.data, dataset: options.dataset.rawValue)
    }

    /// The data set's name as model files record it: "MNIST", "Fashion-MNIST", or
    /// "MNIST (DIR)" for a directory of one's own (the same as `MNIST.name`).
    public var dataSetName: String { dataSource.name }

    /// Where the lesson keeps a file it trains (a model or a checkpoint), one per data set:
    /// Models/lesson09.model for MNIST, Models/lesson09-fashion.model for Fashion-MNIST. A
    /// quick run, or one on a directory of one's own, keeps it in its run folder instead, so
    /// it never replaces a real run's.
    public func trainedFilePath(_ fileName: String) -> String {
        Lesson.trainedFilePath(
            fileName, source: dataSource, quick: quick,
            models: (Lesson.packageRoot as NSString).appendingPathComponent("Models"),
            runFolder: figuresDirectory)
    }

    static func trainedFilePath(_ fileName: String, source: DataSource, quick: Bool, models: String, runFolder: String)
        -> String
    {
        let name = fileName as NSString
        switch source {
        case .bundled where !quick:
            return (models as NSString).appendingPathComponent(fileName)
        case .fashion where !quick:
            return (models as NSString).appendingPathComponent(
                "\(name.deletingPathExtension)-fashion.\(name.pathExtension)")
        default:
            return (runFolder as NSString).appendingPathComponent(fileName)
        }
    }

    /// Checks before any training that a file the lesson will write at the end (a model, a
    /// checkpoint) can be written there, creating its folder if need be, so that a bad path
    /// is reported now and not after minutes of work.
    public func checkWritable(_ path: String) {
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent.isEmpty
                    ? "." : (path as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
        } catch {
            Lesson.fail(LessonError.notWritten(path: path, reason: "its folder cannot be created"))
        }
        do { try AtomicWrite.checkWritable(path) } catch {
            Lesson.fail(LessonError.notWritten(path: path, reason: "\(error)"))
        }
    }

    /// Loads the data set and refuses it, with a sentence, if it is too small for `needs`.
    public func loadData(needs: DataNeeds) -> MNIST {
        let data = loadData()
        do { try needs.check(data, lesson: String(format: "Lesson %02d", number)) } catch { Lesson.fail(error) }
        return data
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
        transcript.exercises(list, answersPrefix: answersPrefix)
    }

    /// The last line; a run that went through every step also leaves its transcript.
    public func finish() {
        print(String(format: "\nEnd of lesson %02d. Figures are in %@.", number, Lesson.displayPath(figuresDirectory)))
        guard !stoppedEarly else { return }
        do { try transcript.write(to: transcriptPath) } catch {
            Terminal.printError("warning: the transcript could not be written: \(error)")
            return
        }
        print("Transcript: \(Lesson.displayPath(transcriptPath))")
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
    case notWritten(path: String, reason: String)

    public var description: String {
        switch self {
        case .figuresDirectory(let path, let reason): return "figures directory \(path): \(reason)"
        case .badOption(let name, let reason): return "option \(name): \(reason)"
        case .notWritten(let path, let reason): return "\(path): not written: \(reason)"
        }
    }
}
