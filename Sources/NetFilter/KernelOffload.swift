@_exported import NetFilterLowering
@_exported import NetFilterRuntime

extension Filter {
  /// The expression the kernel plan is lowered from (``CheckedFilter/kernelExpression``).
  public var kernelExpression: CheckedExpr { checked.kernelExpression }

  /// What the kernel can test of this filter: it passes every event the filter matches (user
  /// space then decides the rest).
  public var kernelPlan: KernelPlan { KernelPlan.lower([kernelExpression]) }
}

extension KernelPlan {
  /// Lowers several compiled filters into one plan; its result's bits say which of them may match.
  public static func lower(_ filters: [Filter], mergingAcrossFilters: Bool = false) -> KernelPlan {
    lower(filters.map(\.kernelExpression), mergingAcrossFilters: mergingAcrossFilters)
  }
}

extension Environment {
  /// Compiles the filters and explains their kernel plan (the text of `netfilter check --explain`):
  /// clauses, map entries, what stays in user space and the residue of each filter.
  public func explain(_ texts: [String]) throws(DiagnosticsError) -> String {
    var filters: [Filter] = []
    for text in texts { filters.append(try compile(text)) }
    return PlanExplanation.text(.lower(filters), sources: filters.map(\.canonicalSource))
  }
}
