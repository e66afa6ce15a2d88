import Foundation
import NetFilter
import Testing

// The data-driven conformance suite: every line of Tests/ConformanceTests/Cases/*.nftest is one case.
//
//   # section: ports                           starts a section (shown in failures)
//   event: {"evt.name":"Send","net.dport":443} the event for the following cases (one JSON line)
//   net.dport = 443          # expect: true    the filter compiles and matches the event
//   net.dport in (80, 8080)  # expect: false   the filter compiles and does not match
//   net.dport = 'https'      # expect error: sema.cannotCompare
//                                              the filter must not compile; one error has this ID
//
// Any other line starting with `#` is a comment. The case directory is read at test time (found
// from this file's path); it is not a SwiftPM resource.

/// What a case expects.
enum ConformanceExpectation: Sendable, Equatable, CustomStringConvertible {
  case matches(Bool)
  case error(String)

  var description: String {
    switch self {
    case .matches(let value): "expect: \(value)"
    case .error(let id): "expect error: \(id)"
    }
  }
}

/// One line of a case file.
struct ConformanceCase: Sendable, CustomTestStringConvertible {
  /// The case file's name, such as `ports.nftest`.
  let file: String
  /// The 1-based line number.
  let line: Int
  /// The section the line is in.
  let section: String
  /// The filter text.
  let filter: String
  /// The event line in effect, if any.
  let event: String?
  /// What the case expects.
  let expectation: ConformanceExpectation

  var location: String { "\(file):\(line)" }

  var testDescription: String { "\(location) [\(section)] \(filter)  # \(expectation)" }
}

/// A line the case parser could not understand (reported as a failing test of its own).
struct MalformedCaseLine: Sendable, CustomTestStringConvertible {
  let location: String
  let text: String
  let reason: String

  var testDescription: String { "\(location): \(reason)" }
}

/// Reads the case files.
enum ConformanceCases {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Cases")

  /// Case-file names, sorted.
  static let files: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix(".nftest") }.sorted()
  }()

  /// Every case and every malformed line, in file order.
  static let parsed: (cases: [ConformanceCase], malformed: [MalformedCaseLine]) = {
    var cases: [ConformanceCase] = []
    var malformed: [MalformedCaseLine] = []
    for file in files {
      let text = (try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)) ?? ""
      let (fileCases, fileMalformed) = parse(text, file: file)
      cases += fileCases
      malformed += fileMalformed
    }
    return (cases, malformed)
  }()

  static var all: [ConformanceCase] { parsed.cases }

  /// Parses one file.
  static func parse(_ text: String, file: String) -> ([ConformanceCase], [MalformedCaseLine]) {
    var cases: [ConformanceCase] = []
    var malformed: [MalformedCaseLine] = []
    var section = "(none)"
    var event: String?
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = rawLine.trimmingCharacters(in: .whitespaces)
      let location = "\(file):\(index + 1)"
      if line.isEmpty { continue }
      if line.hasPrefix("#") {
        let comment = line.dropFirst().trimmingCharacters(in: .whitespaces)
        if comment.hasPrefix("section:") {
          section = comment.dropFirst("section:".count).trimmingCharacters(in: .whitespaces)
        } else if comment.hasPrefix("expect") {
          malformed.append(MalformedCaseLine(location: location, text: line, reason: "an expectation without a filter"))
        }
        continue
      }
      if line.hasPrefix("event:") {
        let json = line.dropFirst("event:".count).trimmingCharacters(in: .whitespaces)
        event = json
        do {
          _ = try JSONEvent(line: json, keys: [])
        } catch {
          malformed.append(MalformedCaseLine(location: location, text: line, reason: "the event is not JSON: \(error)"))
        }
        continue
      }
      // The expectation is the last `# expect` on the line (a filter may contain '#' in a string).
      guard let marker = line.range(of: "# expect", options: .backwards) else {
        malformed.append(MalformedCaseLine(location: location, text: line, reason: "a filter without '# expect: …'"))
        continue
      }
      let filter = line[..<marker.lowerBound].trimmingCharacters(in: .whitespaces)
      let rest = line[marker.upperBound...].trimmingCharacters(in: .whitespaces)
      let expectation: ConformanceExpectation
      if rest.hasPrefix("error:") {
        let id = rest.dropFirst("error:".count).trimmingCharacters(in: .whitespaces)
        guard id.contains("."), !id.contains(" ") else {
          malformed.append(MalformedCaseLine(location: location, text: line, reason: "bad diagnostic ID '\(id)'"))
          continue
        }
        expectation = .error(id)
      } else if rest == ": true" {
        expectation = .matches(true)
      } else if rest == ": false" {
        expectation = .matches(false)
      } else {
        let reason = "expected 'expect: true|false' or 'expect error: ID'"
        malformed.append(MalformedCaseLine(location: location, text: line, reason: reason))
        continue
      }
      if filter.isEmpty {
        malformed.append(MalformedCaseLine(location: location, text: line, reason: "an empty filter"))
        continue
      }
      if case .matches = expectation, event == nil {
        malformed.append(MalformedCaseLine(location: location, text: line, reason: "no 'event:' line before this case"))
        continue
      }
      cases.append(
        ConformanceCase(
          file: file,
          line: index + 1,
          section: section,
          filter: filter,
          event: event,
          expectation: expectation
        )
      )
    }
    return (cases, malformed)
  }
}

