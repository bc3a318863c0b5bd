using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using TraceCraft.Errors;

namespace TraceCraft.Cli.Native.Mcp
{
    /// <summary>
    /// One MCP tool: its name, what it does, its arguments and the <c>tracecraft</c> command line it runs. A tool does
    /// no work of its own: <see cref="ToCommandLine"/> turns checked arguments into the verb's argument list, and the
    /// server runs that verb in-process (<see cref="TracecraftMcpServer"/>).
    /// </summary>
    internal sealed class McpTool
    {
        private readonly Func<McpToolArguments, CliCall> _map;

        public McpTool(string name, string description, IReadOnlyList<McpParameter> parameters, Func<McpToolArguments, CliCall> map)
        {
            Name = name;
            Description = description;
            Parameters = parameters;
            _map = map;
        }

        public string Name { get; }
        public string Description { get; }
        public IReadOnlyList<McpParameter> Parameters { get; }
        /// <summary>Reads the store only (an MCP hint: a client may call it without asking).</summary>
        public bool ReadOnly { get; init; }
        /// <summary>Exit code 3 (claim --next found no ready step) is an answer, not a failure.</summary>
        public bool NothingReadyIsAnswer { get; init; }
        /// <summary>
        /// The error of a verb that fails without a message (memory get of a missing key prints only an empty line, as
        /// the original does): what the tool says instead.
        /// </summary>
        public Func<McpToolArguments, TcException>? SilentFailure { get; init; }

        /// <summary>The command line for <paramref name="arguments"/> (checked with <see cref="McpToolArguments.Validate"/>).</summary>
        public IReadOnlyList<string> ToCommandLine(McpToolArguments arguments, bool json) => _map(arguments).ToArguments(json);

        /// <summary>The JSON Schema of the tool's arguments: an object of exactly these properties.</summary>
        public JsonElement InputSchema()
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer, McpJson.WriterOptions))
            {
                json.WriteStartObject();
                json.WriteString("type", "object");
                json.WriteStartObject("properties");
                foreach (var parameter in Parameters)
                {
                    json.WritePropertyName(parameter.Name);
                    parameter.WriteSchema(json);
                }
                json.WriteEndObject();
                var required = Parameters.Where(p => p.Required).ToList();
                if (required.Count > 0)
                {
                    json.WriteStartArray("required");
                    foreach (var parameter in required) json.WriteStringValue(parameter.Name);
                    json.WriteEndArray();
                }
                json.WriteBoolean("additionalProperties", false);
                json.WriteEndObject();
            }
            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            return document.RootElement.Clone();
        }
    }

    /// <summary>The arguments of one tool call, each checked against the tool's parameters.</summary>
    internal sealed class McpToolArguments
    {
        private readonly Dictionary<string, McpArgumentValue> _values;

        private McpToolArguments(Dictionary<string, McpArgumentValue> values) => _values = values;

        /// <summary>
        /// Checks what the client sent: no unknown argument, every required one present, each of its kind and within
        /// its bounds. A JSON null counts as absent (some clients send null for an optional argument they leave out).
        /// </summary>
        public static McpToolArguments Validate(McpTool tool, IEnumerable<KeyValuePair<string, JsonElement>>? sent)
        {
            var values = new Dictionary<string, McpArgumentValue>(StringComparer.Ordinal);
            foreach (var pair in sent ?? Enumerable.Empty<KeyValuePair<string, JsonElement>>())
            {
                var parameter = tool.Parameters.FirstOrDefault(p => p.Name == pair.Key);
                if (parameter is null)
                {
                    string known = tool.Parameters.Count == 0 ? "it takes no arguments" : "its arguments are " + string.Join(", ", tool.Parameters.Select(p => p.Name));
                    throw new TcException(TcErrorCode.InvalidArgument, $"Tool '{tool.Name}' has no argument '{pair.Key}': {known}.", pair.Key);
                }
                if (pair.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) continue;
                values[pair.Key] = parameter.Read(pair.Value);
            }
            foreach (var parameter in tool.Parameters.Where(p => p.Required && !values.ContainsKey(p.Name)))
                throw new TcException(TcErrorCode.InvalidArgument, $"Tool '{tool.Name}' needs the argument '{parameter.Name}': {parameter.Description}", parameter.Name);
            return new McpToolArguments(values);
        }

        /// <summary>The text of a one-value argument; null when absent.</summary>
        public string? Text(string name) => _values.TryGetValue(name, out var v) && v.Texts.Count > 0 ? v.Text : null;

        /// <summary>The texts of a list argument; empty when absent.</summary>
        public IReadOnlyList<string> Texts(string name) => _values.TryGetValue(name, out var v) ? v.Texts : Array.Empty<string>();

        /// <summary>Whether a boolean argument is true (absent is false).</summary>
        public bool Switch(string name) => _values.TryGetValue(name, out var v) && v.IsOn;

        /// <summary>A JSON argument as sent; null when absent.</summary>
        public JsonElement? Json(string name) => _values.TryGetValue(name, out var v) ? v.Json : null;
    }

    /// <summary>
    /// A <c>tracecraft</c> command line being put together: the verb words, then options, then <c>--</c> and the
    /// positional values. The <c>--</c> matters: a message, key or step id that starts with '-' ("-D", "--help") is
    /// then taken as a value, never as an option.
    /// </summary>
    internal sealed class CliCall
    {
        private readonly string[] _verb;
        private readonly List<string> _options = new List<string>();
        private readonly List<string> _positionals = new List<string>();

        public CliCall(params string[] verb) => _verb = verb;

        /// <summary><c>option value</c> when the value is given.</summary>
        public CliCall Option(string option, string? value)
        {
            if (value is not null) _options.AddRange(new[] { option, value });
            return this;
        }

        /// <summary>The flag when <paramref name="on"/>.</summary>
        public CliCall Flag(string option, bool on = true)
        {
            if (on) _options.Add(option);
            return this;
        }

        public CliCall Positional(string? value)
        {
            if (value is not null) _positionals.Add(value);
            return this;
        }

        public CliCall Positionals(IEnumerable<string> values)
        {
            _positionals.AddRange(values);
            return this;
        }

        /// <summary>
        /// The argument list. With <paramref name="json"/> the verb's <c>--json</c> (one JSON document on stdout) comes
        /// right after the verb words, before any <c>--</c>.
        /// </summary>
        public IReadOnlyList<string> ToArguments(bool json)
        {
            var args = new List<string>(_verb);
            if (json) args.Add("--json");
            args.AddRange(_options);
            if (_positionals.Count > 0)
            {
                args.Add("--");
                args.AddRange(_positionals);
            }
            return args;
        }
    }
}
