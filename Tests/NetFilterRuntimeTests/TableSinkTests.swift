import NetFilter
import NetFilterTestSupport
import Testing

@Suite struct TableSinkTests {
  /// The rows `events` (flat JSON lines) make in a table.
  private func table(_ events: [String]) throws -> [String] {
    let collected = CollectedOutput()
    let sink = TableSink(output: collected.output())
    for line in events { try sink.write(try JSONEvent(line: line, keys: [])) }
    try sink.finish()
    return collected.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  }

  private func spaces(_ count: Int) -> String { String(repeating: " ", count: count) }

  /// Wide characters take two columns and combining marks none, so the next column starts at the
  /// same place on every row: padding counts display columns, not characters or bytes.
  @Test func columnsArePaddedByDisplayWidth() throws {
    let rows = try table([
      #"{"evt.name":"Send","ps.name":"curl","ps.pid":1,"net.sip":"10.0.0.1"}"#,
      #"{"evt.name":"Send","ps.name":"日本語","ps.pid":2,"net.sip":"10.0.0.2"}"#,
      #"{"evt.name":"Send","ps.name":"re\u0301sume\u0301","ps.pid":3,"net.sip":"10.0.0.3"}"#,
      #"{"evt.name":"Send","ps.name":"ｆｕｌｌ🙂","ps.pid":4,"net.sip":"10.0.0.4"}"#,
      #"{"evt.name":"Send","ps.name":"zero​width","ps.pid":5,"net.sip":"10.0.0.5"}"#,
    ])
    let event = "Send" + spaces(21)
    #expect(rows[1] == event + "curl" + spaces(13) + "1" + spaces(8) + "10.0.0.1")
    #expect(rows[2] == event + "日本語" + spaces(11) + "2" + spaces(8) + "10.0.0.2")
    #expect(rows[3] == event + "re\u{301}sume\u{301}" + spaces(11) + "3" + spaces(8) + "10.0.0.3")
    #expect(rows[4] == event + "ｆｕｌｌ🙂" + spaces(7) + "4" + spaces(8) + "10.0.0.4")
    #expect(rows[5] == event + "zero\u{200B}width" + spaces(8) + "5" + spaces(8) + "10.0.0.5")
  }

  /// A cell wider than its column (counted in display columns) pushes the rest of the row right by
  /// what it overflows, and control characters are escaped before they are measured.
  @Test func wideCellsPushTheRowAndEscapesAreMeasured() throws {
    let rows = try table([
      #"{"evt.name":"Send","ps.name":"漢字漢字漢字漢字漢字","ps.pid":7}"#,
      #"{"evt.name":"Send","ps.name":"a\u001bb","ps.pid":8}"#,
    ])
    #expect(rows[1] == "Send" + spaces(21) + "漢字漢字漢字漢字漢字" + " " + "7")
    #expect(rows[2] == "Send" + spaces(21) + #"a\u001bb"# + spaces(9) + "8")
  }
}
