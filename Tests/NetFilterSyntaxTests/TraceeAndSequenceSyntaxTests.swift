import NetFilterDiagnostics
import NetFilterTestSupport
import Testing

@testable import NetFilterSyntax

@Suite struct TraceeSyntaxTests {
  static let cases: [ParseCase] = [
    // Tracee's documented examples.
    ParseCase("net_packet_dns.data.src=8.8.8.8", "(tracee = net_packet_dns.data.src 8.8.8.8)"),
    ParseCase("net_packet_tcp.data.dst_port=80", "(tracee = net_packet_tcp.data.dst_port 80)"),
    // Comma-separated values mean OR.
    ParseCase("net_packet_tcp.data.dst_port=80,443", "(tracee = net_packet_tcp.data.dst_port 80 443)"),
    ParseCase("net_packet_tcp.data.dst_port!=80,443", "(tracee != net_packet_tcp.data.dst_port 80 443)"),
    ParseCase(
      "net_packet_tcp.data.dst_port<>80",
      "(tracee != net_packet_tcp.data.dst_port 80)",
      printed: "net_packet_tcp.data.dst_port!=80"
    ),
    ParseCase(
      "net_packet_tcp.data.dst_port==80",
      "(tracee = net_packet_tcp.data.dst_port 80)",
      printed: "net_packet_tcp.data.dst_port=80"
    ),
    ParseCase("net_packet_tcp.data.dst_port>1024", "(tracee > net_packet_tcp.data.dst_port 1024)"),
    // Wildcards stay in the bare word; the checker makes globs of them.
    ParseCase(
      "net_packet_dns_request.data.dns_questions.query=*.example.com",
      "(tracee = net_packet_dns_request.data.dns_questions.query *.example.com)"
    ),
    ParseCase(
      "net_packet_http_request.data.http_request.uri_path=/api/*",
      "(tracee = net_packet_http_request.data.http_request.uri_path /api/*)"
    ),
    // `.args.` is Tracee's alias of `.data.`; the parser keeps what was written.
    ParseCase("net_packet_dns.args.src=8.8.8.8", "(tracee = net_packet_dns.args.src 8.8.8.8)"),
    ParseCase("EVENT.args.ARG=x", "(tracee = EVENT.args.ARG x)"),
    // Nested paths, which Tracee itself cannot express.
    ParseCase("net_packet_tcp.data.proto_tcp.SYN=1", "(tracee = net_packet_tcp.data.proto_tcp.SYN 1)"),
    // Spaces around the operator are allowed (Tracee rejects them); the printer drops them.
    ParseCase(
      "net_packet_dns.data.src = 8.8.8.8",
      "(tracee = net_packet_dns.data.src 8.8.8.8)",
      printed: "net_packet_dns.data.src=8.8.8.8"
    ),
    // Quoted values too: the form stays scoped to its event even with one value.
    ParseCase(
      "net_packet_dns.data.proto_dns.answers.IP = '200.147.100.53'",
      "(tracee = net_packet_dns.data.proto_dns.answers.IP '200.147.100.53')",
      printed: "net_packet_dns.data.proto_dns.answers.IP='200.147.100.53'"
    ),
    ParseCase(
      "net_packet_dns.data.src='8.8.8.8','1.1.1.1'",
      "(tracee = net_packet_dns.data.src '8.8.8.8' '1.1.1.1')"
    ),
    // A value ends at whitespace, `)`, `&&`, `||` and `|`.
    ParseCase(
      "net_packet_dns.data.src=8.8.8.8 and net.dport = 53",
      "(and (tracee = net_packet_dns.data.src 8.8.8.8) (= net.dport 53))"
    ),
    ParseCase(
      "(net_packet_tcp.data.dst_port=80)&&ps.name = 'x'",
      "(and (tracee = net_packet_tcp.data.dst_port 80) (= ps.name 'x'))",
      printed: "net_packet_tcp.data.dst_port=80 and ps.name = 'x'"
    ),
    ParseCase(
      "net_packet_tcp.data.dst_port=80||net_packet_tcp.data.dst_port=443",
      "(or (tracee = net_packet_tcp.data.dst_port 80) (tracee = net_packet_tcp.data.dst_port 443))",
      printed: "net_packet_tcp.data.dst_port=80 or net_packet_tcp.data.dst_port=443"
    ),
    // Word operators keep the ordinary grammar.
    ParseCase("net_packet_tcp.data.dst_port in (80, 443)", "(in net_packet_tcp.data.dst_port (list 80 443))"),
    ParseCase(
      "net_packet_tcp.data.dst_port not in (80)",
      "(not in net_packet_tcp.data.dst_port (list 80))"
    ),
    // A list after the operator is not a Tracee value.
    ParseCase(
      "net_packet_dns.data.src=(8.8.8.8)",
      "(= net_packet_dns.data.src (list 8.8.8.8))",
      printed: "net_packet_dns.data.src = (8.8.8.8)"
    ),
  ]

  @Test(arguments: cases)
  func tracee(_ c: ParseCase) {
    assertParse(c.source, tree: c.tree, printed: c.printed ?? c.source, sourceLocation: c.sourceLocation)
  }

  @Test func missingValue() {
    assertParse(
      "net_packet_dns.data.src=1️⃣",
      diagnostics: [DiagnosticSpec(id: "syntax.unexpectedEndOfInput", contains: "expected field")]
    )
  }

