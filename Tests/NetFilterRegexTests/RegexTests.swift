import NetFilterRegex
import Testing

@Suite("Regex")
struct RegexTests {
  @Test(
    "Unanchored search finds the pattern anywhere",
    arguments: [
      ("ab", "xaby", true),
      ("ab", "ba", false),
      ("^ab", "xab", false),
      ("ab$", "xab", true),
      ("^$", "", true),
      ("", "anything", true),
      ("a.c", "zzabczz", true),
      ("\\d{3}", "port 443", true),
      ("\\d{3}", "port 80", false),
      ("^(get|post) /", "post /login", true),
      ("[[:alpha:]]+\\.example\\.com$", "www.example.com", true),
      ("[[:alpha:]]+\\.example\\.com$", "www.example.com.evil", false),
    ]
  )
  func matchesUnanchored(pattern: String, subject: String, expected: Bool) throws {
    let regex = try Regex(pattern)
    #expect(regex.matches(subject) == expected)
    #expect(regex.pattern == pattern)
    #expect(regex.limitHits == 0)
  }

  @Test("Case sensitivity is off only when requested")
  func caseInsensitive() throws {
    #expect(try !Regex("evil").matches("EVIL.example"))
    #expect(try Regex("evil", caseInsensitive: true).matches("EVIL.example"))
    // Unicode case folding, not just ASCII.
    #expect(try Regex("straße", caseInsensitive: true).matches("STRASSE") == false)
    #expect(try Regex("ÉCOLE", caseInsensitive: true).matches("une école"))
    #expect(try Regex("σ", caseInsensitive: true).matches("Σ"))
  }

  @Test("Subjects and patterns are UTF-8, with Unicode-aware classes")
  func utf8() throws {
    #expect(try Regex("^.$").matches("é"))  // one character, two bytes
    #expect(try Regex("^.$").matches("🦊"))  // one character, four bytes
    #expect(try Regex("^\\w+$").matches("Zürich"))
    #expect(try Regex("日本").matches("こんにちは日本語"))
    #expect(try !Regex("^\\d$").matches("x"))
    #expect(try Regex("^\\d$").matches("٣"))  // Arabic-Indic digit three, via PCRE2_UCP
  }

  @Test("Byte sequences match like strings; invalid UTF-8 does not match")
  func bytes() throws {
    let regex = try Regex("ab")
    #expect(regex.matches(Array("xaby".utf8)))
    #expect(regex.matches("xaby".utf8))
    #expect(regex.matches([UInt8]()) == false)
    #expect(regex.matches([0x61, 0x62, 0xFF] as [UInt8]) == false)
    #expect(regex.matches(AnySequence([0x61, 0x62] as [UInt8])))  // not contiguous
    #expect(regex.limitHits == 0)
  }

  @Test(
    "Invalid patterns report PCRE2's message and where it stopped",
    arguments: [
      ("a(b", 3, "missing closing parenthesis"),
      ("[z-a]", 3, "range out of order in character class"),
      ("(?<n", 4, "syntax error in subpattern name (missing terminator?)"),
      ("\\", 1, "\\ at end of pattern"),
      ("*a", 0, "quantifier does not follow a repeatable item"),
      ("é(", 3, "missing closing parenthesis"),  // offsets count UTF-8 bytes
    ]
  )
  func invalidPatterns(pattern: String, offset: Int, message: String) {
    #expect(throws: RegexError(message: message, offset: offset)) {
      try Regex(pattern)
    }
    #expect(Regex.validate(pattern) == RegexError(message: message, offset: offset))
  }

  @Test("Error messages read like the rest of the diagnostics")
  func errorMessageShape() throws {
    for pattern in ["a(b", "[z-a]", "(?<n", "\\", "a{2,1}", "(?P<x>a)(?P<x>b)", "\\C"] {
      let error = try #require(Regex.validate(pattern))
      let first = try #require(error.message.first)
      #expect(!first.isUppercase, "\(error.message)")
      #expect(!error.message.hasSuffix("."), "\(error.message)")
      #expect((0...pattern.utf8.count).contains(error.offset))
      #expect(error.description == "\(error.message) at offset \(error.offset)")
    }
  }

  @Test("validate accepts valid patterns", arguments: ["ab", "", "^(a|b)+$", "(?i)x", "\\p{L}+"])
  func validateAccepts(pattern: String) {
    #expect(Regex.validate(pattern) == nil)
  }

  @Test("Catastrophic backtracking gives up, returns false and is counted")
  func catastrophicBacktracking() throws {
    let limits = RegexLimits(matchLimit: 1000, depthLimit: 1000)
    let regex = try Regex("(a+)+$", limits: limits)
    let subject = String(repeating: "a", count: 40) + "!"
    let clock = ContinuousClock()
    let elapsed = clock.measure {
      #expect(regex.matches(subject) == false)
      #expect(regex.matches(subject) == false)
    }
    #expect(elapsed < .seconds(2))
    #expect(regex.limitHits == 2)
    // An easy subject still matches under the same limits.
    #expect(regex.matches("aaa"))
    #expect(regex.limitHits == 2)
  }

  @Test("Default limits also stop catastrophic backtracking")
  func defaultLimits() throws {
    #expect(RegexLimits.default == RegexLimits(matchLimit: 100_000, depthLimit: 10_000))
    let regex = try Regex("^(\\w+\\s?)*$")
    let subject = String(repeating: "word ", count: 20) + "!"
    #expect(regex.matches(subject) == false)
    #expect(regex.limitHits == 1)
  }

  @Test("One Regex can be used from many tasks at once")
  func concurrentMatching() async throws {
    let regex = try Regex("^user-(\\d+)@example\\.(com|org)$", caseInsensitive: true)
    let results = await withTaskGroup(of: Bool.self, returning: [Bool].self) { group in
      for index in 0..<64 {
        group.addTask {
          var allCorrect = true
          for round in 0..<500 {
            let good = "USER-\(index * 1000 + round)@Example.org"
            let bad = "user-\(index)x@example.net"
            allCorrect = allCorrect && regex.matches(good) && !regex.matches(bad)
          }
          return allCorrect
        }
      }
      return await group.reduce(into: []) { $0.append($1) }
    }
    #expect(results.count == 64)
    #expect(results.allSatisfy { $0 })
    #expect(regex.limitHits == 0)
  }

  @Test("Limit hits are counted correctly under concurrency")
  func concurrentLimitHits() async throws {
    let regex = try Regex("(a+)+$", limits: RegexLimits(matchLimit: 1000, depthLimit: 1000))
    let subject = String(repeating: "a", count: 32) + "!"
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<8 {
        group.addTask { for _ in 0..<10 { _ = regex.matches(subject) } }
      }
    }
    #expect(regex.limitHits == 80)
  }
}
