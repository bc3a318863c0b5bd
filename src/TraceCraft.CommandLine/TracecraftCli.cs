using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Errors;
using TraceCraft.Wire;
using TraceCraft.Protocol;
using TraceCraft.Options;
using TraceCraft.Git;
using TraceCraft.Setup;
using TraceCraft.CommandLine.Json;

namespace TraceCraft.CommandLine
{
    /// <summary>
    /// The <c>tracecraft</c> command line, written once for both hosts (the native executable and the module's
    /// <c>tracecraft</c> command): the original's verbs, output lines and exit codes (0 success, 1 failure,
    /// 2 usage error), errors as <c>Error: message</c> on the error writer. With <c>--json</c>, one JSON document on the
    /// output writer instead and errors as JSON (docs/json-output.md; the shapes are in Json/JsonShapes.cs).
    /// </summary>
    public static class TracecraftCli
    {
        public const int Success = 0;
        public const int Failure = 1;
        public const int UsageFailure = 2;
        /// <summary>claim --next found no ready step (distinct from a failure, so that a worker loop can stop or sleep).</summary>
        public const int NothingReady = 3;

        /// <summary>The global flag that turns every verb's output into one JSON document (docs/json-output.md).</summary>
        public const string JsonFlag = "--json";

        public static int Run(IReadOnlyList<string> args, CliContext context) =>
            RunAsync(args, context).GetAwaiter().GetResult();

        public static async Task<int> RunAsync(IReadOnlyList<string> arguments, CliContext context)
        {
            // --json may stand anywhere (before the verb, between its arguments, last): it is taken out before the verb's
            // own parsing, so that no verb has to know it, and errors of the parsing itself are reported as JSON too.
            bool json = CliArguments.TakeFlag(arguments, JsonFlag, out var args);
            try
            {
                if (args.Count == 0 && json) throw CliArguments.Usage("the following arguments are required: command");
                if (args.Count == 0 || args[0] is "--help" or "-h" or "help")
                {
                    string overview = CliHelp.Overview(context.ProgramName);
                    context.Out.WriteLine(json ? JsonText.Of(JsonShapes.Help, overview) : overview);
                    return args.Count == 0 ? UsageFailure : Success;
                }
                if (args[0] is "--version" or "version")
                {
                    string version = typeof(TracecraftCli).Assembly.GetName().Version?.ToString(3) ?? "";
                    context.Out.WriteLine(json ? JsonText.Of(JsonShapes.Version, version) : $"tracecraft {version}");
                    return Success;
                }
                string verb = args[0];
                var rest = args.Skip(1).ToList();
                // Only an option asks for help: after "--" a "-h" is a value (a message, a key, a step id).
                var options = rest.TakeWhile(a => a != "--").ToList();
                if (options.Contains("--help") || options.Contains("-h"))
                {
                    string? help = CliHelp.ForVerb(verb, rest);
                    if (help is null) throw CliArguments.Usage($"invalid choice: '{verb}'");
                    context.Out.WriteLine(json ? JsonText.Of(JsonShapes.Help, help) : help);
                    return Success;
                }
                var verbs = new CliVerbs(context, json);
                int code = await verbs.RunAsync(verb, rest).ConfigureAwait(false);
                verbs.Finish();
                return code;
            }
            catch (TcException e) when (e.Code == TcErrorCode.UsageError)
            {
                ReportError(context, json, e.Code.ToString(), e.Message, e.Target);
                if (!json) context.Error.WriteLine($"Run '{context.ProgramName} --help' for usage.");
                return UsageFailure;
            }
            catch (TcException e)
            {
                ReportError(context, json, e.Code.ToString(), e.Message, e.Target);
                return Failure;
            }
            catch (OperationCanceledException)
            {
                ReportError(context, json, CancelledId, "cancelled.", null);
                return Failure;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The last resort: a file the OS refuses, or a bug. One line and exit 1, as for any failure; never a
                // stack trace (it could hold arguments, and it tells a user nothing they can act on).
                ReportError(context, json, UnexpectedId, e.Message, null);
                return Failure;
            }
        }

        /// <summary>The error id of a run stopped by Ctrl+C (or its host's cancellation): not an engine error, so no TcErrorCode.</summary>
        public const string CancelledId = "Cancelled";
        /// <summary>The error id of a failure that is no TcException (a file the OS refuses, or a bug).</summary>
        public const string UnexpectedId = "UnexpectedError";

        /// <summary>An error on the error writer: the original's "Error: message" line, or in JSON mode one Error document.</summary>
        private static void ReportError(CliContext context, bool json, string id, string message, object? target)
        {
            if (json)
                context.Error.WriteLine(JsonText.Of(JsonShapes.Error, new CliError(id, message, target is null ? null : Convert.ToString(target, CultureInfo.InvariantCulture))));
            else
                context.Error.WriteLine($"Error: {message}");
        }
    }

