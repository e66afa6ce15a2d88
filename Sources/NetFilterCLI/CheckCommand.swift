import ArgumentParser
import NetFilter

/// `netfilter check`: parse and type-check a filter without running it.
public struct CheckCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Parse and type-check a filter.",
    discussion: """
      On success, prints the normalized filter as the last line of standard output and exits 0.
      With --explain, first prints what the kernel tests and what is left to user space.
      On errors, prints diagnostics with line:column positions on standard error and exits 1.
      """
  )

  @OptionGroup var input: FilterInput
  @OptionGroup var macros: MacroOptions
  @OptionGroup var diagnostics: DiagnosticOptions

  @Flag(help: "Print the typed tree before the normalized filter.")
  var ast = false

  @Flag(
    help: """
      Print the kernel plan before the normalized filter: the clauses and map entries the kernel \
      tests, what stays in user space and why, and the residue user space decides.
      """
  )
  var explain = false

  public init() {}

  public func run() throws {
    let console = Console.current
    let formatter = diagnostics.formatter(for: console)
    let (text, name) = try input.read(formatter, console: console)
    let library = try macros.load(formatter, console: console)
    let outcome = Environment(resolver: library).check(text, name: name)
    let rendered = formatter.render(outcome.diagnostics, in: outcome.source)
    guard outcome.isValid, let checked = outcome.checked, let normalized = outcome.normalized else {
      console.err(rendered)
      throw ExitCode.failure
    }
    if !outcome.diagnostics.isEmpty { console.err(rendered) }
    if ast { console.out(TypedTree.print(checked) + "\n") }
    if explain {
      console.out(PlanExplanation.text(.lower([checked.kernelExpression]), sources: [normalized]))
      if let names = NameKernelFeed.explanation(for: checked, schema: .network) { console.out(names) }
    }
    console.out(normalized + "\n")
  }
}
