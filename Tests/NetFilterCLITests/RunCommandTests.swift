import Foundation
import NetFilter
import Testing

@testable import NetFilterCLI

/// The example rules.
private let rulesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("examples/rules/tracee-dns-signature.yml").path

/// The bundled loopback capture.
private let runCapture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("examples/captures/loopback-http-dns.pcap").path

/// The seed document's Tracee JSON lines, bundled in examples/events.
let seedEvents = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("examples/events/tracee-seed.jsonl").path

/// A temporary file holding `text`.
func temporaryFile(_ text: String) throws -> String {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("netfilter-\(UUID().uuidString).jsonl").path
  try text.write(toFile: path, atomically: true, encoding: .utf8)
  return path
}

@Suite struct RunCommandTests {
  struct SeedCase: CustomStringConvertible, Sendable {
    var filter: String
    var matches: Int
    var description: String { filter }
  }

  @Test(arguments: [
    SeedCase(filter: "net_packet_tcp.data.dst_port=80", matches: 4),
    SeedCase(filter: "net_packet_dns.data.src=8.8.8.8", matches: 4),
    SeedCase(filter: "net_packet_dns.data.proto_dns.answers.IP = '200.147.100.53'", matches: 1),
    SeedCase(filter: "net_packet_dns.data.src=8.8.8.8,1.1.1.1", matches: 4),
    SeedCase(filter: "net_packet_dns.data.src!=8.8.8.8", matches: 0),
    SeedCase(filter: "net_packet_tcp.data.dst_port=443", matches: 0),
    SeedCase(filter: "net_packet_dns.data.proto_dns.questions.name=*.zip.net", matches: 2),
    SeedCase(filter: "ps.name = 'vlc' and net.dport = 80 and net.dip = 70.42.73.30", matches: 4),
  ])
  func seedTraceeEventsMatchAsTraceeWould(_ seed: SeedCase) {
    let result = runCLI(["run", "--input", seedEvents, "--output", "json", seed.filter])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == seed.matches)
    for line in lines { #expect(line.hasPrefix("{\"timestamp\":")) }
  }

