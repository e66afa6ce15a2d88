import Foundation
import Testing

/// The names options and what `check --explain` says about names.
@Suite struct NamesCLITests {
  static let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples/captures/loopback-http-dns.pcap").path

  @Test func explainSaysNamesAreDecidedInUserSpace() {
    let named = runCLI(["check", "--explain", "evt.name = 'Connect' and net.dip.names matches ('*.lan.')"])
    #expect(named.status == 0)
    #expect(named.stdout.contains("net.sip.names and net.dip.names are decided in user space"), "\(named.stdout)")
    #expect(named.stdout.contains("kind = packet and proto = UDP and direction = ingress"))
    let plain = runCLI(["check", "--explain", "evt.name = 'Connect'"])
    #expect(plain.status == 0 && !plain.stdout.contains("names"), "\(plain.stdout)")
  }

  @Test func badNameOptionsAreUsageErrors() {
    for arguments in [["--names", "reverse"], ["--names", "ptr="], ["--names-min-ttl", "-1"], ["--names-max", "0"]] {
      let result = runCLI(["run", "--pcap", Self.capture] + arguments + ["net.dport = 53"])
      #expect(result.status == 64, "\(arguments): \(result.stderr)")
    }
  }
}
