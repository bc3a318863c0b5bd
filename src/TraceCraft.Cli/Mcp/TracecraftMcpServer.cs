using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TraceCraft.CommandLine;
using TraceCraft.Errors;

namespace TraceCraft.Cli.Native.Mcp
{
    /// <summary>
    /// <c>tracecraft mcp</c>: an MCP server over stdio (the official SDK's low-level server: tools listed and called
    /// through two handlers, no reflection). Each tool call runs the matching <c>tracecraft</c> verb in this process
    /// (<see cref="TracecraftCli.RunAsync"/>) with its output captured, so the server has no operation of its own: the
    /// same configuration, the same <c>TRACECRAFT_AGENT</c>, the same checks and errors as the command line.
    /// </summary>
    internal static class TracecraftMcpServer
    {
        /// <summary>
        /// Whether tool calls ask the verbs for one JSON document on stdout (and JSON errors on stderr) with the global
        /// <c>--json</c> flag. Off while the command line has no such flag: the tools then return the verbs' text lines.
        /// The one place to turn it on.
        /// </summary>
        internal static readonly bool JsonOutput = false;

        private const string Instructions =
            "TraceCraft coordinates several agents through a shared store: claim a step before working on it (claim, or claim_next for any " +
            "ready one), complete it with a handoff note, wait at barriers for others' steps, exchange messages (send, inbox) and shared " +
            "values (memory_*), and share files (artifact_*). With a lease, renew before it expires and pass the fencing token to complete.";