    /// <summary>One method per verb; each prints the original's lines, or with --json its result (<see cref="Emit{T}"/>).</summary>
    internal sealed partial class CliVerbs
    {
        private static readonly string[] None = Array.Empty<string>();
        private readonly CliContext _context;
        private readonly bool _json;
        /// <summary>In JSON mode, the text lines a verb writes: they never reach stdout (see <see cref="Finish"/>).</summary>
        private readonly System.IO.StringWriter? _textInJsonMode;
        private bool _emitted;

        public CliVerbs(CliContext context, bool json)
        {
            _context = context;
            _json = json;
            if (json) _textInJsonMode = new System.IO.StringWriter { NewLine = "\n" };
        }

        /// <summary>Where a verb's text lines go: stdout, or nowhere visible in JSON mode.</summary>
        private System.IO.TextWriter Out => _textInJsonMode ?? _context.Out;

        /// <summary>
        /// A verb's result: in JSON mode its one document on stdout, else the original's lines (<paramref name="text"/>).
        /// Returns <paramref name="code"/>, so that a verb ends with <c>return Emit(...)</c>.
        /// </summary>
        private int Emit<T>(JsonShape<T> shape, T value, Action text, int code = TracecraftCli.Success)
        {
            if (_json)
            {
                _context.Out.WriteLine(JsonText.Of(shape, value));
                _emitted = true;
            }
            else text();
            return code;
        }

        /// <summary>For an <c>Emit</c> whose verb writes its text lines elsewhere (before the call, or after an <c>if (_json)</c>).</summary>
        private static readonly Action TextElsewhere = () => { };

        /// <summary>
        /// After a verb that succeeded: in JSON mode, a verb that has no JSON result of its own (one added without a shape)
        /// still prints one document, its text lines as <see cref="JsonShapes.Lines"/>.
        /// </summary>
        public void Finish()
        {
            if (_textInJsonMode is null || _emitted) return;
            var lines = _textInJsonMode.ToString().Split('\n').ToList();
            if (lines.Count > 0 && lines[lines.Count - 1].Length == 0) lines.RemoveAt(lines.Count - 1);
            _context.Out.WriteLine(JsonText.Of(JsonShapes.Lines, lines));
        }

        /// <summary>A warning of the engine on stderr: "Warning: text", or a Warning document in JSON mode.</summary>
        private void Warn(string warning) =>
            _context.Error.WriteLine(_json ? JsonText.Of(JsonShapes.Warning, warning) : "Warning: " + warning);

        public Task<int> RunAsync(string verb, List<string> args) => verb switch
        {
            "init" => InitAsync(args),
            "agents" => AgentsAsync(args),
            "memory" => MemoryAsync(args),
            "send" => SendAsync(args),
            "inbox" => InboxAsync(args),
            "claim" => ClaimAsync(args),
            "release" => ReleaseAsync(args),
            "reopen" => ReopenAsync(args),
            "renew" => RenewAsync(args),
            "complete" => CompleteAsync(args),
            "step-status" => StepStatusAsync(args),
            "wait-for" => WaitForAsync(args),
            "artifact" => ArtifactAsync(args),
            "handoff" => HandoffAsync(args),
            "step" => StepAsync(args),
            "ready" => ReadyAsync(args),
            "heartbeat" => HeartbeatAsync(args),
            "session" => SessionAsync(args),
            "setup" => SetupAsync(args),
            "report" => ReportAsync(args),
            "watch" => WatchAsync(args),
            // The MCP server needs the SDK and a process of its own: only the native executable serves it (src/TraceCraft.Cli).
            "mcp" => throw new TcException(TcErrorCode.InvalidArgument,
                "'mcp' is served by the native tracecraft executable, not by this host: install it (Install-TcCommand, or tools/Build-Native.ps1 -Install) and configure your MCP client to run 'tracecraft mcp'."),
            _ => throw CliArguments.Usage($"argument command: invalid choice: '{verb}' (choose from {string.Join(", ", CliHelp.Verbs)})"),
        };

        private ConfigLoader Loader => new ConfigLoader(_context.WorkingDirectory, _context.Environment);

        private TcSession OpenSession()
        {
            var config = Loader.Load();
            var extra = _context.SessionOptions;
            return new TcSession(config, new TcSessionOptions
            {
                RequestObserver = extra?.RequestObserver,
                Warning = extra?.Warning ?? Warn,
                CacheDirectory = extra?.CacheDirectory ?? System.IO.Path.Combine(Loader.HomeDirectory, "cache"),
                Clock = extra?.Clock,
                Store = extra?.Store,
            });
        }

