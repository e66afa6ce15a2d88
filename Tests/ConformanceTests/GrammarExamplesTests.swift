import Foundation
import NetFilter
import Testing

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// Every `(* example: … *)` line of Grammar/netfilter.ebnf.
let grammarExamples: [String] = {
  let url = repositoryRoot.appendingPathComponent("Grammar/netfilter.ebnf")
  let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
  return text.split(separator: "\n").compactMap { line in
    guard line.hasPrefix("(* example: "), line.hasSuffix(" *)") else { return nil }
    return String(line.dropFirst("(* example: ".count).dropLast(" *)".count))
  }
}()

/// Every file in examples/filters.
let exampleFilterFiles: [String] = {
  let directory = repositoryRoot.appendingPathComponent("examples/filters")
  let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
  return names.filter { $0.hasSuffix(".nf") }.sorted()
}()

@Suite struct GrammarExamplesTests {
  @Test func theGrammarHasExamples() {
    #expect(grammarExamples.count >= 15)
    #expect(exampleFilterFiles.count >= 10)
  }

  @Test(arguments: grammarExamples)
  func grammarExampleChecksClean(_ example: String) {
    let outcome = Environment().check(example)
    #expect(outcome.isValid, "\(DiagnosticFormatter(style: .llvm).render(outcome.diagnostics, in: outcome.source))")
    #expect(outcome.diagnostics.isEmpty)
  }

  @Test(arguments: exampleFilterFiles)
  func exampleFilterChecksClean(_ name: String) throws {
    let url = repositoryRoot.appendingPathComponent("examples/filters/\(name)")
    let text = try String(contentsOf: url, encoding: .utf8)
    let outcome = Environment().check(text, name: name)
    #expect(outcome.isValid, "\(DiagnosticFormatter(style: .llvm).render(outcome.diagnostics, in: outcome.source))")
    let normalized = try #require(outcome.normalized)
    #expect(Environment().check(normalized).normalized == normalized, "normalized form is stable")
  }

  @Test func precedenceTableMatchesTheParser() throws {
    let table = try String(contentsOf: repositoryRoot.appendingPathComponent("Grammar/precedence.md"), encoding: .utf8)
    for op in ComparisonOperator.allCases where op.info.precedence == Precedence.membership {
      #expect(table.contains("| \(Precedence.membership) |") && table.contains("`\(op.rawValue)`"))
    }
    #expect(table.contains("| \(Precedence.or) | `or`"))
    #expect(table.contains("| \(Precedence.and) | `and`"))
    #expect(table.contains("| \(Precedence.not) | prefix `not`"))
    #expect(table.contains("| \(Precedence.comparison) | `=`"))
  }
}
