import Foundation
import NetFilter
import NetFilterREPL
import Testing

/// The repository's bundled capture.
let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("examples/captures/loopback-http-dns.pcap").path

func loadedSession() -> Session {
  let session = Session()
  let reply = session.handle(":load \(capture)")
  #expect(!reply.failed, "\(reply.errors)")
  return session
}

/// The first number of a reply's "N of M events match" line.
func matchCount(_ reply: Reply) -> Int? {
  reply.output.split(separator: "\n").first { $0.contains(" events match") }
    .flatMap { Int($0.split(separator: " ")[0]) }
}

@Suite struct SessionTests {
  @Test func countsEqualThePipeline() throws {
    let session = loadedSession()
    let filters = [
      "net.dport = 53", "net.l4.proto = 'UDP'", "dns.name endswith '.'", "net_packet_http_request",
      "net.sport in (1..1024) or net.dport > 18000", "not net.dport = 18080",
    ]
    for text in filters {
      let filter = try Environment().compile(text)
      let counters = try filter.pipeline(over: .pcap(path: capture)).run(into: CountingSink())
      #expect(matchCount(session.handle(text)) == counters.matched, "\(text)")
    }
  }

  @Test func theKernelPlanPassesASupersetOfTheMatches() throws {
    let session = loadedSession()
    let sample = try #require(session.sample)
    for text in [
      "net.dport = 53", "net.dport = 53 and dns.name contains 'x'", "ps.name = 'curl'", "net.dip = 127.0.0.1",
    ] {
      let filter = try Environment().compile(text)
      guard case .expression(let expression) = filter.checked else { continue }
      let matches = sample.matching(expression)
      let split = KernelSplit.of(filter, over: sample, matched: matches)
      #expect(split.passed >= split.matched, "\(text): \(split)")
      #expect(split.total == 64)
    }
  }

  @Test func continuationJoinsLines() {
    let session = loadedSession()
    #expect(session.needsContinuation("net.dport in (53,"))
    #expect(session.needsContinuation("net.dport = 53 and"))
    #expect(session.needsContinuation("ps.name = 'ab"))
    #expect(session.needsContinuation(":explain net.dport in (53,"))
    #expect(!session.needsContinuation("net.dport = 53"))
    #expect(!session.needsContinuation("net.dprot = 53"))
    let joined = session.handle("net.dport in (53,\n853)")
    #expect(matchCount(joined) == matchCount(session.handle("net.dport in (53, 853)")))
  }

  @Test func oneFixItBecomesTheCorrection() {
    let reply = Session().handle("net.dprot = 53")
    #expect(reply.failed)
    #expect(reply.correction == "net.dport = 53")
    #expect(reply.errors.contains("unknown field 'net.dprot'"))
    #expect(Session().handle("net.dport = 'x' and").correction == nil)
  }

  @Test func statusWhileTyping() {
    let session = Session()
    #expect(session.status(of: "") == .empty)
    #expect(session.status(of: "net.d") == .incomplete)
    #expect(session.status(of: "net.dport in (53,") == .incomplete)
    #expect(session.status(of: "net.dprot") == .invalid("sema.unknownField"))
    #expect(session.status(of: "net.dport = 53") == .valid)
    #expect(session.status(of: ":load x") == .command)
    #expect(LineStatus.invalid("sema.unknownField").text(unicode: false) == "x sema.unknownField")
  }

  @Test func liveStatusCountsLikeEnter() {
    let session = loadedSession()
    for text in ["net.dport = 53", "net.l4.proto = 'UDP'", "net.dport > 1024"] {
      guard case .matching(let matched, of: 64) = session.liveStatus(of: text) else {
        Issue.record("\(text): no live count")
        continue
      }
      #expect(matched == matchCount(session.handle(text)))
    }
    #expect(session.liveStatus(of: "net.dprot") == .invalid("sema.unknownField"))
    #expect(Session().liveStatus(of: "net.dport = 53") == .valid)
  }

