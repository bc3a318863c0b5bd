using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace TraceCraft.Tests.Cli
{
    /// <summary>
    /// docs/json-output.md as the tests read it: the table of commands (which document each prints) and, per document,
    /// its fields with their types and the model properties it does not write. Output and code are held against this,
    /// so what the document says is what the command prints.
    /// </summary>
    public sealed class JsonOutputDoc
    {
        /// <summary>The document of a command that prints the bare memory value.</summary>
        public const string BareValue = "value";

        private static readonly Lazy<JsonOutputDoc> Loaded = new Lazy<JsonOutputDoc>(() => Parse(File.ReadAllText(PathOfDoc)));

        public static JsonOutputDoc Current => Loaded.Value;

        public static string PathOfDoc
        {
            get
            {
                for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "global.json")) && File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
                        return Path.Combine(dir.FullName, "docs", "json-output.md");
                }
                throw new DirectoryNotFoundException($"No repository root above {AppContext.BaseDirectory}.");
            }
        }

        /// <summary>Command (as the first column writes it: "memory get --entry") → the name of its document.</summary>
        public Dictionary<string, string> Commands { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Document name → its fields in order.</summary>
        public Dictionary<string, List<(string Name, string Type)>> Shapes { get; } = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);

        /// <summary>Document name → the model properties its "Not written:" sentence names.</summary>
        public Dictionary<string, List<string>> Omitted { get; } = new Dictionary<string, List<string>>(StringComparer.Ordinal);

        public static JsonOutputDoc Parse(string markdown)
        {
            var doc = new JsonOutputDoc();
            string? section = null, shape = null;
            foreach (string raw in markdown.Replace("\r\n", "\n").Split('\n'))
            {
                string line = raw.TrimEnd();
                if (line.StartsWith("## ", StringComparison.Ordinal)) { section = line.Substring(3); shape = null; continue; }
                if (line.StartsWith("### ", StringComparison.Ordinal))
                {
                    shape = line.Substring(4).Trim();
                    doc.Shapes[shape] = new List<(string, string)>();
                    doc.Omitted[shape] = new List<string>();
                    continue;
                }
                if (section == "Commands and their documents")
                {
                    var row = Regex.Match(line, @"^\| `([^`]+)` \| (\w+) \|");
                    if (row.Success) doc.Commands.Add(row.Groups[1].Value, row.Groups[2].Value);
                }
                else if (shape is not null)
                {
                    var row = Regex.Match(line, @"^\| `(\w+)` \| ([^|]+?) \|");
                    if (row.Success) doc.Shapes[shape].Add((row.Groups[1].Value, row.Groups[2].Value));
                    var omitted = Regex.Match(line, @"Not written: ([^(]+)");
                    if (omitted.Success)
                        doc.Omitted[shape].AddRange(Regex.Matches(omitted.Groups[1].Value, @"`(\w+)`").Select(m => m.Groups[1].Value));
                }
            }
            return doc;
        }

        /// <summary>Asserts that one command's stdout is exactly one line of JSON with the fields its document lists.</summary>
        public JsonElement AssertCommandOutput(string command, string stdout)
        {
            Assert.True(Commands.TryGetValue(command, out var shape), $"docs/json-output.md has no row for '{command}'");
            Assert.EndsWith("\n", stdout);
            Assert.Single(stdout.TrimEnd('\n').Split('\n'));
            using var parsed = JsonDocument.Parse(stdout);
            var root = parsed.RootElement.Clone();
            if (shape != BareValue) AssertShape(root, shape!, command);
            return root;
        }

        /// <summary>Asserts that a JSON object has exactly the documented fields, in order, each of its documented type.</summary>
        public void AssertShape(JsonElement element, string shape, string path)
        {
            Assert.True(Shapes.TryGetValue(shape, out var fields), $"{path}: docs/json-output.md documents no '{shape}'");
            Assert.True(element.ValueKind == JsonValueKind.Object, $"{path}: expected a {shape} object, got {element.ValueKind}");
            Assert.Equal(fields!.Select(f => f.Name).ToList(), element.EnumerateObject().Select(p => p.Name).ToList());
            foreach (var (name, type) in fields!) AssertType(element.GetProperty(name), type, path + "." + name);
        }

        private void AssertType(JsonElement value, string type, string path)
        {
            bool nullable = type.EndsWith(" or null", StringComparison.Ordinal);
            string bare = nullable ? type.Substring(0, type.Length - " or null".Length) : type;
            if (value.ValueKind == JsonValueKind.Null)
            {
                Assert.True(nullable, $"{path} is null, documented as {type}");
                return;
            }
            switch (bare)
            {
                case "any JSON":
                    return;
                case "string":
                    Assert.True(value.ValueKind == JsonValueKind.String, $"{path}: expected a string, got {value}");
                    return;
                case "time":
                    Assert.True(value.ValueKind == JsonValueKind.String, $"{path}: expected a time, got {value}");
                    Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", value.GetString());
                    return;
                case "integer":
                    Assert.True(value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _), $"{path}: expected an integer, got {value}");
                    return;
                case "number":
                    Assert.True(value.ValueKind == JsonValueKind.Number, $"{path}: expected a number, got {value}");
                    return;
                case "boolean":
                    Assert.True(value.ValueKind is JsonValueKind.True or JsonValueKind.False, $"{path}: expected a boolean, got {value}");
                    return;
            }
            if (bare.StartsWith("array of ", StringComparison.Ordinal))
            {
                Assert.True(value.ValueKind == JsonValueKind.Array, $"{path}: expected an array, got {value}");
                int i = 0;
                foreach (var item in value.EnumerateArray()) AssertType(item, bare.Substring("array of ".Length), $"{path}[{i++}]");
                return;
            }
            AssertShape(value, bare, path);
        }
    }
}
