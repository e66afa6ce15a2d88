import Foundation
import NetFilterCLI
import Testing

@Suite struct CheckCommandTests {
  @Test func validFilterPrintsNormalizedFormLastAndExitsZero() {
    let result = runCLI(["check", "net.dport  IN (53,853) AND net.dip == 8.8.8.8"])
    #expect(result.status == 0)
    #expect(result.stdout.split(separator: "\n").last == "net.dport in (53, 853) and net.dip = 8.8.8.8")
    #expect(result.stderr.isEmpty)
  }

  @Test(arguments: [
    "net.sip.names matches ('*.domain.')",
    "net_packet_dns.data.src=8.8.8.8",
    "net_packet_tcp.data.dst_port=80",
  ])
  func seedExamplesCheckClean(expression: String) {
    let result = runCLI(["check", expression])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == expression + "\n")
  }

  @Test func errorsGoToStderrWithLineAndColumnAndExitOne() throws {
    let result = runCLI(["check", "ps.name = 'cmd.exe' aand net.dprot = 80"])
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    try expectGolden(result.stderr, "check-errors.swift.txt")
  }

  @Test func llvmStyleUnderlinesTheRange() throws {
    let result = runCLI(["check", "--diagnostic-style", "llvm", "net.dport = 'http' or net.dip = 'abc'"])
    #expect(result.status == 1)
    try expectGolden(result.stderr, "check-errors.llvm.txt")
  }

  @Test func jsonStyleHasStableIDsAndPositions() throws {
    let result = runCLI(["check", "--diagnostic-style", "json", "net.dprot = 80"])
    #expect(result.status == 1)
    try expectGolden(result.stderr, "check-errors.json")
  }

  @Test func colourOnlyOnATerminalUnlessForced() {
    let plain = runCLI(["check", "net.dprot = 1"], stderrIsTerminal: false)
    let auto = runCLI(["check", "net.dprot = 1"], stderrIsTerminal: true)
    let never = runCLI(["check", "--color", "never", "net.dprot = 1"], stderrIsTerminal: true)
    let always = runCLI(["check", "--color", "always", "net.dprot = 1"])
    #expect(!plain.stderr.contains("\u{1B}["))
    #expect(auto.stderr.contains("\u{1B}["))
    #expect(!never.stderr.contains("\u{1B}["))
    #expect(always.stderr.contains("\u{1B}["))
  }

  @Test func astFlagPrintsTheTypedTree() {
    let result = runCLI(["check", "--ast", "net.dport = 80"])
    #expect(result.status == 0)
    #expect(result.stdout == "(= net.dport~uint16 80~uint64)\nnet.dport = 80\n")
  }

  @Test func warningsDoNotFailTheCheck() {
    let result = runCLI(["check", "true"])
    #expect(result.status == 0)
    #expect(result.stderr.contains("warning: filter is always true"))
  }

  @Test(arguments: [
    ["check"],
    ["check", "--diagnostic-style", "fancy", "a"],
    ["check", "--bogus", "net.dport = 1"],
    ["frobnicate"],
    ["check", "--file", "x.nf", "net.dport = 1"],
  ])
  func usageErrorsExit64(arguments: [String]) {
    let result = runCLI(arguments)
    #expect(result.status == 64, "\(arguments): \(result.stderr)")
    #expect(result.stderr.contains("Error:") || result.stderr.contains("error:"))
  }

  @Test func unreadableFileIsAUsageErrorThatSaysWhy() {
    let result = runCLI(["check", "--file", "/nonexistent/filter.nf"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("Cannot read '/nonexistent/filter.nf': No such file or directory."))
    let directory = runCLI(["check", "--file", "/tmp"])
    #expect(directory.status == 64 && directory.stderr.contains("Cannot read '/tmp': Is a directory."))
    // An endless file is refused at the bound instead of filling memory.
    let endless = runCLI(["check", "--file", "/dev/zero"])
    #expect(endless.status == 64 && endless.stderr.contains("Cannot read '/dev/zero': larger than 1024 KiB."))
  }

  @Test func helpTextsAreStable() throws {
    try expectGolden(NetFilterCommand.helpMessage(columns: 100), "help.txt")
    try expectGolden(NetFilterCommand.helpMessage(for: CheckCommand.self, columns: 100), "check-help.txt")
    try expectGolden(NetFilterCommand.helpMessage(for: RunCommand.self, columns: 100), "run-help.txt")
  }

  @Test func fiveThousandNestedParenthesesAreACleanError() {
    let source = String(repeating: "(", count: 5000) + "net.dport = 1" + String(repeating: ")", count: 5000)
    let result = runCLI(["check", source])
    #expect(result.status == 1)
    #expect(result.stderr.contains("nested more than 256 levels"))
  }
}

@Suite struct BinaryTests {
  @Test func executableReadsTheFilterFromStandardInput() throws {
    let result = try runBinary(["check", "--file", "-"], stdin: "net.dport in (80,443)\n")
    #expect(result.status == 0)
    #expect(result.stdout == "net.dport in (80, 443)\n")
  }

  @Test func executableExitCodes() throws {
    #expect(try runBinary(["check", "net.dport = 80"]).status == 0)
    #expect(try runBinary(["check", "net.dport = 'x'"]).status == 1)
    #expect(try runBinary(["check"]).status == 64)
    let help = try runBinary(["--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("USAGE: netfilter <subcommand>"))
  }
}

@Suite struct EmbedExampleTests {
  @Test func embeddingExampleEvaluatesItsOwnEventType() throws {
    let result = try runBinary(
      ["net.dip in (10.0.0.0/8, 2001:db8::/32) or net.dip.names matches ('*.google.')"],
      executable: "embed-example"
    )
    #expect(result.status == 0)
    #expect(result.stdout == "curl[4243] -> 10.1.2.3:8080\nsshd[77] -> 2001:db8::7:22\nwget[900] -> 8.8.8.8:53\n")
    let failing = try runBinary(["net.dprot = 1"], executable: "embed-example")
    #expect(failing.status == 1)
    #expect(failing.stdout.contains("did you mean 'net.dport'?"))
  }
}

@Suite struct ReplayExampleTests {
  /// The bundled capture in this repository.
  static let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples/captures/loopback-http-dns.pcap").path

  @Test(arguments: [
    "net.dport = 53", "net_packet_http_request", "net.size > 0", "ReplyDns and dns.answers contains '.'",
  ])
  func replayExampleAgreesWithRun(filter: String) throws {
    let example = try runBinary([Self.capture, filter], executable: "replay-example")
    #expect(example.status == 0, "\(example.stderr)")
    let run = try runBinary(["run", "--pcap", Self.capture, "--output", "json", filter])
    let lines = run.stdout.split(separator: "\n").count
    #expect(lines > 0)
    #expect(example.stdout.split(separator: "\n").last.map(String.init) == String(lines))
  }

  @Test func replayExampleReportsAFilterError() throws {
    let result = try runBinary([Self.capture, "net.dprot = 53"], executable: "replay-example")
    #expect(result.status == 1)
    #expect(result.stderr.contains("did you mean 'net.dport'?"))
  }
}
