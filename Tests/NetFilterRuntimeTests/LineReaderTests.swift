import Foundation
import Testing

@testable import NetFilterRuntime

/// JSON-lines input is read line by line with bounded memory: a line over the limit is reported as
/// soon as the limit is passed, and skipped.
@Suite struct LineReaderTests {
  private func file(_ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// Each line read: its text, or its length when it is long (a failed expectation then prints a
  /// few words, not megabytes), or "too long".
  private func lines(_ path: String, chunkSize: Int) -> [String] {
    guard var reader = LineReader(path: path, chunkSize: chunkSize) else { return [] }
    defer { reader.close() }
    var all: [String] = []
    while let line = reader.next() {
      switch line {
      case .text(let bytes):
        all.append(bytes.count > 64 ? "\(bytes.count) bytes" : String(decoding: bytes, as: UTF8.self))
      case .tooLong: all.append("too long")
      }
    }
    return all
  }

  @Test(arguments: [1, 7, 4096])
  func linesAreSplitAtEveryReadSize(chunkSize: Int) throws {
    let path = try file(Array("\u{FEFF}one\r\n\ntwo\nthree".utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(lines(path, chunkSize: chunkSize) == ["one", "", "two", "three"])
  }

  @Test(arguments: [4096, 1 << 16])
  func aLineOverTheLimitIsSkippedAndTheOthersKept(chunkSize: Int) throws {
    let long = [UInt8](repeating: UInt8(ascii: "a"), count: LineReader.maxLineLength + 5)
    let path = try file(Array("first\r\n".utf8) + long + Array("\nthird\nlast".utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(lines(path, chunkSize: chunkSize) == ["first", "too long", "third", "last"])
    // Without a newline after it, the long line is the last.
    let unterminated = try file(Array("first\n".utf8) + long)
    defer { try? FileManager.default.removeItem(atPath: unterminated) }
    #expect(lines(unterminated, chunkSize: chunkSize) == ["first", "too long"])
  }

  @Test func aLineThatNeverEndsIsReportedOnceTheLimitIsPassed() throws {
    var reader = try #require(LineReader(path: "/dev/zero"))
    defer { reader.close() }
    #expect(reader.next() == .tooLong)
    #expect(reader.lineNumber == 1)
  }

  @Test func aLineEndingAtTheLimitIsKept() throws {
    let exact = [UInt8](repeating: UInt8(ascii: "b"), count: LineReader.maxLineLength)
    let path = try file(exact + [0x0A] + exact)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let kept = "\(LineReader.maxLineLength) bytes"
    #expect(lines(path, chunkSize: 1 << 16) == [kept, kept])
    #expect(lines(path, chunkSize: 4096) == [kept, kept])
  }
}
