import Foundation
import NetFilterBPF
import Testing

/// The BPF layer's plain values: error texts and the capability check.
@Suite struct BPFLayerTests {
  @Test func errorsUseLibbpfsTexts() {
    #expect(
      BPFError(operation: "load the BPF object", code: EPERM).description
        == "cannot load the BPF object: Operation not permitted (errno 1)"
    )
    // libbpf's own codes (above 4000) have texts too.
    #expect(BPFError(operation: "open", code: 4003).message == "Endian mismatch")
    let withLog = BPFError(operation: "attach nf_skb_egress", code: EINVAL, log: "R1 invalid mem access")
    #expect(withLog.description.hasSuffix("(errno 22)\nR1 invalid mem access"))
  }

  @Test func theCapabilityNamesTheCgroupMountAndWhatIsMissing() throws {
    let capability = BPFCapability.check()
    let mounts = try String(contentsOfFile: "/proc/mounts", encoding: .utf8)
    let cgroup2 = mounts.split(separator: "\n").map { $0.split(separator: " ") }.first {
      $0.count > 2 && $0[2] == "cgroup2"
    }
    #expect(capability.cgroupRoot == cgroup2.map { String($0[1]) })
    #expect(capability.canLoadPrograms == capability.missing.isEmpty)
    if getuid() != 0 { #expect(capability.missing.contains { $0.hasPrefix("not running as root") }) }
  }
}
