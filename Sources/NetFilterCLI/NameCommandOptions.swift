import ArgumentParser
import NetFilter

/// How `run` names addresses (`net.sip.names`, `net.dip.names`) on live and replayed events.
struct NameCommandOptions: ParsableArguments {
  @Option(
    name: .customLong("names"),
    help: ArgumentHelp(
      "When to name addresses from observed DNS replies: auto (when the filter reads *.names) or passive (always, for the output too).",
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

  func validate() throws {
    guard minimumTTL >= 0, minimumTTL <= 86_400 * 365 else {
      throw ValidationError("--names-min-ttl must be between 0 and one year of seconds.")
    }
    guard maxAddresses > 0, namesPerAddress > 0 else {
      throw ValidationError("--names-max and --names-per-address must be positive numbers.")
    }
  }

  /// The pipeline's options.
  var options: NameOptions {
    NameOptions(
      mode: mode == .passive ? .passive : .auto,
      scope: scope,
      limits: NameCache.Limits(
        addresses: maxAddresses,
        namesPerAddress: namesPerAddress,
        minimumTTL: UInt64(minimumTTL * 1_000_000_000)
      )
    )
  }
}

/// `--names` values.
enum NameModeArgument: String, ExpressibleByArgument, CaseIterable {
  case auto, passive
}

extension NameOptions.Scope: ExpressibleByArgument {}
