import ArgumentParser
import NetFilter

/// How `run` names addresses (`net.sip.names`, `net.dip.names`) on live and replayed events.
struct NameCommandOptions: ParsableArguments {
  @Option(
    name: .customLong("names"),
    help: ArgumentHelp(
      "When to name addresses: auto (from observed DNS replies, when the filter reads *.names), passive (always, for the output too) or ptr[=HOST:PORT] (passive, plus reverse lookups through c-ares for addresses without a name, never waited for).",
      valueName: "mode"
    )
  )
  var mode: NameModeArgument = .auto

  @Option(
    name: .customLong("names-scope"),
    help: "Whose DNS replies name an event's addresses: netns (its network namespace), process or global."
  )
  var scope: NameOptions.Scope = .netns

  @Option(name: .customLong("names-min-ttl"), help: "Keep a name at least SECONDS, whatever its TTL.")
  var minimumTTL: Double = 60

  @Option(
    name: .customLong("names-max"),
    help: "Keep the names of at most N addresses (the soonest to expire go first)."
  )
  var maxAddresses: Int = 65_536

  @Option(name: .customLong("names-per-address"), help: "Keep at most N names per address.")
  var namesPerAddress: Int = 16

  @Option(name: .customLong("names-lookups"), help: "With --names ptr: at most N reverse lookups pending at once.")
  var maxLookups: Int = 256

  func validate() throws {
    guard minimumTTL >= 0, minimumTTL <= 86_400 * 365 else {
      throw ValidationError("--names-min-ttl must be between 0 and one year of seconds.")
    }
    guard maxAddresses > 0, namesPerAddress > 0, maxLookups > 0 else {
      throw ValidationError("--names-max, --names-per-address and --names-lookups must be positive numbers.")
    }
  }

  /// The pipeline's options.
  var options: NameOptions {
    var options = NameOptions(
      mode: mode.mode,
      scope: scope,
      limits: NameCache.Limits(
        addresses: maxAddresses,
        namesPerAddress: namesPerAddress,
        minimumTTL: UInt64(minimumTTL * 1_000_000_000)
      )
    )
    options.maxLookupsInFlight = maxLookups
    return options
  }
}

/// `--names` values: `auto`, `passive`, `ptr` or `ptr=HOST:PORT`.
struct NameModeArgument: ExpressibleByArgument {
  let mode: NameOptions.Mode

  static let auto = NameModeArgument(mode: .auto)

  init(mode: NameOptions.Mode) { self.mode = mode }

  init?(argument: String) {
    switch argument {
    case "auto": mode = .auto
    case "passive": mode = .passive
    case "ptr": mode = .ptr(resolver: nil)
    default:
      guard argument.hasPrefix("ptr="), argument.count > 4 else { return nil }
      mode = .ptr(resolver: String(argument.dropFirst(4)))
    }
  }

  var defaultValueDescription: String { "auto" }
  static var allValueStrings: [String] { ["auto", "passive", "ptr", "ptr=HOST:PORT"] }
}

extension NameOptions.Scope: ExpressibleByArgument {}
