import Foundation

/// A progress line on standard error for long files, only on a terminal.
final class Progress: @unchecked Sendable {
  private let console: Console
  private let total: Int
  private var bytes = 24
  private var lastUpdate = Date()

  init(path: String, console: Console) {
    self.console = console
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    total = console.errIsTerminal ? size ?? 0 : 0
  }

  /// Counts one packet of `captured` bytes; redraws at most four times a second.
  func tick(packets: Int, bytes captured: Int) {
    guard total > 0 else { return }
    bytes += captured + 16
    guard packets % 4096 == 0, Date().timeIntervalSince(lastUpdate) > 0.25 else { return }
    lastUpdate = Date()
    let percent = min(100, bytes * 100 / total)
    let filled = percent / 5
    console.err(
      "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 20 - filled))] \(percent)% \(packets) packets"
    )
  }
}
