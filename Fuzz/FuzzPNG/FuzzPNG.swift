// libFuzzer harness: any bytes, as a PNG; a picture that decodes is also prepared as an
// MNIST-style input.
import Pictures

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let picture = try? PNG.decode(bytes, path: "fuzz") {
        _ = try? MNISTStyle.prepare(picture, path: "fuzz")
    }
    return 0
}
