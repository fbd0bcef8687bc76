import Foundation

/// The most memory the process has held in RAM at once (its peak resident set size), in bytes.
func peakResidentBytes() -> Int {
    var usage = rusage()
    #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024  // Linux reports kilobytes
    #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss)  // macOS reports bytes
    #endif
}

/// Seconds since some fixed moment, for timing.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
