import NetFilterEval

extension JSONTokenWriter {
  /// Writes a field's value with its JSON type: numbers as numbers, addresses and text as strings,
  /// several values as an array, a missing value as `null`.
  public mutating func value(_ field: FieldValue) {
    switch field {
    case .missing: null()
    case .bool(let v): bool(v)
    case .uint(let v): number(v)
    case .int(let v): number(v)
    case .double(let v): v.isFinite ? rawNumber(String(v)) : null()
    case .string(let v): string(v)
    case .ip(let v): address(v)
    case .strings(let v):
      beginArray()
      for item in v { string(item) }
      endArray()
    case .ips(let v):
      beginArray()
      for item in v { address(item) }
      endArray()
    case .uints(let v):
      beginArray()
      for item in v { number(item) }
      endArray()
    }
  }
}
