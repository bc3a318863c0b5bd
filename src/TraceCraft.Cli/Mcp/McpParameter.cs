using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using TraceCraft.Errors;

namespace TraceCraft.Cli.Native.Mcp
{
    /// <summary>The JSON kinds a tool argument can have; each maps to one JSON Schema type.</summary>
    internal enum McpParameterKind
    {
        /// <summary>A string.</summary>
        Text,
        /// <summary>A whole number (JSON Schema <c>integer</c>).</summary>
        Whole,
        /// <summary>A number of seconds (JSON Schema <c>number</c>), possibly fractional.</summary>
        Seconds,
        /// <summary>A boolean.</summary>
        Switch,
        /// <summary>An array of strings (at least one).</summary>
        TextList,
        /// <summary>Any JSON value (a memory value).</summary>
        Json,
    }

    /// <summary>
    /// One argument of an MCP tool: its name, kind, description and bounds. The tool's JSON input schema is written
    /// from these (<see cref="McpTool.WriteInputSchema"/>) and the arguments a client sends are checked against the same
    /// definitions (<see cref="McpToolArguments.Validate"/>), so that the schema a client sees and the checks the
    /// server makes cannot drift apart.
    /// </summary>
    internal sealed class McpParameter
    {
        public McpParameter(string name, McpParameterKind kind, string description)
        {
            Name = name;
            Kind = kind;
            Description = description;
        }

        public string Name { get; }
        public McpParameterKind Kind { get; }
        public string Description { get; }
        public bool Required { get; init; }
        public double? Minimum { get; init; }
        public double? Maximum { get; init; }
        /// <summary>The only values a <see cref="McpParameterKind.Text"/> argument may take, when set.</summary>
        public IReadOnlyList<string>? Choices { get; init; }

        public static McpParameter Text(string name, string description, bool required = false) =>
            new McpParameter(name, McpParameterKind.Text, description) { Required = required };

        public static McpParameter Switch(string name, string description) => new McpParameter(name, McpParameterKind.Switch, description);

        /// <summary>The JSON Schema of this argument.</summary>
        public void WriteSchema(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            switch (Kind)
            {
                case McpParameterKind.Text: json.WriteString("type", "string"); break;
                case McpParameterKind.Whole: json.WriteString("type", "integer"); break;
                case McpParameterKind.Seconds: json.WriteString("type", "number"); break;
                case McpParameterKind.Switch: json.WriteString("type", "boolean"); break;
                case McpParameterKind.TextList:
                    json.WriteString("type", "array");
                    json.WriteStartObject("items");
                    json.WriteString("type", "string");
                    json.WriteEndObject();
                    json.WriteNumber("minItems", 1);
                    break;
                case McpParameterKind.Json:
                    // Any JSON value but null, said explicitly (a schema with no keyword constrains nothing), as anyOf
                    // branches of one type each: clients that map schemas onto a single-type dialect reject a type array.
                    json.WriteStartArray("anyOf");
                    foreach (string type in new[] { "string", "number", "boolean", "array", "object" })
                    {
                        json.WriteStartObject();
                        json.WriteString("type", type);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    break;
            }
            json.WriteString("description", Description);
            if (Minimum is double min) json.WriteNumber("minimum", min);
            if (Maximum is double max) json.WriteNumber("maximum", max);
            if (Choices is not null)
            {
                json.WriteStartArray("enum");
                foreach (string choice in Choices) json.WriteStringValue(choice);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }

        /// <summary>
        /// The argument as the command line takes it (text), or a <see cref="TcErrorCode.InvalidArgument"/> error that
        /// names the argument and says what it must be.
        /// </summary>
        public McpArgumentValue Read(JsonElement value)
        {
            switch (Kind)
            {
                case McpParameterKind.Text:
                {
                    // Some clients send what looks like a number as a number ("--tool-arg step=42"): a step id or a key
                    // may well be "42", so take the number's own text rather than refuse it.
                    string text = value.ValueKind switch
                    {
                        JsonValueKind.String => value.GetString()!,
                        JsonValueKind.Number => value.GetRawText(),
                        _ => throw Invalid($"must be a string, not {Describe(value)}"),
                    };
                    if (Choices is not null && !Choices.Contains(text, StringComparer.Ordinal))
                        throw Invalid($"must be one of {string.Join(", ", Choices)}, not '{text}'");
                    return McpArgumentValue.Single(text);
                }
                case McpParameterKind.Whole:
                {
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long whole))
                        throw Invalid($"must be a whole number, not {Describe(value)}");
                    CheckRange(whole);
                    return McpArgumentValue.Single(whole.ToString(CultureInfo.InvariantCulture));
                }
                case McpParameterKind.Seconds:
                {
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double seconds) || double.IsNaN(seconds) || double.IsInfinity(seconds))
                        throw Invalid($"must be a number of seconds, not {Describe(value)}");
                    CheckRange(seconds);
                    return McpArgumentValue.Single(seconds.ToString("R", CultureInfo.InvariantCulture));
                }
                case McpParameterKind.Switch:
                    return value.ValueKind switch
                    {
                        JsonValueKind.True => McpArgumentValue.On,
                        JsonValueKind.False => McpArgumentValue.Off,
                        _ => throw Invalid($"must be true or false, not {Describe(value)}"),
                    };
                case McpParameterKind.TextList:
                {
                    if (value.ValueKind != JsonValueKind.Array) throw Invalid($"must be an array of strings, not {Describe(value)}");
                    var items = new List<string>();
                    foreach (var item in value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String) throw Invalid($"must hold strings only, not {Describe(item)}");
                        items.Add(item.GetString()!);
                    }
                    if (items.Count == 0) throw Invalid("must name at least one");
                    return McpArgumentValue.Many(items);
                }
                default:
                    return McpArgumentValue.FromJson(value);
            }
        }

        private void CheckRange(double number)
        {
            if ((Minimum is double min && number < min) || (Maximum is double max && number > max))
                throw Invalid($"is {number.ToString(CultureInfo.InvariantCulture)}: give {Minimum?.ToString(CultureInfo.InvariantCulture) ?? "any"} to {Maximum?.ToString(CultureInfo.InvariantCulture) ?? "any"}");
        }

        private TcException Invalid(string what) =>
            new TcException(TcErrorCode.InvalidArgument, $"Argument '{Name}' {what}.", Name);

        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            JsonValueKind.Null => "null",
            _ => "nothing",
        };
    }

    /// <summary>A checked argument: its text for the command line (one value, several, or a switch), and its JSON.</summary>
    internal sealed class McpArgumentValue
    {
        private McpArgumentValue(IReadOnlyList<string> texts, bool isOn, JsonElement? json)
        {
            Texts = texts;
            IsOn = isOn;
            Json = json;
        }

        public static readonly McpArgumentValue On = new McpArgumentValue(Array.Empty<string>(), true, null);
        public static readonly McpArgumentValue Off = new McpArgumentValue(Array.Empty<string>(), false, null);

        public static McpArgumentValue Single(string text) => new McpArgumentValue(new[] { text }, true, null);
        public static McpArgumentValue Many(IReadOnlyList<string> texts) => new McpArgumentValue(texts, true, null);
        public static McpArgumentValue FromJson(JsonElement json) => new McpArgumentValue(Array.Empty<string>(), true, json.Clone());

        public IReadOnlyList<string> Texts { get; }
        public string Text => Texts[0];
        public bool IsOn { get; }
        /// <summary>The value as the client sent it (for <see cref="McpParameterKind.Json"/> arguments).</summary>
        public JsonElement? Json { get; }
    }
}
