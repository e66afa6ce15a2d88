import Testing
import Yams

@testable import NetFilter

/// The hand-written scalar types of ``YAMLTags`` agree with Yams' default (regular-expression)
/// resolver on null, booleans, integers and floats; everything else is a string to both.
@Suite struct YAMLTagsTests {
  /// What the default resolver says, with the types netfilter does not distinguish folded into `str`.
  private func expected(_ text: String) -> Yams.Tag.Name {
    let name = Yams.Resolver.default.resolveTag(of: Node(text))
    return [.null, .bool, .int, .float].contains(name) ? name : .str
  }

  @Test(arguments: [
    "", "~", "null", "Null", "NULL", "nULL", "yes", "No", "ON", "off", "oN", "true", "False", "y", "0", "00", "07",
    "08", "09", "0o17", "0o", "0b101", "0b", "0b12", "0x1F", "0xg", "0x", "+12", "-0", "1_000", "1:30", "1:60",
    "190:20:30", "0:30", "1.5", "1.", ".5", "-.5", ".5e+3", ".5e3", "1e3", "1e", "6.8523015e+5", "1.2.3", "3.1.0",
    "190:20:30.15", "1:30.", ".inf", "-.Inf", "+.INF", ".nan", "-.nan", ".NaN", "1.0.0", "1_0.5_", "_1", "+",
    "-", ".", "8.8.8.8", "53", "dns.name", "2001-12-14", "<<", "=", "1e+", "0.", "0e0", "12e-3", "1:3a",
  ])
  func plainScalarsAgreeWithYams(_ text: String) {
    #expect(YAMLTags.plain(text) == expected(text), "\(text)")
  }

  @Test func randomScalarsAgreeWithYams() {
    let alphabet = Array("0123456789+-._:eExXbBoO~n")
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<20_000 {
      let length = Int.random(in: 0...7, using: &generator)
      let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
      #expect(YAMLTags.plain(text) == expected(text), "\(text)")
    }
  }

  @Test func quotedAndExplicitlyTaggedScalarsKeepTheirTags() throws {
    let root = try #require(try Yams.compose(yaml: "[53, '53', !!str 53, !!int '7', ~, 'null']", YAMLTags.resolver))
    guard case .sequence(let items) = root else { Issue.record("not a list"); return }
    #expect(items.map(YAMLTags.tag(of:)) == [.int, .str, .str, .int, .null, .str])
  }
}
