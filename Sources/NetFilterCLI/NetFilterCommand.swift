import ArgumentParser

/// The `netfilter` command: the root of the subcommands.
public struct NetFilterCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "netfilter",
    abstract: "Filter network events on Linux with Fibratus- and Tracee-style expressions.",
    discussion: """
      Examples:
        netfilter check "net.dip = 8.8.8.8 and net.dport in (53, 853)"
        netfilter check "net_packet_dns.data.src=8.8.8.8"
        netfilter run --input events.jsonl "net.sip.names matches ('*.domain.')"
        netfilter run --pcap capture.pcap --rules examples/rules
        netfilter rules validate examples/rules
      """,
    version: "0.1.0",
    subcommands: [CheckCommand.self, RunCommand.self, RulesCommand.self, ReplCommand.self]
  )

  public init() {}
}

/// Runs the CLI in-process: the executable's `main` and the tests both come through here.
public enum CLI {
  /// Parses `arguments` (without the program name), runs the command against ``Console/current``,
  /// and returns the exit status: 0 success, 1 filter errors, 64 usage errors.
  public static func run(_ arguments: [String]) -> Int32 {
    let console = Console.current
    do {
      var command = try NetFilterCommand.parseAsRoot(arguments)
      try command.run()
      if let failure = Console.standardOutputFailure {
        console.err("error: \(failure)\n")
        return 1
      }
      return 0
    } catch {
      let code = NetFilterCommand.exitCode(for: error)
      let message = NetFilterCommand.fullMessage(for: error)
      if !message.isEmpty {
        let text = message.hasSuffix("\n") ? message : message + "\n"
        if code == .success { console.out(text) } else { console.err(text) }
      }
      return code.rawValue
    }
  }
}
