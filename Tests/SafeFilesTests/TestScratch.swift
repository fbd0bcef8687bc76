import Foundation

/// Every temporary file of a test run lives under one folder, which is removed when the
/// run ends, so `swift test` leaves nothing behind in the temporary directory. (All the
/// test targets run in one process; each registers the same removal.)
let testScratch: String = {
    let path = NSTemporaryDirectory() + "convnet-course-tests-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "convnet-course-tests-\(getpid())") }
    return path
}()