/// The outcome of running one filter on one event.
enum ConformanceOutcome: Equatable, CustomStringConvertible {
  case matched(Bool)
  case diagnostics([String])
  case failure(String)

  var description: String {
    switch self {
    case .matched(let value): "evaluated to \(value)"
    case .diagnostics(let ids): "did not compile: \(ids.joined(separator: ", "))"
    case .failure(let message): message
    }
  }
}

enum ConformanceRunner {
  /// Compiles `filter` and evaluates it on `event` (a JSON line).
  static func run(_ filter: String, on event: String?) -> (ConformanceOutcome, rendered: String) {
    let environment = Environment()
    let compiled: Filter
    do {
      compiled = try environment.compile(filter)
    } catch {
      let rendered = DiagnosticFormatter(style: .llvm).render(error.diagnostics, in: error.source)
      return (.diagnostics(error.diagnostics.filter { $0.severity == .error }.map(\.id.description)), rendered)
    }
    guard let event else { return (.failure("compiled, but the case has no event"), "") }
    do {
      let program = try compiled.program(for: JSONEvent.self)
      let decoded = try JSONEvent(line: event, keys: program.keys)
      return (.matched(program.matches(decoded)), "")
    } catch let error as PlanError {
      return (.failure("cannot plan: \(error.message)"), "")
    } catch {
      return (.failure("cannot decode the event: \(error)"), "")
    }
  }
}

@Suite struct ConformanceTests {
  @Test(arguments: ConformanceCases.all)
  func conformance(_ testCase: ConformanceCase) {
    let (outcome, rendered) = ConformanceRunner.run(testCase.filter, on: testCase.event)
    let context = """
      \(testCase.location) [\(testCase.section)]
        filter: \(testCase.filter)
        event:  \(testCase.event ?? "(none)")
        \(testCase.expectation), but the filter \(outcome)
      \(rendered)
      """
    switch testCase.expectation {
    case .matches(let expected):
      #expect(outcome == .matched(expected), "\(context)")
    case .error(let id):
      guard case .diagnostics(let ids) = outcome else {
        Issue.record("\(context)")
        return
      }
      #expect(ids.contains(id), "\(context)")
    }
  }

  @Test func everyCaseLineParses() {
    for line in ConformanceCases.parsed.malformed {
      Issue.record("\(line.location): \(line.reason)\n  \(line.text)")
    }
  }

  @Test func theSuiteIsLargeEnough() {
    #expect(ConformanceCases.files.count >= 5, "case files found in \(ConformanceCases.directory.path)")
    #expect(ConformanceCases.all.count >= 300, "only \(ConformanceCases.all.count) cases")
    for file in ConformanceCases.files {
      let count = ConformanceCases.all.count { $0.file == file }
      #expect(count >= 10, "\(file) has only \(count) cases")
    }
  }

  /// The seed's bar: over examples/events/tracee-seed.jsonl (4 vlc TCP packets, 4 DNS responses
  /// from 8.8.8.8, one of which answers 200.147.100.53), these filters select 4, 4 and 1 events.
  @Test(arguments: [
    ("net_packet_tcp.data.dst_port=80", 4),
    ("net_packet_dns.data.src=8.8.8.8", 4),
    ("net_packet_dns.data.proto_dns.answers.IP = '200.147.100.53'", 1),
  ])
  func traceeSeedMatchCounts(_ filter: String, _ expected: Int) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let text = try String(contentsOf: root.appendingPathComponent("examples/events/tracee-seed.jsonl"), encoding: .utf8)
    let lines = text.split(separator: "\n").map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
    #expect(lines.count == 8)
    let program = try Environment().compile(filter).program(for: JSONEvent.self)
    let matched = try lines.count { try program.matches(JSONEvent(line: $0, keys: program.keys)) }
    #expect(matched == expected, "\(filter)")
  }
}

/// The corpus on live event types (``LiveEventConformance``): socket events for the socket-event
/// lines, DNS query packets for the `QueryDns` lines, wherever the filter reads only what the line
/// gives.
@Suite struct LiveEventConformanceTests {
  @Test func theCorpusHoldsOnKernelSocketEventsAndPackets() throws {
    var compared = (socket: 0, packet: 0)
    for testCase in ConformanceCases.all {
      guard case .matches(let expected) = testCase.expectation, let line = testCase.event,
        let filter = try? Environment().compile(testCase.filter)
      else { continue }
      let context = "\(testCase.location) [\(testCase.section)] \(testCase.filter)\n  event: \(line)"
      if let program = try? filter.program(for: SocketEvent.self),
        let event = LiveEventConformance.socketEvent(line, reading: program.fields)
      {
        compared.socket += 1
        #expect(program.matches(event) == expected, "as a socket event: \(context)")
      }
      if let program = try? filter.program(for: LivePacketEvent.self),
        let event = LiveEventConformance.queryPacket(line, reading: program.fields)
      {
        compared.packet += 1
        #expect(program.matches(event) == expected, "as a DNS query packet: \(context)")
      }
    }
    #expect(compared.socket >= 300, "only \(compared.socket) cases compared on socket events")
    #expect(compared.packet >= 10, "only \(compared.packet) cases compared on packets")
  }
}
