import Foundation
import NetFilterCLI
import Testing

/// `netfilter repl` in batch mode, through the built executable.
@Suite struct ReplCLITests {
  static let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples/captures/loopback-http-dns.pcap").path

  @Test func helpTextIsStable() throws {
    try expectGolden(NetFilterCommand.helpMessage(for: ReplCommand.self, columns: 100), "repl-help.txt")
  }

  @Test func countEqualsRunAndNoEscapeBytes() throws {
    for filter in ["net.dport = 53", "net.l4.proto = 'UDP' or net.dport = 18080", "dns.name endswith '.'"] {
      let repl = try runBinary(["repl", "--pcap", Self.capture], stdin: filter + "\n")
      #expect(repl.status == 0, "\(repl.stderr)")
      #expect(!repl.stdout.utf8.contains(0x1B) && !repl.stderr.utf8.contains(0x1B))
      let run = try runBinary(["run", "--pcap", Self.capture, "--output", "json", filter])
      let lines = run.stdout.split(separator: "\n").count
      #expect(repl.stdout.contains("\n\(lines) of 64 events match\n"), "\(filter): \(repl.stdout)")
    }
  }

  @Test func jsonLinesCountsEqualRun() throws {
    let events = URL(fileURLWithPath: Self.capture).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("events/tracee-seed.jsonl").path
    for filter in [
      "net_packet_dns", "net_packet_dns.data.src=8.8.8.8", "evt.name = 'net_packet_tcp'", "ps.name = 'vlc'",
    ] {
      let repl = try runBinary(["repl", "--input", events], stdin: filter + "\n")
      let run = try runBinary(["run", "--input", events, "--output", "json", filter])
      let lines = run.stdout.split(separator: "\n").count
      #expect(repl.stdout.contains("\n\(lines) of 8 events match\n"), "\(filter): \(repl.stdout)")
    }
  }

  @Test func explainEqualsCheckExplain() throws {
    for filter in [
      "net.dport in (53, 853) and dns.name endswith '.example.'", "net.dip = 10.0.0.0/8 or ps.name = 'curl'",
    ] {
      let repl = try runBinary(["repl"], stdin: ":explain \(filter)\n")
      let check = try runBinary(["check", "--explain", filter])
      #expect(repl.status == 0)
      #expect(repl.stdout == check.stdout)
    }
  }

  @Test func anErrorLineIsCheckDiagnosticAndExitOne() throws {
    for filter in ["net.dprot = 53", "net.dport = 'http'", "net.dport in (53,"] {
      let repl = try runBinary(["repl"], stdin: filter + "\n")
      let check = try runBinary(["check", filter])
      #expect(repl.status == 1)
      #expect(repl.stderr == check.stderr, "\(filter)")
    }
  }

  @Test func savedMacrosAreWhatCheckMacrosReads() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("repl-save-\(UUID().uuidString).yml").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let input =
      ":let dns_ports = (53, 853)\n:let dns_out = net.dport in dns_ports and net.l4.proto = 'UDP'\n:save \(path)\n"
    let repl = try runBinary(["repl", "--pcap", Self.capture], stdin: input + "dns_out\n")
    #expect(repl.status == 0, "\(repl.stderr)")
    let check = try runBinary(["check", "--macros", path, "dns_out"])
    #expect(check.status == 0, "\(check.stderr)")
    let run = try runBinary(["run", "--macros", path, "--pcap", Self.capture, "--output", "json", "dns_out"])
    #expect(repl.stdout.contains("\n\(run.stdout.split(separator: "\n").count) of 64 events match\n"))
  }

  @Test func bailStopsAtTheFirstError() throws {
    let input = "net.dprot = 53\nnet.dport = 53\n"
    let all = try runBinary(["repl"], stdin: input)
    #expect(all.status == 1)
    #expect(all.stdout.contains("net.dport = 53\n(valid;"))
    let bail = try runBinary(["repl", "--bail"], stdin: input)
    #expect(bail.status == 1)
    #expect(bail.stdout.isEmpty)
  }

  @Test func goldenTranscript() throws {
    let input = """
      net.dport = 53
      :limit 3
      net.l4.proto = 'TCP' and
        net.dport in (53,
        18080)
      :more
      :why 1
      :values evt.name 4
      :fields net.s*
      :d net.l4.proto
      :let dns_ports = (53, 853)
      net.dport in dns_ports and not net.l4.proto = 'TCP'
      :output json
      :limit 1
      net.dport = 53 and net.l4.proto = 'UDP'
      :explain
      net.dprot = 53
      :nope
      :rules rules/
      :help why

      """
    let result = try runBinary(["repl", "--echo", "--pcap", Self.capture], stdin: input)
    #expect(result.status == 1)
    let hostName = ProcessInfo.processInfo.hostName
    let transcript = (result.stdout + "--- standard error ---\n" + result.stderr)
      .replacingOccurrences(of: "\"hostName\":\"\(hostName)\"", with: "\"hostName\":\"HOST\"")
      .replacingOccurrences(of: Self.capture, with: "examples/captures/loopback-http-dns.pcap")
    try expectGolden(transcript, "repl-transcript.txt")
  }

  @Test func editRunsTheEditorOnTheLastExpression() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("repl-edit-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = directory.appendingPathComponent("editor.sh")
    try "#!/bin/sh\nsed -i 's/53/18080/' \"$1\"\n".write(to: script, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
    let result = try runBinary(
      ["repl", "--pcap", Self.capture],
      stdin: "net.dport = 53\n:edit\n",
      environment: ["EDITOR": script.path]
    )
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("net.dport = 18080\n19 of 64 events match"))
  }
}
