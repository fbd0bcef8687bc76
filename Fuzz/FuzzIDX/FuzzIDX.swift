// libFuzzer harness: any bytes, as an IDX image file and as a label file (plain or gzipped).
// Errors are the expected outcome; a crash, a trap or a sanitizer report is a bug.
import Datasets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? IDX.decodeImages(bytes, path: "fuzz")
    _ = try? IDX.decodeLabels(bytes, path: "fuzz")
    return 0
}
