import NetFilterCLI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// A reader that goes away (`netfilter run … | head`) makes writes fail with EPIPE, which the CLI
// reports ("cannot write to standard output: Broken pipe") with exit status 1, instead of the
// process dying silently of SIGPIPE.
signal(SIGPIPE, SIG_IGN)
exit(CLI.run(Array(CommandLine.arguments.dropFirst())))