  @Test func whyNamesTheFailingConjunct() throws {
    let session = loadedSession()
    #expect(matchCount(session.handle("net.l4.proto = 'TCP' and net.dport = 53")) == 5)
    let why = session.handle(":why 1")
    #expect(why.output.contains("event 1 does not match"))
    #expect(why.output.contains("  true     net.l4.proto = 'TCP'"))
    #expect(why.output.contains("  false    net.dport = 53"))
    let missing = session.handle("net.dport = 53 or dns.name = 'x.'")
    #expect(!missing.failed)
    #expect(session.handle(":why 1").output.contains("  missing  dns.name = 'x.'"))
  }

  @Test func macrosDefinedAndSaved() throws {
    let session = loadedSession()
    #expect(!session.handle(":let dns_ports = (53, 853)").failed)
    #expect(!session.handle(":let dns_out = net.dport in dns_ports").failed)
    #expect(matchCount(session.handle("dns_out")) == matchCount(session.handle("net.dport in (53, 853)")))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("repl-macros-\(getpid()).yml").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(!session.handle(":save \(path)").failed)
    let (library, problems) = MacroLibrary.load(files: [path])
    #expect(problems.isEmpty)
    #expect(library.names == ["dns_ports", "dns_out"])
    let bad = session.handle(":let broken = net.dprot = 5")
    #expect(bad.failed)
    #expect(session.handle(":status").output.contains("dns_out = net.dport in dns_ports"))
  }

  @Test func everyCommandAndOperatorHasHelp() {
    for command in CommandParser.commands {
      let text = HelpText.text(command.name)
      #expect(text?.contains("example: :") == true, "\(command.name)")
    }
    for op in ComparisonOperator.allCases.map(\.rawValue) + ["and", "or", "not", "!="] {
      #expect(HelpText.text(op)?.contains("example: ") == true, "\(op)")
    }
    #expect(HelpText.text("nonsense") == nil)
  }

  @Test func badInputIsOneErrorLine() throws {
    let session = Session()
    let corrupt = FileManager.default.temporaryDirectory.appendingPathComponent("corrupt-\(getpid()).pcap").path
    defer { try? FileManager.default.removeItem(atPath: corrupt) }
    try Data([0xD4, 0xC3, 0xB2, 0xA1, 0x02, 0x00, 0x04, 0x00, 1, 2, 3]).write(to: URL(fileURLWithPath: corrupt))
    let inputs = [
      ":load /nonexistent/file.pcap", ":load \(corrupt)", ":frobnicate", ":event 1", ":values net.dport",
      ":why 3", ":d net.dprot", ":more", ":explain", ":rules rules/",
    ]
    for input in inputs {
      let reply = session.handle(input)
      #expect(reply.failed, "\(input)")
      #expect(reply.errors.hasPrefix("error: "), "\(input): \(reply.errors)")
      #expect(reply.errors.split(separator: "\n").count == 1, "\(input): \(reply.errors)")
    }
  }

  @Test func theSampleIsBounded() throws {
    var options = Session.Options()
    options.sampleLimit = 10
    let session = Session(options: options)
    let reply = session.handle(":load \(capture)")
    #expect(reply.output.hasSuffix("; the source has more: the sample keeps the first 10\n"))
    #expect(session.sample?.events.count == 10)
    #expect(session.sample?.truncated == true)
    #expect(session.handle("net.dport > 0").output.hasPrefix("10 of 10 events match"))
  }

  @Test func anEvaluationCanBeInterrupted() {
    var options = Session.Options()
    options.interrupted = { true }
    let session = Session(options: options)
    #expect(!session.handle(":load \(capture)").failed)
    let reply = session.handle("net.dport = 53")
    #expect(reply.errors == "error: interrupted after 0 of 64 events (0 matched)\n")
    #expect(reply.output.isEmpty)
  }

