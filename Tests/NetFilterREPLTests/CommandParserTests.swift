import NetFilterREPL
import Testing

@Suite struct CommandParserTests {
  @Test func expressionsAreNotCommands() throws {
    #expect(try CommandParser.parse("  net.dport = 53 ") == .expression("net.dport = 53"))
    #expect(try CommandParser.parse(".5 = net.dport") == .expression(".5 = net.dport"))
  }

  @Test func commandsParseWithArguments() throws {
    #expect(try CommandParser.parse(":load a b.pcap") == .load("a b.pcap"))
    #expect(try CommandParser.parse(":values net.dport 3") == .values("net.dport", count: 3))
    #expect(try CommandParser.parse(":values net.dport") == .values("net.dport", count: 10))
    #expect(try CommandParser.parse(":let web = (80, 443)") == .define(name: "web", body: "(80, 443)"))
    #expect(try CommandParser.parse("\\d net.dport") == .describe("net.dport"))
    #expect(try CommandParser.parse(".output json") == .output(.json))
    #expect(try CommandParser.parse(":explain") == .explain(nil))
    #expect(try CommandParser.parse(":live") == .live(seconds: 5))
    #expect(try CommandParser.parse(":q") == .quit)
  }

  @Test func badCommandsAreOneLineErrors() {
    let cases: [(String, String)] = [
      (":lod x", "unknown command ':lod'; did you mean ':load'?"),
      (":load", ":load needs FILE"),
      (":event 0", ":event needs K, a positive number (not '0')"),
      (":limit x", ":limit needs N, a positive number (not 'x')"),
      (":output yaml", ":output takes table or json (not 'yaml')"),
      (":let = x", ":let: a macro name is letters, digits, '_' and '-' (not '')"),
      (":more now", ":more takes no argument"),
      (":", "expected a command name after ':' (:help lists them)"),
    ]
    for (input, message) in cases {
      #expect(throws: CommandError(message)) { try CommandParser.parse(input) }
      #expect(!message.contains("\n"))
    }
  }
}
