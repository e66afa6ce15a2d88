import NetFilterRuntime

extension Alert {
  /// A rule's finding as an alert: its rule's name, id, tags and labels (sorted by name), the
  /// severity as Falco's priority (low → Notice, medium → Warning, high → Error, critical →
  /// Critical), the filled output template, and the template's fields with their types.
  public init(finding: Finding) {
    let fields = finding.outputFields.compactMap { field in AlertValue(field.value).map { (field.name, $0) } }
    let keys = finding.key.compactMap { field in AlertValue(field.value).map { ("key." + field.name, $0) } }
    self.init(
      time: Int64(clamping: finding.time),
      rule: finding.rule.name,
      priority: AlertPriority(name: finding.rule.severity.rawValue) ?? .notice,
      source: finding.source,
      hostname: finding.hostName,
      output: finding.output,
      fields: fields + keys,
      tags: finding.rule.tags,
      id: finding.rule.id,
      labels: finding.rule.labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    )
  }
}