        /// <summary>
        /// Runs a verb's work in a session, then refreshes the agent's presence (rate-limited; claim and complete update
        /// the agent's step themselves, in the engine).
        /// </summary>
        private async Task<int> WithSession(Func<TcSession, Task<int>> work)
        {
            using var session = OpenSession();
            int code = await work(session).ConfigureAwait(false);
            await session.Agents.TouchAsync(cancellationToken: _context.Cancellation).ConfigureAwait(false);
            return code;
        }

        private async Task<int> InitAsync(List<string> args)
        {
            var a = CliArguments.Parse(args,
                new[] { "--project", "--agent", "--endpoint", "--bucket", "--access-key", "--secret-key", "--region", "--backend", "--path" },
                new[] { "--quote-if-match", "--no-save-keys" });
            a.NoMoreThan(0);
            if (TcConfig.EndpointProblem(a.Value("--endpoint")) is string problem) throw CliArguments.Usage($"argument --endpoint: {problem}");
            string project = a.Value("--project") ?? throw CliArguments.Usage("the following arguments are required: --project");
            string agent = a.Value("--agent") ?? _context.Environment("TRACECRAFT_AGENT") ?? throw CliArguments.Usage("the following arguments are required: --agent");
            var extra = _context.SessionOptions;
            // Init's own warnings (an earlier folder store left unused) go to stderr like every verb's.
            var options = new TcSessionOptions
            {
                RequestObserver = extra?.RequestObserver,
                Warning = extra?.Warning ?? Warn,
                CacheDirectory = extra?.CacheDirectory,
                Clock = extra?.Clock,
                Store = extra?.Store,
            };
            var context = await ProjectSetup.InitializeAsync(new InitRequest
            {
                Project = project,
                Agent = agent,
                Backend = a.Value("--backend") ?? Backends.S3,
                Endpoint = a.Value("--endpoint"),
                Bucket = a.Value("--bucket"),
                AccessKey = a.Value("--access-key"),
                SecretKey = a.Value("--secret-key"),
                Region = a.Value("--region"),
                Path = a.Value("--path"),
                QuoteIfMatch = a.Flag("--quote-if-match"),
                SaveEnvironmentKeys = !a.Flag("--no-save-keys"),
            }, Loader, options, _context.Cancellation).ConfigureAwait(false);
            return Emit(JsonShapes.ProjectContext, context, () =>
            {
                Out.WriteLine($"Initialized project {context.Project} as agent {context.Agent} ({context.Location})");
                Out.WriteLine($"Config written to {context.ConfigPath}");
            });
        }

        private Task<int> AgentsAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--stale-after" }, None);
            a.NoMoreThan(0);
            var staleAfter = a.Seconds("--stale-after") is double s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
            return WithSession(async session =>
            {
                var agents = await session.Agents.ListAsync(staleAfter, _context.Cancellation).ConfigureAwait(false);
                return Emit(JsonShapes.AgentList, agents, () =>
                {
                    if (agents.Count == 0)
                    {
                        Out.WriteLine("No agents found.");
                        return;
                    }
                    // The original's table: Python's f"{id:<25} {status:<10} {step:<15} {age}" (pads, never truncates).
                    Out.WriteLine($"{"ID",-25} {"Status",-10} {"Step",-15} Heartbeat Age");
                    Out.WriteLine(new string('-', 70));
                    foreach (var agent in agents)
                    {
                        // Stale needs a heartbeat to be old; without one the age is unknown and the status is as recorded.
                        string status = agent.Age is not null && agent.IsStale ? "stale" : agent.Status;
                        string age = agent.Age is TimeSpan t ? $"{(long)Math.Floor(Math.Max(0, t.TotalMinutes))}m ago" : "unknown";
                        Out.WriteLine($"{agent.Id,-25} {status,-10} {agent.Step ?? "-",-15} {age}");
                    }
                });
            });
        }

