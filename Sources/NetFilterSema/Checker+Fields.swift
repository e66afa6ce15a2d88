import NetFilterDiagnostics
import NetFilterSyntax

extension Checker {
  /// Binds a field reference to the schema, reporting unknown names with a suggestion.
  mutating func resolveField(_ reference: FieldReference, range: SourceRange) -> FieldBinding? {
    let name = Schema.canonicalName(reference.name)
    guard let descriptor = schema.fields[name] else {
      reportUnknownField(reference.name, canonical: name, range: range)
      return nil
    }
    return bindField(descriptor, reference, range: range)
  }

  /// Checks `reference`'s `[argument]` against the field it names.
  mutating func bindField(_ descriptor: FieldDescriptor, _ reference: FieldReference, range: SourceRange)
    -> FieldBinding?
  {
    if let spec = descriptor.argument {
      if spec.required, reference.argument == nil {
        report(.argumentRequired(field: reference.name, meaning: spec.meaning), range)
        return nil
      }
      if spec.numeric, let argument = reference.argument, UInt32(argument) == nil {
        report(.numericArgumentRequired(field: reference.name), range)
        return nil
      }
    } else if reference.argument != nil {
      report(.argumentNotAllowed(field: reference.name), range)
      return nil
    }
    return FieldBinding(descriptor, argument: reference.argument)
  }

  /// The binding for `reference`, or `nil`, without reporting anything.
  func resolveFieldQuietly(_ reference: FieldReference) -> FieldBinding? {
    schema.field(named: reference.name).map { FieldBinding($0, argument: reference.argument) }
  }

  private mutating func reportUnknownField(_ written: String, canonical: String, range: SourceRange) {
    if let members = schema.structures[canonical] {
      report(.structureNotValue(path: written, members: members), range)
      return
    }
    let parts = canonical.split(separator: ".", maxSplits: 2).map(String.init)
    if parts.count == 3, parts[1] == "data" {
      reportUnknownTraceePath(event: parts[0], argument: parts[2], written: written, range: range)
      return
    }
    // An event name where a value belongs (`evt.name = Send`): the fix is quotes, not another name.
    if schema.eventNames.contains(written) {
      let quoted = "'\(written)'"
      report(
        .eventNameAsValue(written),
        range,
        notes: [Note("did you mean \(quoted)?")],
        fixIts: [FixIt("quote it", replacing: range, with: quoted)]
      )
      return
    }
    // Bare event names are conditions too (`Connect and …`), so they are candidates.
    let candidates = schema.fieldNames.filter { !$0.contains(".data.") } + schema.eventNames
    let suggestion = closestWord(to: written, in: candidates)
    report(
      .unknownField(written),
      range,
      notes: suggestionNotes(suggestion),
      fixIts: suggestionFixIts(suggestion, range)
    )
  }

  private mutating func reportUnknownTraceePath(event: String, argument: String, written: String, range: SourceRange) {
    let events = EventNames.packet
    guard events.contains(event) else {
      let suggestion = closestWord(to: event, in: events)
      let eventRange = SourceRange(range.lowerBound, range.lowerBound + event.utf8.count)
      report(
        .unknownEvent(event),
        eventRange,
        notes: suggestionNotes(suggestion),
        fixIts: suggestionFixIts(suggestion, eventRange)
      )
      return
    }
    let prefix = "\(event).data."
    let arguments =
      schema.fieldNames.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
      + schema.structures.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    let suggestion = closestWord(to: argument, in: arguments)
    let offset = written.utf8.count - argument.utf8.count
    let argumentRange = SourceRange(range.lowerBound + offset, range.lowerBound + written.utf8.count)
    report(
      .unknownEventArgument(event: event, argument: argument),
      argumentRange,
      notes: suggestionNotes(suggestion),
      fixIts: suggestionFixIts(suggestion, argumentRange)
    )
  }

  func suggestionNotes(_ suggestion: String?) -> [Note] {
    suggestion.map { [Note("did you mean '\($0)'?")] } ?? []
  }

  func suggestionFixIts(_ suggestion: String?, _ range: SourceRange) -> [FixIt] {
    suggestion.map { [FixIt("replace with '\($0)'", replacing: range, with: $0)] } ?? []
  }

  /// A phrase naming a literal's kind and value, for messages: "string 'http'".
  func describeLiteral(_ expr: Expr) -> String? {
    switch expr.kind {
    case .literal(.string(let string)): "string '\(MessageText.echo(string.value))'"
    case .literal(.integer(let value)): "integer \(value)"
    case .literal(.decimal(let value)): "number \(value)"
    case .literal(.bool(let value)): "boolean \(value)"
    case .literal(.ip(let value)): "IP address \(value)"
    case .literal(.cidr(let value)): "CIDR \(value)"
    case .literal(.duration(let value)): "duration \(value.text)"
    case .literal(.bareWord(let word)): "value '\(MessageText.echo(word))'"
    case .list: "a list"
    case .range: "a range"
    default: nil
    }
  }
}
