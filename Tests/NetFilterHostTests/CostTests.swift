import Foundation
import Testing

@testable import NetFilterHost

/// What the live loop pays: a socket snapshot at capture start, a /proc read per new pid, a lookup per event.
/// The bounds are generous (debug build, shared machine); the measured times are printed.
@Suite("Costs of /proc work", .serialized)
struct CostTests {
  /// The best of `runs` timings of `body`, in seconds.
  private func best(runs: Int, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<runs {
      let start = ContinuousClock.now
      body()
      let elapsed = ContinuousClock.now - start
      best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return best
  }

  @Test("A full SocketOwners snapshot takes well under a second and finds its sockets")
  func snapshot() {
    var owners = SocketOwners.snapshot()
    let seconds = best(runs: 5) { owners = SocketOwners.snapshot() }
    let processes = ProcessScan.pids(procRoot: "/proc").count
    print("SocketOwners.snapshot: \(Int(seconds * 1e6)) µs, \(processes) processes, \(owners.socketCount) sockets")
    #expect(seconds < 1)
    #expect(owners.ownedCount <= owners.socketCount)
  }

  @Test("A ProcessTable miss reads /proc in well under 10 ms; a hit is far cheaper")
  func processMiss() throws {
    let table = ProcessTable()
    let miss = best(runs: 50) {
      table.forget(pid: Me.pid)
      _ = table.process(pid: Me.pid)
    }
    let hits = 10_000
    let kernel = KernelProcess(pid: Me.pid, name: try #require(table.process(pid: Me.pid)).name, uid: Me.uid)
    var found = 0
    let hit = best(runs: 3) {
      for _ in 0..<hits where table.process(pid: Me.pid, kernel: kernel).pid == Me.pid { found += 1 }
    }
    print("ProcessTable: miss \(Int(miss * 1e6)) µs, hit \(Int(hit / Double(hits) * 1e9)) ns")
    #expect(found == 3 * hits)
    #expect(miss < 0.01)
    #expect(hit / Double(hits) < miss / 10)
  }
}
