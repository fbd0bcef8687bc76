import ConvNet
import Foundation
import SafeFiles

/// The notebook page a run leaves behind: a Markdown file with the lesson's title, and for
/// each step its heading, prose, code cell, printed output and figures, then the
/// exercises. A default run writes Notebooks/LessonNN.md, which is committed so the course
/// reads on the web; other runs write theirs beside their figures.
struct Transcript {
    private enum Item {
        case output(String)
        case figure(String)
    }
    private var lines: [String] = []
    private var items: [Item] = []

    init(title: String, command: String) {
        lines = [
            "# \(title)", "",
            "*The transcript of a full run of `\(command)`: the lesson's prose, the code of each step, what it printed "
                + "and the figures it drew. The lesson writes this file itself.*", "",
        ]
    }

    mutating func step(_ heading: String, prose: String, code: [String]?) {
        flush()
        lines += ["## \(heading)", ""]
        if !prose.isEmpty { lines += Transcript.markdown(prose) + [""] }
        if let code, !code.isEmpty { lines += ["```swift"] + code + ["```", ""] }
    }

    /// Prose as Markdown: a list needs a blank line before its first item.
    static func markdown(_ prose: String) -> [String] {
        var lines: [String] = []
        for line in prose.components(separatedBy: "\n") {
            if line.hasPrefix("- "), let last = lines.last, !last.isEmpty, !last.hasPrefix("- ") { lines.append("") }
            lines.append(line)
        }
        return lines
    }

    mutating func output(_ text: String) { items.append(.output(text)) }

    /// A figure, as a link relative to the transcript.
    mutating func figure(_ link: String) { items.append(.figure(link)) }

    /// The step's output so far as one plain block, its figures between the blocks.
    private mutating func flush() {
        var block: [String] = []
        func close() {
            if !block.isEmpty { lines += ["```"] + block + ["```", ""] }
            block = []
        }
        for item in items {
            switch item {
            case .output(let text): block += text.components(separatedBy: "\n")
            case .figure(let link):
                close()
                lines += ["![\((link as NSString).lastPathComponent)](\(link))", ""]
            }
        }
        close()
        items = []
    }

    mutating func exercises(_ list: [Exercise], answersPrefix: String) {
        flush()
        lines += ["## Exercises", ""]
        for (i, exercise) in list.enumerated() {
            lines += [
                "\(i + 1). \(exercise.task)", "",
                "   Check: `\(exercise.check)`. Worked answer: [\(exercise.answer)](\(answersPrefix)\(exercise.answer))",
                "",
            ]
        }
    }

    /// The whole page; written atomically, so a run stopped halfway leaves the old one.
    mutating func write(to path: String) throws {
        flush()
        let text = lines.joined(separator: "\n").trimmingCharacters(in: .newlines) + "\n"
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do { try AtomicWrite.write(Array(text.utf8), to: path) } catch {
            throw LessonError.notWritten(path: path, reason: "\(error)")
        }
    }
}
