import Foundation
import Testing

/// The offload bar, live: 200,000 datagrams that do not match and 100 that do, with the selective
/// filter `net.dport = PORT`, once with the kernel plan and once with `--no-offload`. With the plan,
/// what reaches user space besides the matches is under 0.1% of what arrives without it, and no
/// match is lost. Loopback only; the load stops by itself (Benchmarks/udp-load.py).
@Suite(.serialized, .enabled(if: Live.available && LoadGenerator.exists, "needs live capture and python3"))
struct OffloadLoadTests {
  static let noise = 200_000
  static let matching = 100

  struct Stats: Decodable {
    var received: Int
    var matched: Int
    var lost: Int
    var malformed: Int
  }

  @Test func aSelectivePlanKeepsTheNoiseInTheKernelAndLosesNoMatch() throws {
    let port = Int.random(in: 20_000...29_998)
    let offload = try measure(port: port, offload: true)
    let everything = try measure(port: port, offload: false)
    // Each matching datagram is seen leaving, arriving, and as the generator's Send.
    #expect(offload.stats.matched == 3 * Self.matching, "\(offload.stats)")
    #expect(offload.printed == offload.stats.matched)
    #expect(offload.stats.lost == 0)
    let extra = offload.stats.received - offload.stats.matched
    #expect(extra * 1000 < everything.stats.received, "offload let \(extra) others through; \(everything.stats)")
    // Without the plan every datagram is at least three events, read or lost: leaving, arriving (the
    // ingress program runs before the receive queue can drop it) and the sender's Send; its Recv
    // only if the reader got it in time.
    #expect(everything.stats.received + everything.stats.lost >= 3 * Self.noise, "\(everything.stats)")
  }

  /// Runs the capture around one load; returns its stats and how many events it printed.
  private func measure(port: Int, offload: Bool) throws -> (stats: Stats, printed: Int) {
    let filter = "net.dport = \(port)"
    let arguments = ["run", "--output", "json", "--stats", "--duration", "60", filter]
    let started = try Live.start(arguments + (offload ? [] : ["--no-offload"]))
    let process = started.process
    defer {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
      try? FileManager.default.removeItem(at: started.out)
      try? FileManager.default.removeItem(at: started.err)
    }
    let attached = LiveNetwork.waitUntil(seconds: 20) {
      HeldBPF(pid: Int(process.processIdentifier)).attached || !process.isRunning
    }
    #expect(attached && process.isRunning, "netfilter did not attach")
    let load = try Live.run(
      "/usr/bin/env",
      ["python3", LoadGenerator.path, String(Self.noise), String(Self.matching), String(port + 1), String(port)]
    )
    #expect(load.status == 0, "the load generator failed")
    Thread.sleep(forTimeInterval: 1)
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    let err = try String(contentsOf: started.err, encoding: .utf8)
    let last = try #require(err.split(separator: "\n").last, "no --stats line")
    let stats = try JSONDecoder().decode(Stats.self, from: Data(last.utf8))
    let printed = try String(contentsOf: started.out, encoding: .utf8).split(separator: "\n").count
    return (stats, printed)
  }
}

/// Benchmarks/udp-load.py in this checkout.
enum LoadGenerator {
  static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Benchmarks/udp-load.py").path
  static let exists = FileManager.default.fileExists(atPath: path)
}
