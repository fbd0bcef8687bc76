import ArgumentParser
import ConvNet

/// Which data set a lesson uses.
public enum DatasetName: String, ExpressibleByArgument, CaseIterable, Sendable {
    case mnist, fashion
}

/// The options every lesson understands. A lesson with more (for example `--epochs`)
/// declares its own `ParsableCommand` holding `@OptionGroup var common: LessonOptions`.
/// (A command rather than plain arguments, so that usage and errors name the lesson,
/// "Usage: Lesson01 [--no-pause] …", not the Swift type.)
public struct LessonOptions: ParsableCommand, Sendable {
    public static let configuration = CommandConfiguration(commandName: executableName)

    /// The name the lesson was started by: "Lesson01".
    public static var executableName: String {
        String(CommandLine.arguments.first?.split(separator: "/").last ?? "Lesson")
    }
    @Flag(name: .long, help: "Run straight through without waiting for Enter between steps.")
    public var noPause = false

    @Flag(name: .long, help: "Tiny data and few iterations: the whole lesson in seconds (used by the tests).")
    public var quick = false

    @Flag(name: .long, help: "Do not show the code of each step.")
    public var noCode = false

    @Option(name: .long, help: ArgumentHelp("Where figures are written.", valueName: "dir"))
    public var figures: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A directory with the four MNIST IDX files (plain or .gz). Also: MNIST_DIR.", valueName: "dir"))
    public var data: String?

    @Option(name: .long, help: "mnist (bundled) or fashion (Debian's dataset-fashion-mnist).")
    public var dataset: DatasetName = .mnist

    @Option(name: .long, help: "Seed of the random number generator: the same seed gives the same run.")
    public var seed: UInt64 = 42

    @Option(name: .long, help: "Threads for the matrix multiply (default: one per core).")
    public var threads: Int?

    public init() {}

    public func validate() throws {
        if let threads, threads < 1 || threads > Parallelism.maximumThreads {
            throw ValidationError("--threads must be between 1 and \(Parallelism.maximumThreads), got \(threads)")
        }
        if figures?.isEmpty == true { throw ValidationError("--figures needs a directory, got an empty name") }
        if data?.isEmpty == true { throw ValidationError("--data needs a directory, got an empty name") }
    }
}
