import Foundation

/// A progress bar for long loops. On a terminal it redraws one line with the rate and
/// the time left; otherwise (a pipe, a log, CI) it prints a plain line every tenth of
/// the way, so logs stay readable.
public final class ProgressBar {
    public let total: Int
    public let label: String
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var lastPlainTenth = -1
    private let interactive: Bool

    public init(total: Int, label: String, interactive: Bool = Terminal.stdoutIsTerminal) {
        self.total = max(total, 1)
        self.label = label
        self.interactive = interactive
    }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// The line shown after `done` of `total` items, with extra information such as the loss.
    public func line(done: Int, info: String) -> String {
        let fraction = Double(min(done, total)) / Double(total)
        let seconds = elapsed
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let filled = Int(fraction * 24)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 24 - filled)
        let rateText = rate >= 10 ? String(format: "%.0f/s", rate) : String(format: "%.1f/s", rate)
        return "\(label) [\(bar)] \(done)/\(total)  \(rateText)  \(ProgressBar.clock(seconds)) elapsed, "
            + "\(ProgressBar.clock(left)) left" + (info.isEmpty ? "" : "  \(info)")
    }

    public func update(done: Int, info: String = "") {
        if interactive {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now - lastDraw > 100_000_000 || done >= total else { return }  // 10 redraws a second
            lastDraw = now
            print("\r" + line(done: done, info: info) + "\u{1B}[K", terminator: "")
            fflush(nil)
        } else {
            let tenth = done * 10 / total
            guard tenth > lastPlainTenth else { return }
            lastPlainTenth = tenth
            print(line(done: done, info: info))
            fflush(nil)
        }
    }

    public func finish(info: String = "") {
        if interactive {
            print("\r" + line(done: total, info: info) + "\u{1B}[K")
        } else if lastPlainTenth < 10 {
            print(line(done: total, info: info))
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String(format: "%d:%02d", s / 60, s % 60)
    }
}