        private Task<int> MemoryAsync(List<string> args)
        {
            if (args.Count == 0) throw CliArguments.Usage("memory: choose one of set, get, list, delete");
            string action = args[0];
            // --json (taken out before the verb, in _json) predates the global flag here: memory set reads VALUE as JSON and
            // memory get prints the bare value as JSON, as they always have; --entry asks get for the whole entry.
            var a = CliArguments.Parse(args.Skip(1).ToList(), new[] { "--if-version" }, new[] { "--if-absent", "--entry" });
            if (a.Flag("--entry") && !(action == "get" && _json)) throw CliArguments.Usage("argument --entry: only with memory get --json");
            return action switch
            {
                "set" => WithSession(async session =>
                {
                    string key = NonEmptyKey(a.Required(0, "key")), value = a.Required(1, "value");
                    a.NoMoreThan(2);
                    var condition = TcOptions.MemoryCondition(a.Flag("--if-absent"), a.Value("--if-version"), key);
                    var entry = _json
                        ? await session.Memory.SetAsync(key, value, condition, _context.Cancellation).ConfigureAwait(false)
                        : await session.Memory.SetStringAsync(key, value, condition, _context.Cancellation).ConfigureAwait(false);
                    return Emit(JsonShapes.MemoryEntry, entry, () => Out.WriteLine($"Set {key} = {entry.ValueText}"));
                }),
                "get" => WithSession(async session =>
                {
                    string key = NonEmptyKey(a.Required(0, "key"));
                    a.NoMoreThan(1);
                    var entry = await session.Memory.GetAsync(key, _context.Cancellation).ConfigureAwait(false);
                    if (entry is null)
                    {
                        if (_json) throw new TcException(TcErrorCode.MemoryKeyNotFound, $"Memory key not found: {key}", key);
                        // The original prints one empty line on stderr and exits 1.
                        _context.Error.WriteLine();
                        return TracecraftCli.Failure;
                    }
                    if (a.Flag("--entry")) return Emit(JsonShapes.MemoryEntry, entry, TextElsewhere);
                    // The bare value, as JSON with --json (its document), else as the original prints it.
                    _context.Out.WriteLine(_json ? entry.ValueJson : entry.ValueText);
                    _emitted = true;
                    return TracecraftCli.Success;
                }),
                "list" => WithSession(async session =>
                {
                    a.NoMoreThan(1);
                    string? prefix = a.Positionals.Count > 0 ? a.Positionals[0] : null;
                    // JSON lists the entries with their values and versions, as Get-TcMemory -Prefix does; text lists keys only.
                    if (_json) return Emit(JsonShapes.MemoryList, await session.Memory.ListAsync(prefix, _context.Cancellation).ConfigureAwait(false), TextElsewhere);
                    foreach (var key in await session.Memory.ListKeysAsync(prefix, _context.Cancellation).ConfigureAwait(false))
                        Out.WriteLine(key);
                    return TracecraftCli.Success;
                }),
                "delete" => WithSession(async session =>
                {
                    string key = NonEmptyKey(a.Required(0, "key"));
                    a.NoMoreThan(1);
                    if (!await session.Memory.RemoveAsync(key, _context.Cancellation).ConfigureAwait(false))
                        throw new TcException(TcErrorCode.MemoryKeyNotFound, $"Memory key not found: {key}", key);
                    return Emit(JsonShapes.MemoryDeleted, key, () => Out.WriteLine($"Deleted {key}"));
                }),
                _ => throw CliArguments.Usage($"memory: invalid choice: '{action}' (choose from set, get, list, delete)"),
            };
        }

