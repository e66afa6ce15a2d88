import Foundation
import NetFilter
import NetFilterRuntime
import NetFilterTestSupport
import Testing

/// Indexes never change what matches: a long `or` planned through a ``ConditionIndex`` selects
/// exactly the events its operands select one by one, and a rule set finds exactly what each
/// rule's condition selects, over random conditions and random events (missing fields, upper case,
/// non-ASCII text, IPv4-mapped addresses included).
@Suite struct IndexedConditionTests {
  @Test(arguments: [UInt64(1), 2, 3, 4])
  func longDisjunctionsMatchTheirOperands(seed: UInt64) throws {
    var random = Random(seed: seed)
    let events = try (0..<300).map { _ in try random.event() }
    for _ in 0..<20 {
      let operands = (0..<random.int(8...40)).map { _ in random.condition() }
      let whole: Program<JSONEvent> = try Environment().compile(operands.joined(separator: " or ")).program()
      let parts: [Program<JSONEvent>] = try operands.map { try Environment().compile($0).program() }
      for event in events {
        let json = try JSONEvent(line: event, keys: whole.keys)
        let alone = try parts.contains { $0.matches(try JSONEvent(line: event, keys: $0.keys)) }
        #expect(whole.matches(json) == alone, "\(operands.joined(separator: " or ")) on \(event)")
      }
    }
  }

  @Test(arguments: [UInt64(5), 6])
  func ruleSetsFindWhatEachConditionSelects(seed: UInt64) throws {
    var random = Random(seed: seed)
    let events = try (0..<300).map { _ in try random.event() }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("indexed-\(UUID().uuidString).jsonl")
    try (events.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let conditions = (0..<200).map { _ in random.condition() }
    let rules = try conditions.enumerated().map { index, text in
      Rule(id: "\(index)", name: "\(index)", condition: try Environment().compile(text).checked)
    }
    let found = CollectedOutput()
    _ = try Pipeline(rules: rules, source: .jsonLines(path: file.path, strict: true))
      .run(into: found.sink(hostName: "h"))
    var expected = 0
    for text in conditions {
      let program: Program<JSONEvent> = try Environment().compile(text).program()
      expected += try events.count { program.matches(try JSONEvent(line: $0, keys: program.keys)) }
    }
    #expect(found.lines.count == expected)
  }
}

/// Random conditions over the fields the index files, and random flat JSON events.
private struct Random {
  var state: UInt64
  init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

  mutating func next() -> UInt64 {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return state
  }

  mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
  mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

  static let ports = [22, 53, 80, 443, 8080]
  static let addresses = ["10.0.0.1", "10.0.0.2", "192.168.1.7", "8.8.8.8", "10.1.2.3", "2001:db8::1", "2001:db9::7"]
  static let words = ["curl", "wget", "ssh", "evil", "Www", "exa", "école"]
  static let names = ["www.example.com.", "EVIL.example.org.", "api.evil.test.", "école.fr.", "x.exa.net."]

  mutating func condition() -> String {
    let port = pick(Self.ports)
    let address = pick(Self.addresses)
    let word = pick(Self.words)
    let choices = [
      "net.dport = \(port)", "net.sport in (\(port), \(pick(Self.ports)))", "net.dport in (1..100)",
      "net.dip = \(address)", "net.sip in (10.0.0.0/\(pick([0, 8, 16, 24, 32])))",
      "net.dip in (2001:db8::/\(pick([32, 64, 128])))", "ps.name = '\(word)'",
      "ps.name iin ('\(word)', 'SSH')", "ps.name ~= '\(word)'", "dns.name icontains '\(word)'",
      "dns.name iendswith '.\(pick(["com.", "TEST.", "org."]))'", "dns.name startswith '\(word)'",
      "dns.name contains 'ample'", "regex(dns.name, '^\(pick(["www", "api", "EVIL"]))[.]')",
      "evt.name = '\(pick(["Send", "Connect", "QueryDns"]))'", "net.dport != \(port)", "not ps.name = '\(word)'",
      "net.dport = \(port) and ps.name = '\(word)'", "dns.name matches '*.test.'",
      "cidr_contains(net.dip, '10.0.0.0/8')",
    ]
    return pick(choices)
  }

  mutating func event() throws -> String {
    var members: [String] = ["\"evt.name\":\"\(pick(["Send", "Connect", "QueryDns", "Recv"]))\""]
    if int(0...3) > 0 { members.append("\"net.dport\":\(pick(Self.ports + [7, 9000]))") }
    if int(0...3) > 0 { members.append("\"net.sport\":\(pick(Self.ports + [40000]))") }
    if int(0...3) > 0 {
      let address = pick(Self.addresses)
      let mapped = int(0...4) == 0 && !address.contains(":")
      members.append("\"net.dip\":\"\(mapped ? "::ffff:" + address : address)\"")
    }
    if int(0...3) > 0 { members.append("\"net.sip\":\"\(pick(Self.addresses))\"") }
    if int(0...2) > 0 { members.append("\"ps.name\":\"\(pick(Self.words + ["CURL", "SSH", "Evil"]))\"") }
    if int(0...2) > 0 { members.append("\"dns.name\":\"\(pick(Self.names))\"") }
    return "{" + members.joined(separator: ",") + "}"
  }
}
