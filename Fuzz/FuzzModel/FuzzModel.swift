// libFuzzer harness: any bytes, as a model file. A network that loads must also run.
import ConvNet

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let network = try? ModelFile.decode(bytes, path: "fuzz"), network.inputShape.reduce(1, *) <= 4096 {
        let x = Tensor(shape: [1] + network.inputShape)
        if (try? network.checkInput(x)) != nil { _ = network.predict(x) }
    }
    return 0
}
