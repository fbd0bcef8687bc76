import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Facts about the terminal the lesson runs in.
public enum Terminal {
    public static var stdinIsTerminal: Bool { isatty(0) != 0 }
    public static var stdoutIsTerminal: Bool { isatty(1) != 0 }

    /// Columns of the terminal (80 when not a terminal), capped so prose stays readable.
    public static var width: Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return min(Int(size.ws_col), 100) }
        return 80
    }

    /// Writes to standard error (for error messages).
    public static func printError(_ message: String) {
        var line = message
        if !line.hasSuffix("\n") { line += "\n" }
        fflush(nil)  // what was printed before comes first
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Wraps prose to `width` columns. Blank lines separate paragraphs; a line that starts
    /// with a space (code, a table) is kept as it is; a line that starts with "- " is a
    /// list item whose continuation lines are indented.
    public static func wrap(_ text: String, width: Int) -> String {
        var paragraphs: [String] = []
        for paragraph in text.components(separatedBy: "\n\n") {
            var lines: [String] = []
            var current = ""
            var indent = ""
            func flush() {
                if !current.isEmpty { lines.append(current) }
                current = ""
            }
            for rawLine in paragraph.split(separator: "\n", omittingEmptySubsequences: false) {
                if rawLine.hasPrefix(" ") {
                    flush()
                    lines.append(String(rawLine))
                    continue
                }
                if rawLine.hasPrefix("- ") {
                    flush()
                    indent = "  "
                }
                for word in rawLine.split(separator: " ") {
                    if current.isEmpty {
                        current = String(word)
                    } else if current.count + 1 + word.count <= width {
                        current += " " + word
                    } else {
                        lines.append(current)
                        current = indent + word
                    }
                }
            }
            flush()
            paragraphs.append(lines.joined(separator: "\n"))
        }
        return paragraphs.joined(separator: "\n\n")
    }
}
