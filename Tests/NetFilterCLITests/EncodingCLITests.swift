import Foundation
import Testing

/// Text that is not UTF-8, and text that starts with a byte order mark, wherever the CLI reads
/// text: filter arguments and files, JSON lines, macro and rule files.
@Suite struct EncodingCLITests {
  private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

  /// A temporary file holding `bytes`, removed when the test process ends.
  private func file(_ name: String, _ bytes: [UInt8]) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("encoding-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

  // MARK: Filters

  /// A filter file with a byte that is not UTF-8 is an error at that byte (line:column and byte
  /// offset), in every command that reads a filter, not a filter on U+FFFD.
  @Test func aFilterFileThatIsNotUTF8IsAnErrorAtTheByte() throws {
    let path = try file("bad.nf", bytes("ps.name = \"a") + [0xFF] + bytes("b\"\n"))
    let check = runCLI(["check", "--file", path])
    #expect(check.status == 1)
    #expect(check.stderr.hasPrefix("\(path):1:13: error: invalid UTF-8 byte 0xFF at offset 12\n"), "\(check.stderr)")
    let json = runCLI(["check", "--diagnostic-style", "json", "--file", path])
    #expect(json.stderr.contains(#""id":"syntax.invalidUTF8""#) && json.stderr.contains(#""offset":12"#))
    let run = runCLI(["run", "--input", "/dev/null", "--file", path])
    #expect(run.status == 1 && run.stderr.contains("\(path):1:13: error: invalid UTF-8 byte 0xFF at offset 12"))
  }

  /// The same for a filter given as an argument: the process's own bytes are checked (Swift's
  /// arguments have U+FFFD in their place), so this runs the executable through a shell.
  @Test func aFilterArgumentThatIsNotUTF8IsAnErrorAtTheByte() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", #"exec "$0" check "$(printf 'net.dport = 1 or ps.name = \342\202')""#]
    process.arguments?.append(builtExecutable().path)
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = Pipe()
    try process.run()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 1)
    #expect(stderr.hasPrefix("<expr>:1:28: error: invalid UTF-8 byte 0xE2 at offset 27\n"), "\(stderr)")
    // U+FFFD typed as itself is a character like any other.
    #expect(runCLI(["check", "ps.name = '\u{FFFD}'"]).status == 0)
  }

  /// An error on line 1 is reported at the same column (and the same excerpt) with or without a
  /// byte order mark before the filter.
  @Test func aByteOrderMarkIsNotCountedInFilterColumns() throws {
    let text = bytes("net.dport = = 1\n")
    let plain = try file("plain.nf", text)
    let marked = try file("marked.nf", Self.bom + text)
    for style in ["swift", "llvm"] {
      let expected = runCLI(["check", "--diagnostic-style", style, "--file", plain]).stderr
      let actual = runCLI(["check", "--diagnostic-style", style, "--file", marked]).stderr
      #expect(expected.contains("\(plain):1:13: error: expected field"))
      #expect(actual == expected.replacingOccurrences(of: plain, with: marked))
    }
    let json = runCLI(["check", "--diagnostic-style", "json", "--file", marked]).stderr
    // Offsets stay the file's bytes; columns do not count the mark.
    #expect(json.contains(#""line":1,"column":13,"endLine":1,"endColumn":13,"offset":15"#), "\(json)")
  }

  /// A header value read from a file (`--header 'Name: @FILE'`) is refused when the file is not
  /// UTF-8, instead of sending U+FFFD.
  @Test func aHeaderFileThatIsNotUTF8IsRefused() throws {
    let path = try file("token", bytes("Bearer a") + [0xFF] + bytes("b\n"))
    let result = runCLI([
      "run", "--input", "/dev/null", "--output-http", "http://127.0.0.1:9/", "--header", "X-Token: @\(path)",
      "net.dport = 1",
    ])
    #expect(result.status == 64)
    #expect(result.stderr.contains("cannot read the value of header 'X-Token' from '\(path)'"), "\(result.stderr)")
  }

  // MARK: JSON lines

  /// A JSON line with a byte that is not UTF-8 in a string is malformed, reported at the byte;
  /// the lines around it are read. A byte order mark before line 1 is not part of it.
  @Test func aJSONLineThatIsNotUTF8IsMalformedAtTheByte() throws {
    let lines =
      Self.bom + bytes(#"{"evt.name":"Send","net.dport":80}"# + "\n")
      + bytes(#"{"evt.name":"Send","ps.name":"a"#) + [0xFF] + bytes(#"b","net.dport":81}"# + "\n")
      + bytes(#"{"evt.name":"Send","ps.name":"é","net.dport":82}"# + "\n")
    let path = try file("events.jsonl", lines)
    let result = runCLI(["run", "--input", path, "--output", "json", "--stats", "net.dport > 0"])
    #expect(result.status == 0)
    #expect(result.stderr.contains("\(path):2:32: error: malformed event: invalid UTF-8 byte 0xFF in a string"))
    #expect(result.stderr.hasSuffix(#"{"received":3,"matched":2,"lost":0,"malformed":1}"# + "\n"), "\(result.stderr)")
    #expect(result.stdout.contains(#""value":80"#) && result.stdout.contains(#""processName":"é""#))
    let strict = runCLI(["run", "--strict", "--input", path, "--output", "json", "net.dport > 0"])
    #expect(strict.status == 1 && strict.stderr.contains("\(path):2:32: error: malformed event: invalid UTF-8"))
  }

  /// A malformed line 1 is reported at the same column with or without a byte order mark.
  @Test func aByteOrderMarkIsNotCountedInJSONLineColumns() throws {
    let line = bytes(#"{"evt.name":x}"# + "\n")
    let plain = try file("plain.jsonl", line)
    let marked = try file("marked.jsonl", Self.bom + line)
    for path in [plain, marked] {
      let result = runCLI(["run", "--input", path, "net.dport > 0"])
      #expect(
        result.stderr.contains("\(path):1:13: error: malformed event: unexpected character 'x'"),
        "\(result.stderr)"
      )
    }
  }

  // MARK: Macro and rule files

  /// A macro file with a byte that is not UTF-8 is an error at the byte, not a macro on U+FFFD.
  @Test func aMacroFileThatIsNotUTF8IsAnErrorAtTheByte() throws {
    let path = try file("macros.yml", bytes("- macro: web\n  expr: ps.name = \"a") + [0xFF] + bytes("b\"\n"))
    let result = runCLI(["check", "--macros", path, "web"])
    #expect(result.status == 1)
    #expect(
      result.stderr.hasPrefix("\(path):2:21: error: invalid YAML: invalid UTF-8 byte 0xFF at offset 33\n"),
      "\(result.stderr)"
    )
  }

  /// A macro file may start with a byte order mark: it loads, and columns on line 1 do not count it.
  @Test func aMacroFileMayStartWithAByteOrderMark() throws {
    let good = try file("good.yml", Self.bom + bytes("- macro: web\n  expr: net.dport in (80, 443)\n"))
    #expect(runCLI(["check", "--macros", good, "web"]).status == 0)
    let text = bytes("- macro: bad name\n  expr: net.dport = 1\n")
    for path in [try file("plain.yml", text), try file("marked.yml", Self.bom + text)] {
      let result = runCLI(["check", "--macros", path, "net.dport = 1"])
      #expect(result.stderr.hasPrefix("\(path):1:10: error: invalid macro name 'bad name'"), "\(result.stderr)")
      #expect(result.stderr.contains("1 | - macro: bad name\n  |          `- error"))
    }
  }

  /// The same for rule files.
  @Test func ruleFilesAreUTF8AndMayStartWithAByteOrderMark() throws {
    let rule = "name: r\nid: r1\nversion: 1.0.0\nmin-engine-version: 3.0.0\ncondition: evt.name = 'Send'\n"
    let bad = try file("bad.yml", bytes(rule.replacingOccurrences(of: "Send'\n", with: "S")) + [0xFF] + bytes("end'\n"))
    let invalid = runCLI(["rules", "validate", bad])
    #expect(invalid.status == 1)
    #expect(invalid.stderr.hasPrefix("\(bad):5:25: error: invalid YAML: invalid UTF-8 byte 0xFF at offset 80\n"))
    #expect(runCLI(["rules", "validate", try file("good.yml", Self.bom + bytes(rule))]).status == 0)
    let flow = bytes("{name: r, id: r1, version: 1.0.0, min-engine-version: 3.0.0, condition: evt.name = = 1}\n")
    for path in [try file("plain.yml", flow), try file("marked.yml", Self.bom + flow)] {
      let result = runCLI(["rules", "validate", path])
      #expect(result.stderr.hasPrefix("\(path):1:84: error: expected field"), "\(result.stderr)")
    }
  }
}