        private Task<int> SendAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, None, None);
            string to = a.Required(0, "agent_id"), text = a.Required(1, "message");
            a.NoMoreThan(2);
            if (to.Length == 0) throw new TcException(TcErrorCode.InvalidIdentifier, "Recipient cannot be empty", to);
            return WithSession(async session =>
            {
                var message = await session.Messages.SendAsync(to, text, _context.Cancellation).ConfigureAwait(false);
                return Emit(JsonShapes.Message, message, () => Out.WriteLine($"Sent to {to}: {text}"));
            });
        }

        private Task<int> InboxAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--timeout" }, new[] { "--delete", "--unread", "--wait", "--refresh" });
            a.NoMoreThan(0);
            double timeout = a.Seconds("--timeout") ?? TcOptions.DefaultTimeoutSeconds;
            // --delete consumes: each message is taken by exactly one of the readers of this inbox before it is shown.
            var query = new InboxQuery { UnreadOnly = a.Flag("--unread"), Refresh = a.Flag("--refresh"), Take = a.Flag("--delete") };
            return WithSession(async session =>
            {
                IReadOnlyList<Message> messages = a.Flag("--wait")
                    ? await session.Messages.WaitAsync(TimeSpan.FromSeconds(timeout), query, _context.Cancellation).ConfigureAwait(false)
                    : await session.Messages.ReadAsync(query, _context.Cancellation).ConfigureAwait(false);
                if (messages.Count == 0)
                    return Emit(JsonShapes.Inbox, (messages, 0), () => Out.WriteLine("No messages."), a.Flag("--wait") ? TracecraftCli.Failure : TracecraftCli.Success);
                foreach (var m in messages) Out.WriteLine(m.ToString());
                int deleted = 0;
                if (a.Flag("--delete"))
                {
                    deleted = await session.Messages.DeleteAsync(messages, _context.Cancellation).ConfigureAwait(false);
                    Out.WriteLine($"Deleted {deleted} message(s).");
                }
                return Emit(JsonShapes.Inbox, (messages, deleted), TextElsewhere);
            });
        }

        private Task<int> ClaimAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--lease", "--filter" }, new[] { "--next", "--ignore-dependencies" });
            bool next = a.Flag("--next");
            string? step = next ? null : a.Required(0, "step_id");
            a.NoMoreThan(next ? 0 : 1);
            if (!next && a.Value("--filter") is not null) throw CliArguments.Usage("argument --filter: only with --next");
            double? lease = a.Seconds("--lease");
            return WithSession(async session =>
            {
                StepClaim? claim = next
                    ? await session.Claims.ClaimNextAsync(a.Value("--filter"), lease, _context.Cancellation).ConfigureAwait(false)
                    : await session.Claims.ClaimAsync(step!, new ClaimOptions { LeaseSeconds = lease, IgnoreDependencies = a.Flag("--ignore-dependencies") }, _context.Cancellation).ConfigureAwait(false);
                if (claim is null)
                    return Emit(JsonShapes.Claimed, null,
                        () => _context.Error.WriteLine(a.Value("--filter") is string filter ? $"No ready step matches {filter}." : "No ready step."),
                        TracecraftCli.NothingReady);
                // The fencing token is a field of the JSON claim; as text:
                return Emit(JsonShapes.Claimed, claim, () =>
                {
                    string extra = claim.TakenOverFrom is null ? "" : $" (took over from {claim.TakenOverFrom}, token {claim.Token})";
                    Out.WriteLine($"Claimed step {claim.StepId} as {claim.Agent}{extra}");
                    // A leased or handed-back claim can be replaced, possibly by a process with this agent name: say which claim
                    // this is. (On stderr, so that the original's line on stdout stays exact; the original has no leases.)
                    if (claim.LeaseSeconds is not null || claim.Token > 1)
                        _context.Error.WriteLine($"Fencing token: {claim.Token} (pass --token {claim.Token} or TRACECRAFT_TOKEN={claim.Token} to complete, renew or release only this claim)");
                });
            });
        }

        private Task<int> ReleaseAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--token" }, new[] { "--failed" });
            string step = a.Required(0, "step_id");
            a.NoMoreThan(1);
            long? token = a.Token(_context.Environment);
            return WithSession(async session =>
            {
                var released = await session.Claims.ReleaseAsync(step, a.Flag("--failed"), token, _context.Cancellation).ConfigureAwait(false);
                return Emit(JsonShapes.Step, released, () => Out.WriteLine(released.Status == StepStatus.Failed
                    ? $"Released step {step}: failed after {released.Failures} attempt(s)"
                    : $"Released step {step}"));
            });
        }

        private Task<int> ReopenAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, None, new[] { "--force" });
            string step = a.Required(0, "step_id");
            a.NoMoreThan(1);
            return WithSession(async session =>
            {
                var reopened = await session.Claims.ReopenAsync(step, a.Flag("--force"), _context.Cancellation).ConfigureAwait(false);
                return Emit(JsonShapes.Step, reopened, () => Out.WriteLine($"Reopened step {step}"));
            });
        }

        private Task<int> RenewAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--lease", "--token" }, None);
            string step = a.Required(0, "step_id");
            a.NoMoreThan(1);
            double? lease = a.Seconds("--lease");
            long? token = a.Token(_context.Environment);
            return WithSession(async session =>
            {
                var claim = await session.Claims.RenewAsync(step, lease, token, _context.Cancellation).ConfigureAwait(false);
                return Emit(JsonShapes.StepClaim, claim, () => Out.WriteLine($"Renewed step {step} until {WireTime.Format(claim.ExpiresAt!.Value)}"));
            });
        }

        private Task<int> CompleteAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--note", "--to", "--next-action", "--token" }, new[] { "--blocked", "--needs-review", "--changed-files-from-git", "--force" });
            string step = a.Required(0, "step_id");
            a.NoMoreThan(1);
            // The original checks this itself (not its argument parser): an error, exit 1.
            if (a.Flag("--blocked") && a.Flag("--needs-review")) throw new TcException(TcErrorCode.InvalidArgument, "Use at most one of --blocked / --needs-review");
            string state = a.Flag("--blocked") ? StepStatus.Blocked : a.Flag("--needs-review") ? StepStatus.NeedsReview : StepStatus.Complete;
            long? token = a.Token(_context.Environment);
            return WithSession(async session =>
            {
                string[]? changedFiles = a.Flag("--changed-files-from-git") ? GitChangedFiles.ReadOrNone(_context.WorkingDirectory) : null;
                var result = await session.Steps.CompleteAsync(step, new CompletionRequest
                {
                    Note = a.Value("--note"),
                    To = a.Value("--to"),
                    NextAction = a.Value("--next-action"),
                    State = state,
                    ChangedFiles = changedFiles,
                    Force = a.Flag("--force"),
                    Token = token,
                }, _context.Cancellation).ConfigureAwait(false);
                string line = state switch
                {
                    StepStatus.Blocked => $"Blocked step {step}",
                    StepStatus.NeedsReview => $"Needs review on step {step}",
                    _ => $"Completed step {step}",
                };
                if (result.Handoff?.NextAgent is string to) line += $" → handed off to {to}";
                if (changedFiles is { Length: > 0 }) line += $" ({changedFiles.Length} changed file(s))";
                return Emit(JsonShapes.Step, result, () => Out.WriteLine(line));
            });
        }

        private Task<int> StepStatusAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, None, None);
            string step = a.Required(0, "step_id");
            a.NoMoreThan(1);
            return WithSession(async session =>
            {
                var s = await session.Steps.GetAsync(step, _context.Cancellation).ConfigureAwait(false);
                return Emit(JsonShapes.Step, s, () => Out.WriteLine(s.Status == StepStatus.Pending ? $"{step}: pending" : $"{step}: {s.Status} (agent: {s.Agent})"));
            });
        }

        private Task<int> WaitForAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--timeout" }, None);
            if (a.Positionals.Count == 0) throw CliArguments.Usage("the following arguments are required: step_ids");
            double seconds = a.Seconds("--timeout") ?? TcOptions.DefaultTimeoutSeconds;
            var timeout = TimeSpan.FromSeconds(seconds);
            return WithSession(async session =>
            {
                var lastReport = TimeSpan.FromSeconds(-10);
                var progress = new InlineProgress<WaitProgress>(p =>
                {
                    // JSON mode keeps stderr for JSON documents (warnings, the error): no progress lines.
                    if (_json || p.Elapsed - lastReport < TimeSpan.FromSeconds(5)) return;
                    lastReport = p.Elapsed;
                    string review = p.NeedsReview.Count > 0 ? $" (needs review: {string.Join(", ", p.NeedsReview)})" : "";
                    _context.Error.WriteLine($"Waiting for: {string.Join(", ", p.Open)}{review} ({p.Elapsed.TotalSeconds:0}s elapsed)");
                });
                IReadOnlyList<Step> steps;
                try
                {
                    steps = await session.Barriers.WaitAsync(a.Positionals, timeout, progress, _context.Cancellation).ConfigureAwait(false);
                }
                catch (TcException e) when (e.Code == TcErrorCode.WaitTimeout)
                {
                    // The original's line names every step asked for, not only the open ones.
                    throw new TcException(TcErrorCode.WaitTimeout,
                        $"Timeout after {seconds.ToString(CultureInfo.InvariantCulture)}s. Not all steps complete: {string.Join(", ", a.Positionals)}", e.Target, e);
                }
                return Emit(JsonShapes.StepList, steps, () => Out.WriteLine($"All steps complete: {string.Join(", ", a.Positionals)}"));
            });
        }

        private Task<int> ArtifactAsync(List<string> args)
        {
            if (args.Count == 0) throw CliArguments.Usage("artifact: choose one of upload, download, list, delete");
            string action = args[0];
            var a = CliArguments.Parse(args.Skip(1).ToList(), new[] { "--step", "--output", "--name" }, new[] { "--force", "--no-overwrite" },
                new Dictionary<string, string> { ["-o"] = "--output" });
            string? step = a.Value("--step");
            return action switch
            {
                "upload" => WithSession(async session =>
                {
                    string path = a.Required(0, "path");
                    a.NoMoreThan(1);
                    var artifact = await session.Artifacts.UploadAsync(System.IO.Path.Combine(_context.WorkingDirectory, path), step, a.Value("--name"), overwrite: !a.Flag("--no-overwrite"), cancellationToken: _context.Cancellation).ConfigureAwait(false);
                    return Emit(JsonShapes.Artifact, artifact, () => Out.WriteLine($"Uploaded {artifact.Name} -> {ProjectRelative(session, artifact.Key)}"));
                }),
                "download" => WithSession(async session =>
                {
                    string name = a.Required(0, "name");
                    a.NoMoreThan(1);
                    Artifact artifact;
                    try
                    {
                        artifact = await session.Artifacts.DownloadAsync(name, step, a.Value("--output"), _context.WorkingDirectory, a.Flag("--force"), cancellationToken: _context.Cancellation).ConfigureAwait(false);
                    }
                    catch (TcException e) when (e.Code == TcErrorCode.ArtifactNotFound && e.Target is string key)
                    {
                        throw new TcException(TcErrorCode.ArtifactNotFound, $"Artifact not found: {ProjectRelative(session, key)}", key, e);
                    }
                    return Emit(JsonShapes.Artifact, artifact, () => Out.WriteLine($"Downloaded {ProjectRelative(session, artifact.Key)} -> {a.Value("--output") ?? artifact.LocalPath}"));
                }),
                "list" => WithSession(async session =>
                {
                    a.NoMoreThan(0);
                    var artifacts = await session.Artifacts.ListAsync(step, cancellationToken: _context.Cancellation).ConfigureAwait(false);
                    return Emit(JsonShapes.ArtifactList, artifacts, () =>
                    {
                        if (artifacts.Count == 0) Out.WriteLine("No artifacts found.");
                        foreach (var artifact in artifacts) Out.WriteLine(ProjectRelative(session, artifact.Key));
                    });
                }),
                "delete" => WithSession(async session =>
                {
                    string name = a.Required(0, "name");
                    a.NoMoreThan(1);
                    Artifact deleted;
                    try
                    {
                        deleted = await session.Artifacts.DeleteAsync(name, step, _context.Cancellation).ConfigureAwait(false);
                    }
                    catch (TcException e) when (e.Code == TcErrorCode.ArtifactNotFound && e.Target is string key)
                    {
                        throw new TcException(TcErrorCode.ArtifactNotFound, $"Artifact not found: {ProjectRelative(session, key)}", key, e);
                    }
                    Out.WriteLine($"Deleted {ProjectRelative(session, deleted.Key)}");
                    return TracecraftCli.Success;
                }),
                _ => throw CliArguments.Usage($"artifact: invalid choice: '{action}' (choose from upload, download, list, delete)"),
            };
        }

        private Task<int> HandoffAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, None, new[] { "--history" });
            string step = a.Required(0, "step_id");
            a.NoMoreThan(1);
            return WithSession(async session =>
            {
                var current = await session.Steps.GetHandoffAsync(step, _context.Cancellation).ConfigureAwait(false);
                var handoffs = (a.Flag("--history") ? await session.Steps.GetHandoffHistoryAsync(step, _context.Cancellation).ConfigureAwait(false) : Array.Empty<Handoff>())
                    .Concat(current is null ? Array.Empty<Handoff>() : new[] { current }).ToList();
                if (handoffs.Count == 0) throw new TcException(TcErrorCode.InvalidArgument, $"No handoff for step {step}.", step);
                if (_json) return Emit(JsonShapes.HandoffList, handoffs, TextElsewhere);
                for (int i = 0; i < handoffs.Count; i++)
                {
                    var h = handoffs[i];
                    if (i > 0) Out.WriteLine();
                    Out.WriteLine($"{h.FromStep}: {h.State} by {h.FromAgent} at {WireTime.Format(h.CreatedAt)}");
                    if (h.NextAgent is not null) Out.WriteLine($"next agent: {h.NextAgent}");
                    if (h.NextAction is not null) Out.WriteLine($"next action: {h.NextAction}");
                    if (h.Note is not null) Out.WriteLine($"note: {h.Note}");
                    if (h.ChangedFiles is { Length: > 0 }) Out.WriteLine($"changed files: {string.Join(", ", h.ChangedFiles)}");
                }
                return TracecraftCli.Success;
            });
        }

        private Task<int> StepAsync(List<string> args)
        {
            if (args.Count == 0 || args[0] != "new") throw CliArguments.Usage("step: choose 'new'");
            var a = CliArguments.Parse(args.Skip(1).ToList(), new[] { "--depends-on", "--description", "--priority", "--max-attempts", "--lease" }, None);
            string step = a.Required(0, "step_id");
            a.NoMoreThan(1);
            var dependsOn = (a.Value("--depends-on") ?? "").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(d => d.Trim()).ToList();
            var definition = new StepDefinition
            {
                Id = step,
                DependsOn = dependsOn,
                Description = a.Value("--description"),
                Priority = a.Whole("--priority", TcOptions.MinPriority, TcOptions.MaxPriority) ?? 0,
                MaxAttempts = a.Whole("--max-attempts", TcOptions.MinMaxAttempts, TcOptions.MaxMaxAttempts),
                LeaseSeconds = a.Seconds("--lease"),
            };
            return WithSession(async session =>
            {
                var defined = await session.Steps.DefineAsync(definition, _context.Cancellation).ConfigureAwait(false);
                return Emit(JsonShapes.Step, defined, () =>
                    Out.WriteLine(dependsOn.Count == 0 ? $"Defined step {step}" : $"Defined step {step} (depends on: {string.Join(", ", dependsOn)})"));
            });
        }

        private Task<int> ReadyAsync(List<string> args)
        {
            CliArguments.Parse(args, None, None).NoMoreThan(0);
            return WithSession(async session =>
            {
                var ready = await session.Steps.GetReadyAsync(_context.Cancellation).ConfigureAwait(false);
                return Emit(JsonShapes.StepList, ready, () =>
                {
                    if (ready.Count == 0) Out.WriteLine("No steps ready.");
                    foreach (var s in ready) Out.WriteLine(s.Id);
                });
            });
        }

        private Task<int> HeartbeatAsync(List<string> args)
        {
            CliArguments.Parse(args, None, None).NoMoreThan(0);
            return WithSession(async session =>
            {
                var agent = await session.Agents.HeartbeatAsync(cancellationToken: _context.Cancellation).ConfigureAwait(false);
                return Emit(JsonShapes.Agent, agent, () => Out.WriteLine($"Heartbeat sent for {session.AgentId}"));
            });
        }

        /// <summary>
        /// Writes (or with --print shows) the instructions an agent harness needs, as a marked block in its instructions
        /// file; needs no config, so it can run before init.
        /// </summary>
        private Task<int> SetupAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--path" }, new[] { "--print" });
            string target = a.Required(0, "target");
            a.NoMoreThan(1);
            if (!AgentInstructions.Targets.Contains(target))
                throw CliArguments.Usage($"argument target: invalid choice: '{target}' (choose from {string.Join(", ", AgentInstructions.Targets)})");
            string block = AgentInstructions.Block(target);
            if (a.Flag("--print"))
            {
                foreach (string line in block.Split('\n')) Out.WriteLine(line);
                return Task.FromResult(TracecraftCli.Success);
            }
            string path = AgentInstructions.ResolvePath(target, a.Value("--path"), _context.WorkingDirectory);
            Out.WriteLine(MarkedBlock.WriteTo(path, block) switch
            {
                MarkedBlockChange.Created => $"Wrote the tracecraft instructions to {path}",
                MarkedBlockChange.Updated => $"Updated the tracecraft instructions in {path}",
                _ => $"{path} already has the current tracecraft instructions",
            });
            return Task.FromResult(TracecraftCli.Success);
        }

        /// <summary>Writes the project's HTML report (timeline, step graph, agents, handoffs) to the --html file.</summary>
        private Task<int> ReportAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--html" }, None);
            a.NoMoreThan(0);
            string target = a.Value("--html") ?? throw CliArguments.Usage("the following arguments are required: --html");
            if (target.Length == 0) throw CliArguments.Usage("argument --html: give the path of the file to write");
            string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(_context.WorkingDirectory, target));
            return WithSession(async session =>
            {
                var snapshot = await new ProjectReader(session, new ProjectReaderOptions { History = true }).RefreshAsync(_context.Cancellation).ConfigureAwait(false);
                Report.HtmlReport.Write(snapshot, path);
                Out.WriteLine($"Report written to {path} ({snapshot.Steps.Count} step(s), {snapshot.Agents.Count} agent(s), {snapshot.MessageMarks.Count} message(s))");
                return TracecraftCli.Success;
            });
        }

        /// <summary>
        /// The live board. In a terminal (this process's own stdout, no NO_COLOR) it fills the screen until q or Ctrl-C,
        /// both a normal end (exit 0); otherwise, and with --once, plain-text frames. A viewer is not an agent: no heartbeat.
        /// </summary>
        private async Task<int> WatchAsync(List<string> args)
        {
            var a = CliArguments.Parse(args, new[] { "--interval" }, new[] { "--once" });
            a.NoMoreThan(0);
            var interval = a.Seconds("--interval") is double seconds ? TimeSpan.FromSeconds(seconds) : Board.LiveBoard.DefaultInterval;
            bool once = a.Flag("--once");
            // One document per call: a board that redraws until Ctrl-C has none to give.
            if (_json && !once) throw CliArguments.Usage("watch --json needs --once (one frame, one document)");
            using var session = OpenSession();
            if (!once && ReferenceEquals(Out, Console.Out) && Board.LiveBoard.CanDrawLive(_context.Environment))
            {
                Board.LiveBoard.RunLive(session, interval, _context.Cancellation);
                return TracecraftCli.Success;
            }
            int width = 100;
            try { if (!Console.IsOutputRedirected && Console.WindowWidth > 0) width = Console.WindowWidth; } catch (System.IO.IOException) { }
            bool read = await Board.LiveBoard.RunPlainAsync(session, frame => { Out.WriteLine(frame); Out.WriteLine(); Out.Flush(); }, once, interval, width, _context.Cancellation).ConfigureAwait(false);
            return read ? TracecraftCli.Success : TracecraftCli.Failure;
        }

        /// <summary>The original's check, with its words (the engine would refuse an empty key too, less plainly).</summary>
        private static string NonEmptyKey(string key) =>
            key.Length > 0 ? key : throw new TcException(TcErrorCode.InvalidIdentifier, "Key cannot be empty", key);

        /// <summary>An object key as the original prints it: relative to the project (artifacts/design/mockup.html).</summary>
        private static string ProjectRelative(TcSession session, string key) =>
            key.StartsWith(session.Layout.Root, StringComparison.Ordinal) ? key.Substring(session.Layout.Root.Length) : key;
    }
}