  @Test func discoveryCommands() {
    let session = Session()
    let events = session.handle(":events net_packet_dns")
    #expect(events.output.hasPrefix("net_packet_dns  packet event: "))
    #expect(events.output.contains("  net_packet_dns.data.src  ip [k]\n"))
    #expect(session.handle(":events Q*").output == "QueryDns  socket event: evt.*, ps.*, net.*, dns.*\n")
    let ast = session.handle(":ast net.dport = 53")
    #expect(ast.output.hasSuffix("\nnet.dport = 53\n"))
    #expect(session.handle(":d net_packet_dns.data.src").output.contains("Tracee: net_packet_dns.args.src"))
    #expect(session.handle(":fields nothing*").output == "no field matches 'nothing*'\n")
  }

  @Test func moreAndLimitPage() {
    let session = loadedSession()
    #expect(!session.handle(":limit 5").failed)
    let first = session.handle("net.dport = 18080")
    #expect(first.output.contains("… 14 more (:more)"))
    #expect(session.handle(":more").output.contains("… 9 more (:more)"))
    #expect(!session.handle(":output json").failed)
    let json = session.handle("net.dport = 53")
    #expect(json.output.split(separator: "\n").filter { $0.hasPrefix("{") }.count == 5)
  }
}

/// Counts what a pipeline writes.
final class CountingSink: EventSink {
  var count = 0
  func write<E: OutputEvent>(_ event: E) throws(OutputError) { count += 1 }
  func flush() throws(OutputError) {}
  func finish() throws(OutputError) {}
}

@Suite struct LineStatusTests {
  @Test func aFieldWithoutItsOperatorIsIncomplete() {
    let session = Session()
    #expect(session.status(of: "net.dport") == .incomplete)
    #expect(session.status(of: "net.dport = 53 and ps.name") == .incomplete)
    #expect(session.status(of: "net.dport = 'http'") == .invalid("sema.cannotCompare"))
  }
}

/// `:rules` and sequences over a sample: the findings `run --rules` gives on the same events.
@Suite struct SessionRuleTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test func rulesRunOverTheSample() {
    let session = Session()
    let events = Self.root.appendingPathComponent("examples/events/rules-demo.jsonl").path
    #expect(!session.handle(":load \(events)").failed)
    #expect(!session.handle(":macros \(Self.root.appendingPathComponent("examples/macros/network.yml").path)").failed)
    let reply = session.handle(":rules \(Self.root.appendingPathComponent("examples/rules").path)")
    #expect(!reply.failed, "\(reply.errors)")
    #expect(reply.output.hasPrefix("2 findings of 3 rules over 9 events\n"), "\(reply.output)")
    #expect(reply.output.contains("HIGH  Remote shell connects out: bash (4100) connected to 203.0.113.5:4444"))
    #expect(reply.output.contains("    1  Repeated connections to one endpoint"))
    let sequence = session.handle("sequence maxspan 5m by ps.pid |Connect| |Connect| |Connect|")
    #expect(sequence.output.hasPrefix("1 findings of 1 rules over 9 events\n"), "\(sequence.output)")
    let missing = session.handle(":rules /nonexistent/rules")
    #expect(missing.failed && missing.errors.contains("cannot read rule file or directory '/nonexistent/rules'"))
  }

  /// A macro file that is not UTF-8 is refused at its first bad byte, as on the command line.
  @Test func macroFilesThatAreNotUTF8AreRefused() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("macros-\(UUID().uuidString).yml")
    try Data(Array("- macro: web\n  expr: ps.name = \"a".utf8) + [0xFF] + Array("b\"\n".utf8)).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let session = Session()
    let reply = session.handle(":macros \(url.path)")
    #expect(reply.failed)
    #expect(reply.errors.contains("\(url.path):2:21: error: invalid YAML: invalid UTF-8 byte 0xFF at offset 33"))
    #expect(session.handle("web").failed)
  }
}
