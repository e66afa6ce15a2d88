import NetFilterDiagnostics
import NetFilterSema
import NetFilterTestSupport
import Testing

@Suite struct TraceeCheckTests {
  static let valid: [CheckCase] = [
    // The seed examples.
    CheckCase(
      "net_packet_dns.data.src=8.8.8.8",
      "(and (event net_packet_dns) (= net_packet_dns.data.src~ip 8.8.8.8~ip))"
    ),
    CheckCase(
      "net_packet_tcp.data.dst_port=80,443",
      "(and (event net_packet_tcp) (in net_packet_tcp.data.dst_port~uint16 (list 80 443)))"
    ),
    // `!=` means none of the values, within the event.
    CheckCase(
      "net_packet_dns.data.src!=8.8.8.8,1.1.1.1",
      "(and (event net_packet_dns) (not (in net_packet_dns.data.src~ip (list 8.8.8.8 1.1.1.1))))"
    ),
    CheckCase(
      "net_packet_dns.args.src=8.8.8.8",
      "(and (event net_packet_dns) (= net_packet_dns.data.src~ip 8.8.8.8~ip))"
    ),
    // Wildcards at either end make globs.
    CheckCase(
      "net_packet_dns_request.data.dns_questions.query=*.example.com",
      "(and (event net_packet_dns_request) (matches net_packet_dns_request.data.dns_questions.query~list of string '*.example.com'~string))"
    ),
    CheckCase(
      "net_packet_http_request.data.http_request.host=example.*,*.test",
      "(and (event net_packet_http_request) (or (matches net_packet_http_request.data.http_request.host~string 'example.*'~string) (matches net_packet_http_request.data.http_request.host~string '*.test'~string)))"
    ),
    CheckCase(
      "net_packet_dns.data.src=8.8.*",
      "(and (event net_packet_dns) (matches net_packet_dns.data.src~ip '8.8.*'~string))"
    ),
    // Nested struct paths, which Tracee itself cannot filter on.
    CheckCase(
      "net_packet_dns.data.proto_dns.answers.IP = '200.147.100.53'",
      "(and (event net_packet_dns) (= net_packet_dns.data.proto_dns.answers.IP~list of ip 200.147.100.53~ip))"
    ),
    CheckCase(
      "net_packet_tcp.data.proto_tcp.SYN=1",
      "(and (event net_packet_tcp) (= net_packet_tcp.data.proto_tcp.SYN~uint8 1~uint64))"
    ),
    CheckCase(
      "net_packet_tcp.args.proto_tcp.SYN=1 and net_packet_tcp.data.proto_tcp.ACK=0",
      "(and (and (event net_packet_tcp) (= net_packet_tcp.data.proto_tcp.SYN~uint8 1~uint64)) (and (event net_packet_tcp) (= net_packet_tcp.data.proto_tcp.ACK~uint8 0~uint64)))"
    ),
    CheckCase(
      "net_packet_http_response.data.http_response.headers[Location] contains 'x'",
      "(contains net_packet_http_response.data.http_response.headers[Location]~list of string 'x'~string)"
    ),
    // `=` makes it Tracee's form (scoped to the event); `contains` above is the ordinary grammar.
    CheckCase(
      "net_packet_http_response.data.http_response.headers['Content-Type'] = 'text/html'",
      "(and (event net_packet_http_response) (= net_packet_http_response.data.http_response.headers[Content-Type]~list of string 'text/html'~string))"
    ),
    CheckCase(
      "net_packet_tcp.data.dst_port>1024",
      "(and (event net_packet_tcp) (> net_packet_tcp.data.dst_port~uint16 1024~uint64))"
    ),
    CheckCase(
      "net_packet_http_request.data.http_request.method=GET",
      "(and (event net_packet_http_request) (= net_packet_http_request.data.http_request.method~string 'GET'~string))"
    ),
    // The ordinary grammar works on Tracee paths too.
    CheckCase("net_packet_tcp.data.dst_port in (80..90)", "(in net_packet_tcp.data.dst_port~uint16 (list 80..90))"),
  ]

