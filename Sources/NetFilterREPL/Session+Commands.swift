import Foundation
import NetFilter

extension Session {
  /// Runs one command.
  func run(_ command: Command) -> Reply {
    switch command {
    case .expression(let text): return handle(text)
    case .load(let path): return load(path)
    case .live(let seconds): return live(seconds)
    case .explain(let text): return explain(text)
    case .ast(let text): return ast(text)
    case .fields(let glob): return .text(fieldTable(glob))
    case .describe(let name): return describe(name)
    case .events(let glob): return .text(eventList(glob))
    case .values(let name, let count): return values(name, count)
    case .event(let index): return event(index)
    case .why(let index): return why(index)
    case .limit(let count):
      options.rowLimit = count
      return .text("showing \(count) rows per result")
    case .more: return more()
    case .output(let style):
      options.output = style
      return .text("output: \(style.rawValue)")
    case .timing(let on):
      options.timing = on
      return .text("timing: \(on ? "on" : "off")")
    case .define(let name, let body): return define(name, body)
    case .macros(let path): return loadMacros(path)
    case .save(let path): return save(path)
    case .status: return .text(statusText)
    case .rules(let path): return rules(path)
    case .edit: return edit()
    case .help(let topic):
      guard let text = HelpText.text(topic) else { return .error("no help on '\(topic ?? "")' (:help lists topics)") }
      return .text(text)
    case .quit:
      var reply = Reply()
      reply.quit = true
      return reply
    }
  }

  // MARK: Samples

  /// Loads a sample from `source`; the reply says how many events of which kinds.
  public func loadSample(_ source: EventSource, origin: String, stop: StopToken = StopToken()) -> Reply {
    let loaded: Sample
    do {
      loaded = try Sample.load(
        source,
        origin: origin,
        limit: options.sampleLimit,
        schema: environment.schema,
        stop: stop
      )
    } catch {
      if error.kind == .unavailable {
        var reply = Reply.error("live capture is not available here: \(error.message).")
        reply.errors +=
          "hint: replay a capture with :load FILE.pcap, or read JSON-lines events with :load FILE.jsonl.\n"
        return reply
      }
      return .error(error.message.hasPrefix("error: ") ? String(error.message.dropFirst(7)) : error.message)
    }
    sample = loaded
    last = nil
    valueCache.reset()
    var reply = Reply.text(sampleSummary(loaded))
    if !loaded.problems.isEmpty { reply.errors = loaded.problems.joined(separator: "\n") + "\n" }
    return reply
  }

  private func sampleSummary(_ sample: Sample) -> String {
    var text = "loaded \(sample.events.count) events from \(sample.origin)"
    let kinds = sample.kinds.prefix(6).map { "\($0.name) \($0.count)" }
    if !kinds.isEmpty { text += " (" + kinds.joined(separator: ", ") + (sample.kinds.count > 6 ? ", …" : "") + ")" }
    if sample.malformed > 0 { text += "; \(sample.malformed) malformed" }
    if sample.truncated { text += "; the source has more: the sample keeps the first \(sample.events.count)" }
    return text
  }

  private func load(_ path: String) -> Reply {
    do { return loadSample(try Sample.source(forFile: path), origin: path) } catch { return .error(error.message) }
  }

  /// Captures for `seconds`, or until ``Options/interrupted`` says so (checked every 50 ms).
  private func live(_ seconds: Double) -> Reply {
    let stop = StopToken()
    let done = StopToken()
    if let interrupted = options.interrupted {
      Thread.detachNewThread {
        while !done.isStopped {
          if interrupted() {
            stop.stop()
            return
          }
          Thread.sleep(forTimeInterval: 0.05)
        }
      }
    }
    defer { done.stop() }
    let source = EventSource.live(LiveOptions(offload: false, duration: seconds))
    var reply = loadSample(source, origin: "live capture (\(seconds) s)", stop: stop)
    if stop.isStopped { reply.output = "interrupted: " + reply.output }
    return reply
  }

  // MARK: Plans and trees

  private func target(_ text: String?) -> Result<Filter, Reply> {
    if let text { return compile(text) }
    guard let last else { return .failure(.error("no filter yet: give one, or evaluate one first")) }
    return .success(last.filter)
  }