        /// <summary>Serves MCP on stdin/stdout until the client closes stdin or <paramref name="cancellation"/> fires.</summary>
        public static async Task<int> RunAsync(CancellationToken cancellation)
        {
            var tools = McpToolCatalog.Tools.Select(ToProtocolTool).ToList();
            var options = new McpServerOptions
            {
                ServerInfo = new Implementation { Name = "tracecraft", Version = typeof(TracecraftCli).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" },
                ServerInstructions = Instructions,
                Capabilities = new ServerCapabilities { Tools = new ToolsCapability() },
                Handlers = new McpServerHandlers
                {
                    ListToolsHandler = (_, _) => new ValueTask<ListToolsResult>(new ListToolsResult { Tools = tools }),
                    CallToolHandler = (request, token) => new ValueTask<CallToolResult>(CallAsync(request.Params?.Name, request.Params?.Arguments, ProgressSink(request), token)),
                },
            };
            // The transport writes MCP frames to the raw stdout stream. Console.Out is pointed at stderr from here on,
            // so that nothing else (a stray write anywhere in the process) can put a line between two frames.
            var transport = new StdioServerTransport("tracecraft");
            Console.SetOut(Console.Error);
            await using (transport.ConfigureAwait(false))
            {
                var server = McpServer.Create(transport, options);
                await using (server.ConfigureAwait(false))
                {
                    try
                    {
                        await server.RunAsync(cancellation).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                    {
                        // Ctrl+C: the server stops; not a failure.
                    }
                }
            }
            return TracecraftCli.Success;
        }

        /// <summary>
        /// Runs one tool: checks the arguments, runs the verb, and turns its exit code and output into the result.
        /// Exit 0 is the verb's stdout (its stderr, such as a fencing token or a warning, as a second text); exit 3 of
        /// claim_next is the answer "nothing ready"; any other exit is an error result with the verb's error.
        /// </summary>
        internal static async Task<CallToolResult> CallAsync(string? name, IDictionary<string, JsonElement>? arguments, Action<string>? progress, CancellationToken cancellation)
        {
            var tool = McpToolCatalog.Find(name ?? "")
                ?? throw new McpProtocolException($"Unknown tool: '{name}'. The tools are: {string.Join(", ", McpToolCatalog.Tools.Select(t => t.Name))}.", McpErrorCode.InvalidParams);
            McpToolArguments checkedArguments;
            try
            {
                checkedArguments = McpToolArguments.Validate(tool, arguments);
            }
            catch (TcException e)
            {
                return ErrorResult(e);
            }
            var args = tool.ToCommandLine(checkedArguments, JsonOutput);

            using var output = new StringWriter { NewLine = "\n" };
            using var error = new LineObservingWriter(progress);
            int exitCode = await TracecraftCli.RunAsync(args, new CliContext
            {
                Out = output,
                Error = error,
                WorkingDirectory = Directory.GetCurrentDirectory(),
                Environment = Environment.GetEnvironmentVariable,
                Cancellation = cancellation,
            }).ConfigureAwait(false);
            string stdout = output.ToString().TrimEnd('\n'), stderr = error.ToString().TrimEnd('\n');

            if (exitCode == TracecraftCli.Success || (exitCode == TracecraftCli.NothingReady && tool.NothingReadyIsAnswer))
            {
                var content = new List<ContentBlock>();
                // claim_next with nothing ready says so on stderr only ("No ready step."): that line is the answer.
                if (stdout.Length > 0 || stderr.Length == 0) content.Add(new TextContentBlock { Text = stdout });
                if (stderr.Length > 0) content.Add(new TextContentBlock { Text = stderr });
                return new CallToolResult { Content = content, StructuredContent = JsonObjectOrNull(stdout) };
            }
            if (stderr.Length == 0 && stdout.Length == 0 && tool.SilentFailure is not null) return ErrorResult(tool.SilentFailure(checkedArguments));
            string message = stderr.Length > 0 ? stderr
                : stdout.Length > 0 ? stdout
                : $"tracecraft {tool.Name} failed (exit code {exitCode}) without a message.";
            return new CallToolResult
            {
                IsError = true,
                Content = new List<ContentBlock> { new TextContentBlock { Text = message } },
                StructuredContent = JsonObjectOrNull(stderr),
            };
        }

        /// <summary>
        /// When the client asked for progress (a progressToken), each line the verb writes on stderr while it runs
        /// ("Waiting for: design (5s elapsed)") goes to the client as a progress notification: it shows the wait is alive,
        /// and a client that resets its request timeout on progress can wait past it.
        /// </summary>
        private static Action<string>? ProgressSink(RequestContext<CallToolRequestParams> request)
        {
            if (request.Params?.ProgressToken is not ProgressToken token) return null;
            var server = request.Server;
            int count = 0;
            return line =>
            {
                var value = new ProgressNotificationValue { Progress = Interlocked.Increment(ref count), Message = line };
                _ = NotifyQuietlyAsync(server, token, value);
            };
        }

        private static async Task NotifyQuietlyAsync(McpServer server, ProgressToken token, ProgressNotificationValue value)
        {
            try
            {
                await server.NotifyProgressAsync(token, value).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A progress notice that cannot be sent (the client left) changes nothing about the call itself.
            }
        }

        private static Tool ToProtocolTool(McpTool tool) => new Tool
        {
            Name = tool.Name,
            Description = tool.Description,
            InputSchema = tool.InputSchema(),
            Annotations = new ToolAnnotations { ReadOnlyHint = tool.ReadOnly, OpenWorldHint = false },
        };

        /// <summary>An error found before any verb ran (a bad argument), in the shape of the command line's JSON errors.</summary>
        private static CallToolResult ErrorResult(TcException e)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer, McpJson.WriterOptions))
            {
                json.WriteStartObject();
                json.WriteStartObject("error");
                json.WriteString("id", e.Code.ToString());
                json.WriteString("message", e.Message);
                if (e.Target is null) json.WriteNull("target");
                else json.WriteString("target", e.Target.ToString());
                json.WriteEndObject();
                json.WriteEndObject();
            }
            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            return new CallToolResult
            {
                IsError = true,
                Content = new List<ContentBlock> { new TextContentBlock { Text = document.RootElement.GetRawText() } },
                StructuredContent = document.RootElement.Clone(),
            };
        }

        /// <summary>The text as structured content when it is one JSON object (MCP's structuredContent is an object); else null.</summary>
        private static JsonElement? JsonObjectOrNull(string text)
        {
            string trimmed = text.Trim();
            if (!trimmed.StartsWith("{", StringComparison.Ordinal)) return null;
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>Collects what a verb writes (as a StringWriter does) and reports each whole line as it is written.</summary>
    internal sealed class LineObservingWriter : StringWriter
    {
        private readonly Action<string>? _line;

        public LineObservingWriter(Action<string>? line)
        {
            _line = line;
            NewLine = "\n";
        }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (!string.IsNullOrEmpty(value)) _line?.Invoke(value!);
        }
    }
}