  @Test(arguments: valid)
  func checksClean(_ c: CheckCase) {
    c.check()
  }

  static let invalid: [ErrorCase] = [
    ErrorCase(
      "net_packet_tcp.data.dst_port=1️⃣http",
      DiagnosticSpec(
        id: "sema.cannotCompare",
        message: "cannot apply '=' to 'net_packet_tcp.data.dst_port' (uint16) and value 'http'"
      )
    ),
    ErrorCase("net_packet_tcp.data.dst_port=80,1️⃣70000", DiagnosticSpec(id: "sema.integerOutOfRange")),
    ErrorCase("net_packet_dns.data.src=1️⃣abc", DiagnosticSpec(id: "sema.invalidIPAddress")),
    ErrorCase(
      "net_packet_tcp.data.dst_port=1️⃣*80",
      DiagnosticSpec(
        id: "sema.wildcardOnNonString",
        message: "wildcards need a string or address field, but 'net_packet_tcp.data.dst_port' is a number"
      )
    ),
    ErrorCase(
      "net_packet_dns.data.src=1️⃣*",
      DiagnosticSpec(id: "sema.invalidValue", notes: ["a wildcard needs some text beside it"])
    ),
    ErrorCase("net_packet_dns.data.src>1️⃣8.8.*", DiagnosticSpec(id: "sema.wildcardOnNonString")),
  ]

  @Test(arguments: invalid)
  func reportsErrors(_ c: ErrorCase) {
    c.check()
  }
}

@Suite struct SequenceCheckTests {
  static let valid: [CheckCase] = [
    CheckCase(
      "sequence maxspan 5s by ps.pid |evt.name = 'Connect' and net.dport = 445| |evt.name = 'Send'|",
      "(sequence (maxspan 5000000000ns) (by ps.pid~uint32) (step (and (= evt.name~string 'Connect'~string) (= net.dport~uint16 445~uint64))) (step (= evt.name~string 'Send'~string)))"
    ),
    CheckCase(
      "sequence maxspan 1m |evt.name = 'QueryDns'| as q |evt.name = 'Connect' and ps.pid = $q.ps.pid|",
      "(sequence (maxspan 60000000000ns) (step (= evt.name~string 'QueryDns'~string) (as q)) (step (and (= evt.name~string 'Connect'~string) (= ps.pid~uint32 $q.ps.pid~uint32))))"
    ),
    CheckCase(
      "sequence |Connect| by ps.uuid |Send| by ps.uuid",
      "(sequence (step (event Connect) (by ps.uuid~uint64)) (step (event Send) (by ps.uuid~uint64)))"
    ),
    // Exactly 4h and exactly 5 steps are allowed.
    CheckCase(
      "sequence maxspan 4h |Connect| |Send| |Recv| |Send| |Disconnect|",
      "(sequence (maxspan 14400000000000ns) (step (event Connect)) (step (event Send)) (step (event Recv)) (step (event Send)) (step (event Disconnect)))"
    ),
    // A Tracee filter inside a step.
    CheckCase(
      "sequence |net_packet_tcp.data.dst_port=80| |evt.name = 'Send'|",
      "(sequence (step (and (event net_packet_tcp) (= net_packet_tcp.data.dst_port~uint16 80~uint64))) (step (= evt.name~string 'Send'~string)))"
    ),
  ]

  @Test(arguments: valid)
  func checksClean(_ c: CheckCase) {
    c.check()
  }