  private func explain(_ text: String?) -> Reply {
    switch target(text) {
    case .failure(let reply): return reply
    case .success(let filter):
      var text = PlanExplanation.text(filter.kernelPlan, sources: [filter.canonicalSource])
      text += filter.canonicalSource + "\n"
      return .text(text)
    }
  }

  private func ast(_ text: String?) -> Reply {
    switch target(text) {
    case .failure(let reply): return reply
    case .success(let filter): return .text(TypedTree.print(filter.checked) + "\n" + filter.canonicalSource)
    }
  }

  private func more() -> Reply {
    guard let last else { return .error("no result yet: evaluate a filter first") }
    guard last.shown < last.matches.count else { return .text("no more rows") }
    return .text(nextRows())
  }

  // MARK: Macros

  private func define(_ name: String, _ body: String) -> Reply {
    var candidate = macros
    candidate.define(name, body)
    let (library, problems) = MacroLibrary.load(sources: candidate.sources, schema: environment.schema)
    let validation = library.validate(schema: environment.schema)
    let all = problems + validation
    if all.containsErrors { return failure(all) }
    macros = candidate
    environment.resolver = library
    var reply = Reply.text("defined \(name)")
    if !all.isEmpty { reply.errors = all.render(with: options.formatter) }
    return reply
  }

  private func loadMacros(_ path: String) -> Reply {
    var candidate = macros
    do { candidate.files.append(try MacroLibrary.readFile(path)) } catch { return failure([error]) }
    let (library, problems) = MacroLibrary.load(sources: candidate.sources, schema: environment.schema)
    let all = problems + library.validate(schema: environment.schema)
    if all.containsErrors { return failure(all) }
    macros = candidate
    environment.resolver = library
    return .text("loaded \(library.names.count) macros in scope from \(path)")
  }

  private func failure(_ problems: [MacroDiagnostics]) -> Reply {
    var reply = Reply()
    reply.errors = problems.render(with: options.formatter)
    reply.failed = true
    return reply
  }

  private func save(_ path: String) -> Reply {
    guard !macros.yaml.isEmpty else { return .error("no session macros to save (define them with :let)") }
    do { try macros.yaml.write(toFile: path, atomically: true, encoding: .utf8) } catch {
      return .error("cannot write '\(path)': \(error.localizedDescription)")
    }
    return .text("saved \(macros.definitions.count) macros to \(path)")
  }

  private var statusText: String {
    var lines: [String] = []
    if let sample {
      lines.append("sample: \(sampleSummary(sample))")
    } else {
      lines.append("sample: none (:load FILE)")
    }
    lines.append("rows per result: \(options.rowLimit); output: \(options.output.rawValue)")
    lines.append("timing: \(options.timing ? "on" : "off"); sample limit: \(options.sampleLimit) events")
    lines.append("macro files: " + (macros.files.isEmpty ? "none" : macros.files.map(\.name).joined(separator: ", ")))
    lines.append("session macros: " + (macros.definitions.isEmpty ? "none" : ""))
    lines += macros.definitions.map { "  \($0.name) = \($0.body)" }
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: Editing

  private func edit() -> Reply {
    guard let editor = options.editor, !editor.isEmpty else { return .error(":edit needs $EDITOR to be set") }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("netfilter-edit-\(getpid()).nf")
    defer { try? FileManager.default.removeItem(at: url) }
    do { try (last?.filter.source.text ?? "").write(to: url, atomically: true, encoding: .utf8) } catch {
      return .error("cannot write a temporary file: \(error.localizedDescription)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", editor + " \"$1\"", "sh", url.path]
    do {
      try process.run()
      process.waitUntilExit()
    } catch {
      return .error("cannot run '\(editor)': \(error.localizedDescription)")
    }
    guard process.terminationStatus == 0 else {
      return .error("the editor exited with status \(process.terminationStatus); nothing evaluated")
    }
    guard let text = try? String(contentsOf: url, encoding: .utf8), !text.trimmingWhitespace.isEmpty else {
      return .error("the edited file is empty; nothing evaluated")
    }
    var reply = Reply.text(text.trimmingWhitespace)
    let result = handle(text)
    reply.output += result.output
    reply.errors = result.errors
    reply.failed = result.failed
    return reply
  }
}
