import Testing

/// Compares two multi-line strings and, when they differ, records an issue with a line diff
/// (`-` expected, `+` actual) instead of two long strings.
public func assertStringsEqualWithDiff(
  _ actual: String,
  _ expected: String,
  _ message: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual != expected else { return }
  let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  let difference = actualLines.difference(from: expectedLines)
  var removed: [Int: String] = [:]
  var inserted: [Int: String] = [:]
  for change in difference {
    switch change {
    case .remove(let offset, let element, _): removed[offset] = element
    case .insert(let offset, let element, _): inserted[offset] = element
    }
  }
  var lines: [String] = []
  var expectedIndex = 0
  var actualIndex = 0
  while expectedIndex < expectedLines.count || actualIndex < actualLines.count {
    if let line = removed[expectedIndex], expectedIndex < expectedLines.count {
      lines.append("-" + line)
      expectedIndex += 1
    } else if let line = inserted[actualIndex], actualIndex < actualLines.count {
      lines.append("+" + line)
      actualIndex += 1
    } else {
      if actualIndex < actualLines.count { lines.append(" " + actualLines[actualIndex]) }
      expectedIndex += 1
      actualIndex += 1
    }
  }
  let header = message.isEmpty ? "Actual output (+) differed from expected output (-):" : message
  Issue.record(
    Comment(rawValue: header + "\n" + lines.joined(separator: "\n")),
    sourceLocation: sourceLocation
  )
}