  @Test func flatEventsAreWrittenInTraceeShape() throws {
    let input = try temporaryFile(
      """
      {"evt.name":"Send","ps.name":"curl","ps.pid":42,"net.dip":"216.58.201.174","net.dport":443,"net.dip.names":["a.example."]}
      {"evt.name":"Recv","ps.name":"curl","ps.pid":42,"net.dip":"10.0.0.1","net.dport":80}

      """
    )
    let result = runCLI(["run", "--input", input, "--output", "json", "net.dip.names matches ('*.example.')"])
    #expect(result.status == 0)
    #expect(
      result.stdout
        == #"{"timestamp":0,"processId":42,"threadId":0,"processName":"curl","hostName":"","cgroupId":0,"containerId":"","eventId":"0","eventName":"Send","args":[{"name":"net.dip","type":"ip","value":"216.58.201.174"},{"name":"net.dport","type":"uint16","value":443},{"name":"net.dip.names","type":"list of string","value":["a.example."]}]}"#
        + "\n"
    )
  }

  @Test func malformedLinesAreReportedWithTheirNumberAndSkipped() throws {
    let input = try temporaryFile("{\"net.dport\":80}\n{\"net.dport\":\n[1,2]\n{\"net.dport\":80}\n")
    let result = runCLI(["run", "--input", input, "--output", "json", "--stats", "net.dport = 80"])
    #expect(result.status == 0)
    #expect(result.stdout.split(separator: "\n").count == 2)
    #expect(result.stderr.contains("\(input):2:14: error: malformed event: unexpected end of input; expected a value"))
    #expect(result.stderr.contains("\(input):3:1: error: malformed event: an event must be a JSON object"))
    #expect(result.stderr.hasSuffix("{\"received\":4,\"matched\":2,\"lost\":0,\"malformed\":2}\n"))
  }

  @Test func strictStopsAtTheFirstMalformedLine() throws {
    let input = try temporaryFile("{\"net.dport\":80}\nnot json\n{\"net.dport\":80}\n")
    let result = runCLI(["run", "--input", input, "--output", "json", "--strict", "net.dport = 80"])
    #expect(result.status == 1)
    #expect(result.stdout.split(separator: "\n").count == 1)
  }

  @Test func countStopsAfterNMatches() {
    let result = runCLI(["run", "--input", seedEvents, "--output", "json", "--count", "2", "net_packet_tcp"])
    #expect(result.status == 0)
    #expect(result.stdout.split(separator: "\n").count == 2)
  }

  @Test func tableOutputHasAHeaderAndOneRowPerMatch() {
    let result = runCLI(["run", "--input", seedEvents, "--output", "table", "net.sip = 8.8.8.8"])
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 5)
    #expect(lines[0].hasPrefix("EVENT"))
    #expect(lines[1].contains("systemd-resolve") && lines[1].contains("8.8.8.8:53"))
  }

  @Test func filterErrorsExitOneBeforeReadingInput() {
    let result = runCLI(["run", "--input", "/nonexistent", "net.dport = 'http'"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("error: cannot apply '='"))
  }

  @Test func missingInputIsAFailureThatSaysWhy() {
    let missing = runCLI(["run", "--input", "/nonexistent/events.jsonl", "net.dport = 1"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "error: cannot read '/nonexistent/events.jsonl': No such file or directory\n")
    #expect(runCLI(["run", "--count", "0", "--input", seedEvents, "net.dport = 1"]).status == 64)
  }

  /// A damaged capture: what was read before the damage is printed, then the error, then --stats
  /// as the last line, and exit 1 (tcpdump exits 1, tshark 2); a file that is no capture at all is
  /// a failure too, not a usage error.
  @Test func aDamagedCaptureFailsAfterPrintingWhatWasRead() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: runCapture))
    let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(getpid()).pcap")
    try bytes.prefix(3000).write(to: truncated)
    defer { try? FileManager.default.removeItem(at: truncated) }
    let result = runCLI(["run", "--pcap", truncated.path, "--output", "json", "--stats", "net_packet_tcp"])
    #expect(result.status == 1)
    #expect(!result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.first?.contains("the rest of the file cannot be read") == true, "\(result.stderr)")
    #expect(lines.last?.hasPrefix("{\"received\":") == true && lines.count == 2)
    let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(getpid()).pcap")
    try Data("not a capture".utf8).write(to: garbage)
    defer { try? FileManager.default.removeItem(at: garbage) }
    let corrupt = runCLI(["run", "--pcap", garbage.path, "net.dport = 1"])
    #expect(corrupt.status == 1 && !corrupt.stderr.contains("Usage:"), "\(corrupt.stderr)")
  }

  /// A field whose value is not of its type reads as missing, but never silently: the line is
  /// reported and counted (with --strict the run stops), and the value is not labelled with the type;
  /// a member given twice is a malformed line.
  /// A 64 MB line (once quadratic: 30 s and 325 MB) is one malformed line, skipped as it is read;
  /// the lines around it are still events.
  @Test func aLineLongerThanTheLimitIsSkippedAndReported() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("long-\(UUID().uuidString).jsonl").path
    var bytes = Array("{\"net.dport\":53}\n{\"ps.name\":\"".utf8)
    bytes += [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 20)
    bytes += Array("\"}\n{\"net.dport\":53}\n".utf8)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let started = ContinuousClock.now
    let result = runCLI(["run", "--input", path, "--output", "json", "--stats", "net.dport = 53"])
    #expect(ContinuousClock.now - started < .seconds(15), "a guard against the quadratic scan, not a speed figure")
    #expect(result.status == 0)
    #expect(result.stdout.split(separator: "\n").count == 2)
    #expect(result.stderr.contains("\(path):2:1: error: malformed event: the line is longer than 8 MiB; it is skipped"))
    #expect(result.stderr.contains("\"received\":3,\"matched\":2,\"lost\":0,\"malformed\":1"), "\(result.stderr)")
    let strict = runCLI(["run", "--input", path, "--strict", "net.dport = 53"])
    #expect(strict.status == 1)
  }

  /// A reader that closes the pipe early: the run stops with a message and exit status 1, not
  /// silently (SIGPIPE) and never 0.
  @Test func aClosedPipeEndsTheRunWithAMessage() throws {
    let input = try temporaryFile(String(repeating: "{\"net.dport\":53}\n", count: 200_000))
    defer { try? FileManager.default.removeItem(atPath: input) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    let script = #"set -o pipefail; "$0" run --input "$1" --output json 'net.dport = 53' | head -c 1 > /dev/null"#
    process.arguments = ["-c", script, builtExecutable().path, input]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 1)
    #expect(stderr.contains("cannot write to standard output: Broken pipe"), "\(stderr)")
  }

  @Test func wronglyTypedJSONValuesAreReportedNotHidden() throws {
    let lines = [
      #"{"evt.name":"Send","net.dport":"abc"}"#, #"{"evt.name":"Send","net.dport":65536}"#,
      #"{"evt.name":"Send","net.dport":-53}"#, #"{"evt.name":"Send","net.dport":null}"#,
      #"{"evt.name":"Send","net.dip":"1.2.3"}"#, #"{"evt.name":"Send","net.dport":53,"net.dport":54}"#,
      #"{"evt.name":"Send","net.dport":53}"#,
    ]
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("types-\(getpid()).jsonl")
    try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: input) }
    let result = runCLI(["run", "--input", input.path, "--output", "json", "--stats", "evt.name = 'Send'"])
    #expect(result.status == 0)
    let errors = result.stderr.split(separator: "\n").filter { $0.contains("error: malformed event") }
    #expect(errors.count == 6, "\(result.stderr)")
    #expect(errors.first?.hasSuffix(#"'net.dport' must be uint16, not "abc""#) == true)
    #expect(errors.last?.contains(":6:35: error: malformed event: member 'net.dport' appears twice") == true)
    #expect(result.stderr.hasSuffix("\"malformed\":6}\n"))
    #expect(result.stdout.contains(#"{"name":"net.dport","type":"unknown","value":"abc"}"#))
    #expect(result.stdout.contains(#"{"name":"net.dport","type":"uint16","value":53}"#))
    let strict = runCLI(["run", "--input", input.path, "--strict", "evt.name = 'Send'"])
    #expect(strict.status == 1 && strict.stderr.contains(":1:1: error: malformed event: 'net.dport' must be uint16"))
  }

  /// A regex() match that reaches PCRE2's match limit counts as no match, and the run says so: a
  /// warning once and `regex_limited` in --stats.
  @Test func regexMatchesCutByTheLimitAreReported() throws {
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("regex-\(getpid()).jsonl")
    let slow = #"{"evt.name":"QueryDns","dns.name":"\#(String(repeating: "a", count: 28))!"}"#
    let fast = #"{"evt.name":"QueryDns","dns.name":"aaa"}"#
    try ([slow, slow, fast].joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: input) }
    let result = runCLI(["run", "--input", input.path, "--output", "json", "--stats", "not regex(dns.name, '^(a+)+$')"])
    #expect(result.status == 0)
    #expect(result.stdout.split(separator: "\n").count == 2, "the two cut matches count as no match")
    // The count is the process's (tests in parallel may add theirs): at least these two.
    #expect(result.stderr.contains(" regex() matches reached PCRE2's match limit"), "\(result.stderr)")
    let stats = try #require(result.stderr.split(separator: "\n").last)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Int])
    #expect((object["regex_limited"] ?? 0) >= 2, "\(stats)")
  }

  /// A process name with escape sequences and a newline cannot write into the terminal or forge a
  /// row; an IPv6 endpoint keeps its port.
  @Test func theTableEscapesControlCharactersAndKeepsWholeEndpoints() throws {
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("escape-\(getpid()).jsonl")
    let line =
      #"{"evt.name":"Send","ps.name":"\u001b]0;PWN\u0007\u001b[2J\nX\u009b","net.dip":"2001:db8:1234:5678:9abc:def0:1234:5678","net.dport":65535}"#
    try (line + "\n").write(to: input, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: input) }
    let result = runCLI(["run", "--input", input.path, "--output", "table", "net.dport > 1"])
    #expect(result.status == 0)
    #expect(
      !result.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) }
    )
    #expect(result.stdout.split(separator: "\n").count == 2, "one header and one row: \(result.stdout)")
    #expect(result.stdout.contains(#"\u001b]0;PWN\u0007\u001b[2J\nX\u009b"#))
    #expect(result.stdout.contains("[2001:db8:1234:5678:9abc:def0:1234:5678]:65535"))
  }

  /// Packets --write could not save (a full disk) fail the run with the reason.
  @Test func writingToAFullDiskFails() {
    let result = runCLI(["run", "--pcap", runCapture, "--write", "/dev/full", "--output", "json", "net.dport = 53"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("error: cannot write '/dev/full': No space left on device"), "\(result.stderr)")
  }

  /// --write onto the --pcap input (the same path, a symbolic link or a hard link) is refused
  /// before anything is opened for writing.
  @Test func writingOntoTheInputIsRefused() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("write-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("in.pcap").path
    try FileManager.default.copyItem(atPath: runCapture, toPath: input)
    try FileManager.default.createSymbolicLink(
      atPath: directory.appendingPathComponent("link.pcap").path,
      withDestinationPath: input
    )
    try FileManager.default.linkItem(atPath: input, toPath: directory.appendingPathComponent("hard.pcap").path)
    for target in [
      input, directory.appendingPathComponent("link.pcap").path, directory.appendingPathComponent("hard.pcap").path,
    ] {
      let result = runCLI(["run", "--pcap", input, "--write", target, "net.dport = 53"])
      #expect(result.status == 64)
      #expect(result.stderr.contains("is the --pcap input"), "\(result.stderr)")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == Data(contentsOf: URL(fileURLWithPath: runCapture)))
  }

  @Test(arguments: [
    (["--no-offload", "--input", "x.jsonl"], "--no-offload applies to live capture."),
    (["--events", "Connect", "--pcap", "x.pcap"], "Unknown event 'Connect' in --events; use net_packet_ipv4,"),
    (["--events", "net_packet_tcp", "--input", "x.jsonl"], "--events applies to --pcap replay and live capture."),
    (["--events", "Connected"], "Unknown event 'Connected' in --events; use net_packet_ipv4,"),
    (["--write", "out.pcap"], "--write applies to --pcap replay."),
  ])
  func liveOnlyOptionsAreUsageErrorsElsewhere(arguments: [String], message: String) {
    let result = runCLI(["run"] + arguments + ["net.dport = 1"])
    #expect(result.status == 64)
    #expect(result.stderr.contains(message), "\(result.stderr)")
  }

  @Test func aFullDiskIsAnErrorNotATruncatedSuccess() throws {
    let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
    defer { try? full.close() }
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(getpid()).jsonl")
    try String(repeating: "{\"net.dport\":8080}\n", count: 100).write(to: input, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: input) }
    let result = try runBinary(["run", "--input", input.path, "--output", "json", "net.dport = 8080"], output: full)
    #expect(result.status == 1)
    #expect(result.stderr.contains("cannot write to standard output: No space left on device"), "\(result.stderr)")
  }

  /// check, rules list and the REPL also fail, with a message, when their output cannot be written.
  @Test(arguments: [
    ["check", "net.dport = 53"], ["rules", "list", "--json", rulesDirectory], ["check", "--explain", "net.dport = 53"],
  ])
  func everyCommandFailsOnAFullDisk(arguments: [String]) throws {
    let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
    defer { try? full.close() }
    let result = try runBinary(arguments, output: full)
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("error: cannot write to standard output: No space left on device"),
      "\(result.stderr)"
    )
  }

  @Test func standardInputWorksThroughTheBinary() throws {
    let result = try runBinary(
      ["run", "--input", "-", "--output", "json", "net.dport > 1000"],
      stdin: "{\"net.dport\":8080}\n{\"net.dport\":22}\n"
    )
    #expect(result.status == 0)
    #expect(result.stdout.split(separator: "\n").count == 1)
  }
}
