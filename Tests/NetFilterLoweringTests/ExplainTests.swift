import NetFilter
import Testing

/// The text of `netfilter check --explain`, golden.
@Suite struct ExplainTests {
  @Test func exactFilterHasNoResidue() throws {
    let text = try Environment().explain(["ps.name = 'curl' and net.dport in (8000..8999, 443)"])
    #expect(
      text == """
        kernel plan: 1 clause
          clause 0: dport in (443, 8000..8999) and comm = 'curl'
        maps:
          dport (port array):
            443 -> {0}
            8000..8999 -> {0}
            otherwise -> none
            missing -> none
          comm (hash):
            'curl' -> {0}
            otherwise -> none
            missing -> none
        residue: none (the kernel decides it; user space still re-checks every event that passes)

        """
    )
  }

  @Test func userSpaceTestsAreTheResidue() throws {
    let filter =
      "net.dip not in (10.0.0.0/8, fd00::/8) and ps.exe = '/usr/bin/curl' and (net.l4.proto = 'UDP' or Connect)"
    #expect(
      try Environment().explain([filter]) == """
        kernel plan: 2 clauses
          clause 0: proto = UDP and (daddr not in (10.0.0.0/8, fd00::/8) or missing)
          clause 1: kind = Connect and (daddr not in (10.0.0.0/8, fd00::/8) or missing)
        maps:
          kind:
            Connect -> {0, 1}
            otherwise -> {0}
            missing -> {0}
          proto:
            UDP -> {0, 1}
            otherwise -> {1}
            missing -> {1}
          daddr (LPM trie):
            10.0.0.0/8 -> none
            fd00::/8 -> none
            otherwise -> {0, 1}
            missing -> {0, 1}
        left to user space:
          ps.exe = '/usr/bin/curl': 'ps.exe' is not visible to the kernel
        residue: ps.exe = '/usr/bin/curl'

        """
    )
  }

  @Test func severalFiltersShareOnePlan() throws {
    let text = try Environment().explain(["evt.name = 'Connect' or net_packet_dns", "net.dport != 53"])
    #expect(
      text == """
        kernel plan: 3 clauses
          clause 0 (filter 0): kind = Connect
          clause 1 (filter 0): kind = packet
          clause 2 (filter 1): (dport != 53 or missing)
        maps:
          kind:
            packet -> {1, 2}
            Connect -> {0, 2}
            otherwise -> {2}
            missing -> {2}
          dport (port array):
            53 -> {0, 1}
            otherwise -> {0, 1, 2}
            missing -> {0, 1, 2}
        filter 0: evt.name = 'Connect' or net_packet_dns
          left to user space:
            net_packet_dns: the kernel tells packets from socket events, not one packet kind from another
          residue: evt.name = 'Connect' or net_packet_dns
        filter 1: net.dport != 53
          residue: none (the kernel decides it; user space still re-checks every event that passes)

        """
    )
  }

  @Test func planThatMatchesNothingOrEverythingSaysSo() throws {
    let nothing = try Environment().explain(["net.dport = 1 and net.dport = 2"])
    #expect(nothing.hasPrefix("kernel plan: 0 clauses\n  (no event can match: the kernel passes nothing)\n"))
    let everything = try Environment().explain(["ps.exe = 'a' or net.dport = 1"])
    #expect(everything.contains("(a clause constrains nothing: the kernel passes every event)"))
  }
}