  @Test func trailingComma() {
    assertParse(
      "net_packet_tcp.data.dst_port=80,1️⃣",
      diagnostics: [
        DiagnosticSpec(
          id: "syntax.unexpectedEndOfInput",
          message: "expected a value after the Tracee-style comparison"
        )
      ]
    )
  }

  @Test func onlyDataAndArgsPathsAreTracee() {
    // `ps.name=x` is the ordinary grammar: `x` is a field.
    assertParse("ps.name=x", tree: "(= ps.name x)", printed: "ps.name = x")
  }
}

@Suite struct SequenceSyntaxTests {
  static let cases: [ParseCase] = [
    ParseCase(
      "sequence maxspan 5s by ps.pid |evt.name = 'Connect'| |evt.name = 'Send'|",
      "(sequence (maxspan 5s) (by ps.pid) (step (= evt.name 'Connect')) (step (= evt.name 'Send')))"
    ),
    ParseCase(
      "SEQUENCE MAXSPAN 1h30m BY ps.pid, ps.exe |a| |b|",
      "(sequence (maxspan 1h30m) (by ps.pid ps.exe) (step a) (step b))",
      printed: "sequence maxspan 1h30m by ps.pid, ps.exe |a| |b|"
    ),
    ParseCase(
      "sequence |a = 1| by ps.pid |b = 2| by ps.pid, ps.uuid",
      "(sequence (step (= a 1) (by ps.pid)) (step (= b 2) (by ps.pid ps.uuid)))"
    ),
    ParseCase(
      "sequence |evt.name = 'QueryDns'| as q |ps.pid = $q.ps.pid|",
      "(sequence (step (= evt.name 'QueryDns') (as q)) (step (= ps.pid $q.ps.pid)))"
    ),
    // `||` between steps closes one and opens the next; inside a step it is `or`, and so is
    // `or` itself.
    ParseCase(
      "sequence |a||b|",
      "(sequence (step a) (step b))",
      printed: "sequence |a| |b|"
    ),
    ParseCase(
      "sequence |a or b| |(c || d)|",
      "(sequence (step (or a b)) (step (or c d)))",
      printed: "sequence |a or b| |c or d|"
    ),
    // Multi-line rules, as in Fibratus's rule files.
    ParseCase(
      "sequence\nmaxspan 2m\nby ps.uuid\n  |evt.name = 'Connect' and net.dport = 445|\n  |evt.name = 'Send'|",
      "(sequence (maxspan 2m) (by ps.uuid) (step (and (= evt.name 'Connect') (= net.dport 445))) (step (= evt.name 'Send')))",
      printed: "sequence maxspan 2m by ps.uuid |evt.name = 'Connect' and net.dport = 445| |evt.name = 'Send'|"
    ),
    // A Tracee value ends at the pipe that closes its step.
    ParseCase(
      "sequence |net_packet_tcp.data.dst_port=80| |evt.name = 'Send'|",
      "(sequence (step (tracee = net_packet_tcp.data.dst_port 80)) (step (= evt.name 'Send')))"
    ),
    ParseCase(
      "sequence |evt.name = 'Send'| |net_packet_tcp.data.dst_port=80,443|",
      "(sequence (step (= evt.name 'Send')) (step (tracee = net_packet_tcp.data.dst_port 80 443)))"
    ),
    // One step parses (Fibratus allows it too, despite its message); the checker has the limits.
    ParseCase("sequence |a|", "(sequence (step a))"),
  ]

  @Test(arguments: cases)
  func sequence(_ c: ParseCase) {
    assertParse(c.source, tree: c.tree, printed: c.printed ?? c.source, sourceLocation: c.sourceLocation)
  }

  @Test func missingDuration() {
    assertParse(
      "sequence maxspan 1️⃣|a| |b|",
      diagnostics: [
        DiagnosticSpec(id: "syntax.expectedDuration", message: "expected a duration such as '5s' after 'maxspan'")
      ]
    )
  }

  @Test func numberWithoutUnitIsOneError() {
    assertParse(
      "sequence maxspan 1️⃣5 |a| |b|",
      diagnostics: [DiagnosticSpec(id: "syntax.expectedDuration")]
    )
  }

  @Test func unclosedStep() {
    assertParse(
      "sequence |a = 1| |b = 21️⃣",
      diagnostics: [
        DiagnosticSpec(id: "syntax.unexpectedEndOfInput", message: "expected '|' to end the sequence step")
      ]
    )
  }

  @Test func noSteps() {
    assertParse(
      "sequence maxspan 5s1️⃣",
      diagnostics: [
        DiagnosticSpec(id: "syntax.unexpectedEndOfInput", message: "expected '|' to start a sequence step")
      ]
    )
  }

  @Test func byWithoutField() {
    assertParse(
      "sequence |a| by 1️⃣|b|",
      diagnostics: [DiagnosticSpec(id: "syntax.expectedFieldAfterBy", message: "expected field after 'by'")]
    )
  }

  @Test func asWithoutAlias() {
    assertParse(
      "sequence |a| as 1️⃣5 |b|",
      diagnostics: [
        DiagnosticSpec(id: "syntax.expectedIdentifierAfterAs", message: "expected an alias name after 'as'")
      ]
    )
  }

  @Test func sequenceIsNotAnExpression() {
    let result = Parser.parseExpression(SourceText("sequence |a| |b|"))
    #expect(result.diagnostics.map(\.id.description) == ["syntax.expectedExpression"])
  }
}
