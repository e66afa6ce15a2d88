// package-benchmark suites for the netfilter front end (lexer, parser, checker).
//
//   Check/1KB-filter    parse + check of one realistic filter of about 1 KB
//   Check/1000-filters  parse + check of 1,000 distinct realistic filters per iteration
//   Parse/nested-256    parse of parentheses nested to the parser's 256-level limit
//
// Every input is checked once when the suite is registered, so a benchmark never measures the error path
// by accident.

import Benchmark
import NetFilter

let benchmarks: @Sendable () -> Void = {
  let configuration = Benchmark.Configuration(
    metrics: [.wallClock, .throughput, .mallocCountTotal],
    warmupIterations: 10,
    maxDuration: .seconds(5),
    maxIterations: 100_000
  )
  let environment = Environment()
  EvaluateSuite.register()
  PacketSuite.register()
  DecodeSuite.register()
  NameSuite.register()
  RuleSuite.register()
  OutputSuite.register()

  let large = Inputs.oneKilobyteFilter
  let outcome = environment.check(large)
  precondition(outcome.isValid, "Check/1KB-filter input is not valid: \(outcome.diagnostics)")
  Benchmark("Check/1KB-filter", configuration: configuration) { benchmark in
    for _ in benchmark.scaledIterations {
      blackHole(environment.check(large))
    }
  }

  let many = Inputs.distinctFilters(count: 1_000)
  precondition(Set(many).count == many.count, "Check/1000-filters inputs are not distinct")
  for filter in many {
    let outcome = environment.check(filter)
    precondition(outcome.isValid, "Check/1000-filters input is not valid: \(filter)\n\(outcome.diagnostics)")
  }
  Benchmark("Check/1000-filters", configuration: configuration) { benchmark in
    for _ in benchmark.scaledIterations {
      for filter in many {
        blackHole(environment.check(filter))
      }
    }
  }

  let nested = Inputs.deepestNesting(limits: environment.limits)
  Benchmark("Parse/nested-256", configuration: configuration) { benchmark in
    for _ in benchmark.scaledIterations {
      blackHole(Parser.parse(SourceText(nested), limits: environment.limits))
    }
  }
}

/// The benchmark inputs, built in code.
enum Inputs {
  /// One filter of about 1 KB, as a detection rule would be written: socket fields, process fields,
  /// DNS fields, lists of ports, port ranges and CIDRs, function calls and Tracee paths.
  static let oneKilobyteFilter = [
    "(evt.name in ('Connect', 'Send', 'Recv') and net.l4.proto = 'TCP' and net.direction = 'egress'",
    " and net.dport in (22, 23, 25, 53, 80, 443, 853, 3389, 5900, 8000..8999, 9000..9100)",
    " and net.dip not in (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8, fd00::/8, ::1)",
    " and not cidr_contains(net.sip, '100.64.0.0/10', '169.254.0.0/16')",
    " and (ps.name in ('curl', 'wget', 'nc', 'ncat', 'socat', 'python3') or lower(ps.exe) endswith '/tmp/x'",
    " or ps.cmdline icontains '--insecure' or ps.parent.name = 'sshd' or ps.envs[LD_PRELOAD] != '')",
    " and net.size >= 512 and ps.uid != 0)",
    " or (evt.name = 'ReplyDns' and dns.rcode = 'NXDOMAIN' and length(dns.name) > 40",
    " and dns.name imatches ('*.xyz.', '*.top.', '*.onion.') and entropy(dns.name) > 3",
    " and dns.options intersects ('RD', 'RA'))",
    " or (evt.name = 'QueryDns' and dns.rr in ('TXT', 'NULL', 'ANY')",
    " and net.dip.names not matches ('*.corp.example.'))",
    " or net_packet_dns.data.src=8.8.8.8,8.8.4.4,1.1.1.1",
    " or net_packet_tcp.data.dst_port=4444,1337",
    " or net_packet_http_request.data.http_request.method=POST",
    " and net_packet_http_request.data.http_request.host=*.pastebin.com",
  ].joined()

  /// `count` distinct filters of the kinds users write, between about 30 and 150 bytes each.
  static func distinctFilters(count: Int) -> [String] {
    (0..<count).map { i in
      let port = 1024 + (i * 37) % 60_000
      let a = i % 256
      let b = (i / 256) % 256
      switch i % 10 {
      case 0:
        return "net.dip = 10.\(b).\(a).1 and net.dport in (53, 853, \(port))"
      case 1:
        return "evt.name = 'Connect' and net.dport not in (\(port), \(port + 1)) and ps.name = 'proc\(i)'"
      case 2:
        return "evt.name = 'ReplyDns' and dns.name iendswith '.d\(i).example.' and dns.rcode = 'NXDOMAIN'"
      case 3:
        return "net.dip in (10.\(a).0.0/16, 192.168.\(b).0/24, fd\(String(a, radix: 16))::/16) and net.l4.proto = 'UDP'"
      case 4:
        return "net_packet_dns.data.src=172.16.\(b).\(a)"
      case 5:
        return "net_packet_tcp.data.dst_port=\(port),\(port + 2)"
      case 6:
        return "cidr_contains(net.dip, '10.\(a).0.0/16') and lower(ps.name) startswith 'svc\(i)'"
      case 7:
        return "sequence maxspan \(1 + i % 60)s by ps.pid |evt.name = 'QueryDns' and dns.name imatches '*.t\(i).'|"
          + " |evt.name = 'Connect' and net.dport = \(port)|"
      case 8:
        return "ps.cmdline icontains '--port=\(port)' or ps.envs[HOME] = '/home/u\(i)' and net.size > \(i)"
      default:
        return "(net.sport < 1024 or net.dport in (\(port)..\(port + 100))) and not (ps.uid = \(i))"
      }
    }
  }

  /// The most deeply parenthesized filter that `limits` accepts, with at most 256 parentheses.
  static func deepestNesting(limits: Limits) -> String {
    for depth in stride(from: 256, through: 1, by: -1) {
      let text = String(repeating: "(", count: depth) + "net.dport = 443" + String(repeating: ")", count: depth)
      let parsed = Parser.parse(SourceText(text), limits: limits)
      if parsed.syntax != nil && !parsed.diagnostics.containsErrors { return text }
    }
    preconditionFailure("no nesting depth parses")
  }
}