  static let invalid: [ErrorCase] = [
    ErrorCase(
      "sequence maxspan 1️⃣5h |Connect| |Send|",
      DiagnosticSpec(id: "sema.maxSpanTooLong", message: "maximum span 5h cannot be greater than 4h")
    ),
    ErrorCase(
      "sequence maxspan 1️⃣40h |Connect| |Send|",
      DiagnosticSpec(id: "sema.maxSpanTooLong", message: "maximum span 40h cannot be greater than 4h")
    ),
    ErrorCase("sequence maxspan 1️⃣4h1ns |Connect| |Send|", DiagnosticSpec(id: "sema.maxSpanTooLong")),
    ErrorCase(
      "sequence |Connect| |Send| |Recv| |Send| |Recv| 1️⃣|Disconnect|",
      DiagnosticSpec(id: "sema.tooManySequenceSteps", message: "sequence has 6 steps; the limit is 5")
    ),
    ErrorCase(
      "sequence by ps.pid 1️⃣|Connect| by ps.pid |Send|",
      DiagnosticSpec(id: "sema.mixedSequenceJoins", message: "sequence mixes a global 'by' with per-step 'by'")
    ),
    ErrorCase(
      "sequence |Connect| by ps.pid 1️⃣|Send|",
      DiagnosticSpec(
        id: "sema.sequenceJoinsIncomplete",
        message: "when one sequence step has 'by', every step needs it"
      )
    ),
    ErrorCase(
      "sequence |Connect| as e1 |ps.name = 1️⃣$e2.ps.name|",
      DiagnosticSpec(id: "sema.boundVariableUnknown", message: "'$e2' does not name an earlier sequence step")
    ),
    ErrorCase(
      // An alias names an *earlier* step: not its own.
      "sequence |ps.name = 1️⃣$e1.ps.name| as e1 |Send|",
      DiagnosticSpec(id: "sema.boundVariableUnknown")
    ),
    ErrorCase("ps.name = 1️⃣$e1.ps.name", DiagnosticSpec(id: "sema.boundVariableUnknown")),
    ErrorCase(
      "sequence |Connect| as e1 1️⃣|Send| as e1",
      DiagnosticSpec(id: "sema.duplicateAlias", message: "alias 'e1' is already used by an earlier step")
    ),
    ErrorCase(
      "sequence |Connect| as e1 |ps.name = 1️⃣$e1|",
      DiagnosticSpec(
        id: "sema.unknownField",
        message: "unknown field '$e1'",
        notes: ["name a field of the step's event, such as $e1.ps.pid"]
      )
    ),
    ErrorCase(
      "sequence |Connect| as e1 |ps.name = $e1.1️⃣ps.nme|",
      DiagnosticSpec(id: "sema.unknownField", notes: ["did you mean 'ps.name'?"])
    ),
    ErrorCase(
      "sequence |Connect| as e1 |net.dport = 1️⃣$e1.ps.name|",
      DiagnosticSpec(
        id: "sema.cannotCompare",
        message: "cannot apply '=' to 'net.dport' (uint16) and '$e1.ps.name' (string)"
      )
    ),
    ErrorCase(
      "sequence by 1️⃣ps.pidd |Connect| |Send|",
      DiagnosticSpec(id: "sema.unknownField", notes: ["did you mean 'ps.pid'?"])
    ),
    ErrorCase(
      "sequence |Connect| |net.dport = 1️⃣'x'|",
      DiagnosticSpec(id: "sema.cannotCompare", notes: ["to compare the service name, use 'net.dport.name'"])
    ),
  ]

  @Test(arguments: invalid)
  func reportsErrors(_ c: ErrorCase) {
    c.check()
  }
}

@Suite struct EventNameAsValueTests {
  /// `evt.name = Send` names an event where a value belongs: the fix is quotes, and the fix-it adds
  /// them (it used to say "unknown field 'Send'" and suggest 'Send' itself).
  @Test func anEventNameWhereAValueBelongsSaysToQuoteIt() {
    assertCheck(
      "evt.name = 1️⃣Send",
      diagnostics: [
        DiagnosticSpec(
          id: "sema.eventNameAsValue",
          message: "'Send' is an event name, not a value: write it quoted",
          notes: ["did you mean 'Send'?"]
        )
      ]
    )
  }
}
