import NetFilterSyntax
import Testing

@testable import NetFilterEval

@Suite struct GlobTests {
  struct Case: CustomStringConvertible, Sendable {
    var pattern: String
    var escaped: [Int] = []
    var text: String
    var caseInsensitive = false
    var matches: Bool
    var description: String { "\(pattern) ~ \(text)" }
  }

  @Test(arguments: [
    Case(pattern: "*.domain.", text: "a.b.domain.", matches: true),
    Case(pattern: "*.domain.", text: "domain.", matches: false),
    Case(pattern: "C:\\*\\lsass?.dmp", text: "C:\\Windows\\System32\\lsass2.dmp", matches: true),
    Case(pattern: "C:\\*\\LSASS?.dmp", text: "C:\\Windows\\System32\\lsass2.dmp", matches: false),
    Case(pattern: "C:\\*\\LSASS?.dmp", text: "C:\\Windows\\System32\\lsass2.dmp", caseInsensitive: true, matches: true),
    Case(pattern: "a?c", text: "aéc", matches: true),
    Case(pattern: "a*b*c", text: "aXXbYYbZZc", matches: true),
    Case(pattern: "a*b*c", text: "aXXbYYbZZ", matches: false),
    Case(pattern: "*", text: "", matches: true),
    Case(pattern: "", text: "", matches: true),
    Case(pattern: "", text: "x", matches: false),
    Case(pattern: "a*", escaped: [1], text: "a*", matches: true),
    Case(pattern: "a*", escaped: [1], text: "abc", matches: false),
    Case(pattern: "what?", escaped: [4], text: "whats", matches: false),
    Case(pattern: "ntdll.dll|KernelBase.dll|*", text: "ntdll.dll|KernelBase.dll|x", matches: true),
    Case(pattern: "*ÉCOLE*", text: "une école", caseInsensitive: true, matches: true),
    Case(pattern: "prefix*", text: "PREFIXed", caseInsensitive: true, matches: true),
    Case(pattern: "*SUFFIX", text: "has-suffix", caseInsensitive: true, matches: true),
  ])
  func globMatchesWholeStrings(_ test: Case) {
    let glob = Glob(StringLiteral(test.pattern, escapedWildcards: test.escaped), caseInsensitive: test.caseInsensitive)
    #expect(glob.matches(test.text) == test.matches)
  }

  @Test func pathologicalPatternsStayFast() {
    let glob = Glob(StringLiteral(String(repeating: "*a", count: 30) + "b"), caseInsensitive: false)
    let clock = ContinuousClock()
    let elapsed = clock.measure { #expect(!glob.matches(String(repeating: "a", count: 2000))) }
    #expect(elapsed < .seconds(2))
  }
}

@Suite struct TextTests {
  @Test func caseInsensitiveComparisonsHandleASCIIAndUnicode() {
    #expect(Text.equalsIgnoringCase("CURL", "curl"))
    #expect(!Text.equalsIgnoringCase("CURLS", "curl"))
    #expect(Text.equalsIgnoringCase("ÉCOLE", "école"))
    #expect(Text.contains("Hello World", Array("o w".utf8), folded: true))
    #expect(!Text.contains("Hello World", Array("o w".utf8), folded: false))
    #expect(Text.hasPrefix("www.example.com", Array("www.".utf8), folded: false))
    #expect(Text.hasSuffix("www.example.com", Array(".COM".lowercased().utf8), folded: true))
    #expect(!Text.hasSuffix("com", Array("a.com".utf8), folded: false))
  }

  @Test func fuzzyIsAnOrderedSubsequence() {
    #expect(Fuzzy("ser3ll", caseInsensitive: false, normalize: false).matches("C:\\Windows\\system32\\user32.dll"))
    #expect(!Fuzzy("llser", caseInsensitive: false, normalize: false).matches("user32.dll"))
    #expect(Fuzzy("ECOLE", caseInsensitive: true, normalize: true).matches("une école"))
    #expect(!Fuzzy("ecole", caseInsensitive: false, normalize: false).matches("école"))
  }
}

@Suite struct SetTests {
  @Test func addressSetsHandleExactCIDRsRangesAndMappedAddresses() {
    let set = AddressSet([
      .value(.ip(IPAddress("8.8.8.8")!)), .value(.cidr(CIDR("10.0.0.0/8")!)), .value(.cidr(CIDR("fd00::/8")!)),
      .range(.ip(IPAddress("192.168.1.10")!), .ip(IPAddress("192.168.1.20")!)),
    ])
    #expect(set.contains(IPAddress("8.8.8.8")!))
    #expect(set.contains(IPAddress("10.255.0.1")!))
    #expect(!set.contains(IPAddress("11.0.0.1")!))
    #expect(set.contains(IPAddress("fd12::1")!))
    #expect(!set.contains(IPAddress("fe80::1")!))
    #expect(set.contains(IPAddress("192.168.1.15")!))
    #expect(!set.contains(IPAddress("192.168.1.21")!))
  }

  @Test func numberSetsHandleValuesAndRanges() {
    let set = NumberSet([.value(.uint(443)), .range(.uint(8000), .uint(8999))])
    #expect(set.contains(UInt64(443)))
    #expect(set.contains(UInt64(8500)))
    #expect(!set.contains(UInt64(9000)))
    #expect(set.contains(8000.0))
    #expect(!set.contains(-1.0))
  }
}

@Suite struct FunctionHelperTests {
  @Test(arguments: [
    ("", "d41d8cd98f00b204e9800998ecf8427e"),
    ("abc", "900150983cd24fb0d6963f7d28e17f72"),
    ("The quick brown fox jumps over the lazy dog", "9e107d9d372bb6826bd81d3542a419d6"),
    (String(repeating: "a", count: 200), "887f30b43b2867f4a9accceee7d16e6c"),
  ])
  func md5MatchesKnownDigests(input: String, digest: String) {
    #expect(MD5.hex(Array(input.utf8)) == digest)
  }

  @Test func pathFunctionsFollowGo() {
    #expect(PathFunctions.base("/usr/bin/curl", keepExtension: true) == "curl")
    #expect(PathFunctions.base("/tmp/archive.tar.gz", keepExtension: false) == "archive.tar")
    #expect(PathFunctions.base("/", keepExtension: true) == "/")
    #expect(PathFunctions.dir("/usr/bin/curl") == "/usr/bin")
    #expect(PathFunctions.dir("curl") == ".")
    #expect(PathFunctions.ext("/a/b.txt", dot: true) == ".txt")
    #expect(PathFunctions.ext("/a/b.txt", dot: false) == "txt")
    #expect(PathFunctions.index(of: "b", in: "abcb", order: "first") == 1)
    #expect(PathFunctions.index(of: "b", in: "abcb", order: "last") == 3)
    #expect(PathFunctions.index(of: "xc", in: "abcb", order: "any") == 2)
    #expect(PathFunctions.index(of: "z", in: "abcb", order: "first") == -1)
    #expect(PathFunctions.substring("hello", 1, end: 3) == "el")
    #expect(PathFunctions.substring("hello", 3, end: 99) == "hello")
    #expect(PathFunctions.entropy("aaaa") == 0)
    #expect(PathFunctions.entropy("ab") == 2)
  }
}
