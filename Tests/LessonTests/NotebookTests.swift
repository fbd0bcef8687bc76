import Foundation
import Testing

/// The committed transcripts (Notebooks/LessonNN.md) stay true to the lessons: a quick run
/// writes a transcript whose structure (headings, prose, code cells, figure names,
/// exercises) must equal the committed one's line for line. Output blocks are left out,
/// and so are digits, since a quick run has other numbers than a full one.
@Suite struct NotebookTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let lessons = (0...10).map { String(format: "Lesson%02d", $0) }

    /// The lines that must not drift: everything but the plain output blocks, with digits
    /// masked and every link reduced to the name of the file it points at.
    static func structure(_ markdown: String) -> [String] {
        var lines: [String] = []
        var inOutput = false
        var inCode = false
        for line in markdown.components(separatedBy: "\n") {
            if line == "```swift" {
                inCode = true
                lines.append(line)
                continue
            }
            if line == "```" {
                if inCode {
                    inCode = false
                    lines.append(line)
                } else {
                    inOutput.toggle()
                }
                continue
            }
            if inOutput || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            lines.append(maskDigits(linksToFileNames(line)))
        }
        return lines
    }

    /// "[a](../x/y.md)" → "[a](y.md)".
    static func linksToFileNames(_ line: String) -> String {
        var result = ""
        var rest = Substring(line)
        while let open = rest.range(of: "](") {
            result += rest[..<open.upperBound]
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: ")") else { break }
            result += rest[..<close].split(separator: "/").last.map(String.init) ?? ""
            rest = rest[close...]
        }
        return result + rest
    }

    static func maskDigits(_ line: String) -> String {
        var result = ""
        for c in line where !(c.isNumber && result.last == "#") { result.append(c.isNumber ? "#" : c) }
        return result
    }

    /// The target of a Markdown image line "![name](target)".
    static func imageTarget(_ line: String) -> String? {
        guard line.hasPrefix("!["), let open = line.range(of: "]("), let close = line.lastIndex(of: ")") else {
            return nil
        }
        return String(line[open.upperBound..<close])
    }

    @Test(arguments: lessons)
    func transcriptMatchesTheLesson(lesson: String) throws {
        let committedPath = Self.root.appendingPathComponent("Notebooks/\(lesson).md").path
        let committed = try #require(
            try? String(contentsOfFile: committedPath, encoding: .utf8),
            "Notebooks/\(lesson).md is missing: run `swift run \(lesson) --no-pause` and commit it")
        let run = try LessonRun.run(lesson, ["--quick", "--no-pause"])
        #expect(run.status == 0, "\(lesson) failed: \(run.errors)")
        let fresh = try #require(run.transcript, "\(lesson) --quick wrote no transcript")
        let (want, got) = (Self.structure(committed), Self.structure(fresh))
        if let i = (0..<min(want.count, got.count)).first(where: { want[$0] != got[$0] }) {
            let message =
                "Notebooks/\(lesson).md is out of date (regenerate it with `swift run \(lesson) --no-pause`); "
                + "first difference, structure line \(i + 1):\n  committed: \(want[i])\n  lesson:    \(got[i])"
            Issue.record(Comment(rawValue: message))
        } else if want.count != got.count {
            Issue.record(
                Comment(
                    rawValue:
                        "Notebooks/\(lesson).md has \(want.count) structure lines, the lesson now \(got.count): regenerate it"
                ))
        }
    }

    /// Every image a transcript shows is a committed figure.
    @Test(arguments: lessons)
    func imageLinksPointAtFigures(lesson: String) throws {
        let notebooks = Self.root.appendingPathComponent("Notebooks")
        let text = try #require(
            try? String(contentsOf: notebooks.appendingPathComponent("\(lesson).md"), encoding: .utf8))
        let links = text.components(separatedBy: "\n").compactMap(Self.imageTarget)
        #expect(!links.isEmpty, "\(lesson)'s transcript shows no figure")
        for link in links {
            let path = notebooks.appendingPathComponent(link).standardizedFileURL.path
            #expect(
                path.contains("/Figures/\(lesson)/") && FileManager.default.fileExists(atPath: path),
                "Notebooks/\(lesson).md links \(link), which is not a figure of \(lesson)")
        }
    }

    /// The drift check can fail: a transcript whose prose or code differs is caught, and
    /// different numbers in the output are not.
    @Test func driftIsDetectedAndNumbersAreNot() {
        let page = "# L\n\n## 1. Step\n\nProse with 12 digits.\n\n```swift\nlet x = 3\n```\n\n```\nloss 0.25\n```\n"
        #expect(Self.structure(page) == Self.structure(page.replacingOccurrences(of: "0.25", with: "0.31")))
        #expect(Self.structure(page) == Self.structure(page.replacingOccurrences(of: "12", with: "14")))
        #expect(
            Self.structure(page) != Self.structure(page.replacingOccurrences(of: "Prose with", with: "Prose about")))
        #expect(Self.structure(page) != Self.structure(page.replacingOccurrences(of: "let x", with: "var x")))
    }
}
