using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using TraceCraft.CommandLine;
using TraceCraft.CommandLine.Json;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Cli
{
    /// <summary>docs/json-output.md against the shapes in code (src/TraceCraft.CommandLine/Json) and the engine's types.</summary>
    public sealed class JsonOutputDocTests
    {
        private static JsonOutputDoc Doc => JsonOutputDoc.Current;

        [Fact]
        public void Every_shape_in_code_is_documented_with_the_same_fields_and_types_in_order()
        {
            foreach (var shape in JsonShapes.All)
            {
                Assert.True(Doc.Shapes.ContainsKey(shape.Name), $"docs/json-output.md has no '### {shape.Name}' section");
                Assert.Equal(shape.Fields.Select(f => $"{f.Name}: {f.Type}"), Doc.Shapes[shape.Name].Select(f => $"{f.Name}: {f.Type}"));
            }
            Assert.Empty(Doc.Shapes.Keys.Except(JsonShapes.All.Select(s => s.Name)));
        }

        [Fact]
        public void A_model_shape_writes_every_public_property_of_the_engine_type_but_the_documented_omissions()
        {
            foreach (var shape in JsonShapes.All.Where(s => s.Model is not null))
            {
                var properties = shape.Model!.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToList();
                Assert.Empty(shape.Omitted.Except(properties));
                var expected = properties.Except(shape.Omitted).Select(CamelCase).OrderBy(n => n, StringComparer.Ordinal);
                Assert.Equal(expected, shape.Fields.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
                Assert.Equal(shape.Omitted.OrderBy(n => n), Doc.Omitted[shape.Name].OrderBy(n => n));
            }
        }

        [Fact]
        public void Every_verb_of_the_command_line_has_a_row_and_every_row_names_a_document()
        {
            var firstWords = Doc.Commands.Keys.Select(c => c.Split(' ')[0]).ToHashSet();
            foreach (string verb in CliHelp.Verbs) Assert.Contains(verb, firstWords);
            foreach (var (command, shape) in Doc.Commands)
                Assert.True(shape == JsonOutputDoc.BareValue || JsonShapes.All.Any(s => s.Name == shape), $"'{command}' names an unknown document '{shape}'");
        }

        private static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);
    }

    /// <summary>
    /// Every verb with --json, run in-process as both hosts run it: its stdout parses and has exactly the fields
    /// docs/json-output.md lists for it; errors and exit codes as documented.
    /// </summary>
    public abstract class JsonOutputTests<TBackend> : IClassFixture<TBackend> where TBackend : Backend
    {
        private readonly string _project = TestS3Server.UniqueName("json");
        private readonly HashSet<string> _driven = new HashSet<string>(StringComparer.Ordinal);

        protected JsonOutputTests(TBackend backend)
        {
            Backend = backend;
            Root = Directory.CreateDirectory(Path.Combine(backend.TempFolder, _project)).FullName;
        }

        protected TBackend Backend { get; }
        protected string Root { get; }

        protected abstract string InitArguments(string agent);

        private static JsonOutputDoc Doc => JsonOutputDoc.Current;

        private (int Code, string Out, string Err) Run(string agent, params string[] args)
        {
            string folder = Directory.CreateDirectory(Path.Combine(Root, agent)).FullName;
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            var env = new Dictionary<string, string> { ["TRACECRAFT_HOME"] = Path.Combine(Root, "home-" + agent) };
            int code = TracecraftCli.Run(args, new CliContext
            {
                Out = stdout,
                Error = stderr,
                WorkingDirectory = folder,
                Environment = name => env.TryGetValue(name, out var v) ? v : null,
            });
            return (code, stdout.ToString(), stderr.ToString());
        }

        private string[] InitLine(string agent) =>
            ("init --project " + _project + " --agent " + agent + " " + InitArguments(agent)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

        /// <summary>Runs a command that must succeed with exit code <paramref name="code"/>; checks its document against the doc.</summary>
        private JsonElement Json(string command, string agent, string[] args, int code = 0)
        {
            var result = Run(agent, args);
            Assert.True(code == result.Code, $"{string.Join(" ", args)}: exit code {result.Code}, stderr: {result.Err}");
            Assert.Equal("", result.Err);
            _driven.Add(command);
            return Doc.AssertCommandOutput(command, result.Out);
        }

        private JsonElement Json(string command, string agent, params string[] args) => Json(command, agent, args, 0);

        /// <summary>Runs a command that must fail: nothing on stdout, one Error document on stderr.</summary>
        private JsonElement Failed(int code, string agent, params string[] args)
        {
            var result = Run(agent, args);
            Assert.True(code == result.Code, $"{string.Join(" ", args)}: exit code {result.Code}, stderr: {result.Err}");
            Assert.Equal("", result.Out);
            Assert.EndsWith("\n", result.Err);
            Assert.Single(result.Err.TrimEnd('\n').Split('\n'));
            using var parsed = JsonDocument.Parse(result.Err);
            Doc.AssertShape(parsed.RootElement, "Error", string.Join(" ", args));
            return parsed.RootElement.GetProperty("error").Clone();
        }

        [Fact]
        public void Every_command_prints_one_document_with_exactly_the_documented_fields()
        {
            var context = Json("init", "a", InitLine("a").Append("--json").ToArray());
            Assert.Equal("a", context.GetProperty("agent").GetString());
            Assert.Equal(0, Run("b", InitLine("b")).Code);

            Assert.Equal("lint", Json("step new", "a", "step", "new", "lint", "--lease", "300", "--json").GetProperty("id").GetString());
            var build = Json("step new", "a", "--json", "step", "new", "build", "--depends-on", "lint", "--priority", "2");
            Assert.Equal(new[] { "lint" }, build.GetProperty("dependsOn").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(new[] { "lint" }, Json("ready", "a", "ready", "--json").GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()));

            var claim = Json("claim", "a", "claim", "lint", "--lease", "60", "--json").GetProperty("claimed");
            Assert.Equal(1, claim.GetProperty("token").GetInt64());
            Assert.Equal(60, claim.GetProperty("leaseSeconds").GetDouble());
            Assert.Equal(1, Json("renew", "a", "renew", "lint", "--lease", "120", "--token", "1", "--json").GetProperty("token").GetInt64());
            Assert.Equal("pending", Json("release", "a", "release", "lint", "--json").GetProperty("status").GetString());
            long token = Json("claim", "a", "claim", "lint", "--json").GetProperty("claimed").GetProperty("token").GetInt64();
            Assert.Equal(2, token);

            var completed = Json("complete", "a", "complete", "lint", "--note", "green, don't <touch>", "--to", "b", "--token", "2", "--json");
            Assert.Equal("complete", completed.GetProperty("status").GetString());
            Assert.Equal("green, don't <touch>", completed.GetProperty("handoff").GetProperty("note").GetString());
            Assert.Equal("b", completed.GetProperty("handoff").GetProperty("nextAgent").GetString());
            Assert.Equal("complete", Json("step-status", "b", "step-status", "lint", "--json").GetProperty("status").GetString());
            Assert.Equal("lint", Json("wait-for", "b", "wait-for", "lint", "--timeout", "10", "--json").GetProperty("steps")[0].GetProperty("id").GetString());
            Assert.Equal("green, don't <touch>", Json("handoff", "b", "handoff", "lint", "--json").GetProperty("handoffs")[0].GetProperty("note").GetString());
            Assert.Equal("pending", Json("reopen", "a", "reopen", "lint", "--json").GetProperty("status").GetString());
            // Reopened: the handoff of the run before is history.
            Assert.Equal(1, Json("handoff", "b", "handoff", "lint", "--history", "--json").GetProperty("handoffs").GetArrayLength());
            Assert.Equal("lint", Json("claim", "b", "claim", "--next", "--json").GetProperty("claimed").GetProperty("stepId").GetString());
            // Nothing ready: exit code 3 and a document that says so; nothing on stderr.
            Assert.Equal(JsonValueKind.Null, Json("claim", "b", new[] { "claim", "--next", "--json" }, TracecraftCli.NothingReady).GetProperty("claimed").ValueKind);

            var set = Json("memory set", "a", "memory", "set", "cfg", "{\"n\": 1, \"tags\": [\"x\"]}", "--json");
            Assert.Equal(1, set.GetProperty("value").GetProperty("n").GetInt32());
            string version = set.GetProperty("version").GetString()!;
            var text = Json("memory set", "a", "memory", "set", "plain", "\"text\"", "--json");
            Assert.Equal("text", text.GetProperty("value").GetString());
            Assert.Equal(1, Json("memory get", "b", "memory", "get", "cfg", "--json").GetProperty("n").GetInt32());
            var entry = Json("memory get --entry", "b", "memory", "get", "cfg", "--json", "--entry");
            Assert.Equal(version, entry.GetProperty("version").GetString());
            Assert.Equal("a", entry.GetProperty("setBy").GetString());
            Assert.Equal(new[] { "cfg", "plain" }, Json("memory list", "b", "memory", "list", "--json").GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("key").GetString()).OrderBy(k => k));
            Assert.True(Json("memory delete", "a", "memory", "delete", "plain", "--json").GetProperty("deleted").GetBoolean());

            var sent = Json("send", "a", "send", "b", "ready for review", "--json");
            Assert.Equal("direct", sent.GetProperty("kind").GetString());
            var inbox = Json("inbox", "b", "inbox", "--json");
            Assert.Equal(("ready for review", 0), (inbox.GetProperty("messages")[0].GetProperty("text").GetString(), inbox.GetProperty("deleted").GetInt32()));
            Assert.Equal(1, Json("inbox", "b", "inbox", "--delete", "--json").GetProperty("deleted").GetInt32());

            File.WriteAllText(Path.Combine(Root, "a", "report.txt"), "green");
            var uploaded = Json("artifact upload", "a", "artifact", "upload", "report.txt", "--step", "lint", "--json");
            Assert.Equal((5L, "lint"), (uploaded.GetProperty("size").GetInt64(), uploaded.GetProperty("step").GetString()));
            Assert.Equal("report.txt", Json("artifact list", "b", "artifact", "list", "--json").GetProperty("artifacts")[0].GetProperty("name").GetString());
            var downloaded = Json("artifact download", "b", "artifact", "download", "report.txt", "--step", "lint", "-o", "got.txt", "--json");
            Assert.Equal(Path.Combine(Root, "b", "got.txt"), downloaded.GetProperty("localPath").GetString());

            Assert.Contains("Deleted", Json("artifact delete", "a", "artifact", "delete", "report.txt", "--step", "lint", "--json").GetProperty("lines")[0].GetString());
            Assert.Equal(JsonValueKind.Array, Json("session", "a", "session", "list", "--json").GetProperty("lines").ValueKind);
            Assert.Contains("<!-- tracecraft:begin -->", Json("setup", "a", "setup", "agents-md", "--print", "--json").GetProperty("lines").EnumerateArray().Select(l => l.GetString()));
            Assert.StartsWith("Report written to", Json("report", "a", "report", "--html", "report.html", "--json").GetProperty("lines")[0].GetString());
            Assert.True(Json("watch", "a", "watch", "--once", "--json").GetProperty("lines").GetArrayLength() > 0);
            Assert.Equal("UsageError", Failed(2, "a", "watch", "--json").GetProperty("id").GetString());
            Assert.Equal("InvalidArgument", Failed(1, "a", "mcp", "--json").GetProperty("id").GetString());
            _driven.Add("mcp");
            Assert.Equal("a", Json("heartbeat", "a", "heartbeat", "--json").GetProperty("id").GetString());
            Assert.Equal(new[] { "a", "b" }, Json("agents", "b", "agents", "--json").GetProperty("agents").EnumerateArray().Select(x => x.GetProperty("id").GetString()));
            Assert.Matches(@"^\d+\.\d+\.\d+$", Json("--version", "a", "--version", "--json").GetProperty("version").GetString());
            Assert.Contains("wait-for", Json("--help", "a", "--json", "--help").GetProperty("help").GetString());
            Assert.Contains("--lease", Json("VERB --help", "a", "claim", "--help", "--json").GetProperty("help").GetString());

            // Every row of the document was driven here, so no command's document goes unchecked.
            Assert.Empty(Doc.Commands.Keys.Except(_driven));
        }

        [Fact]
        public void Errors_are_one_Error_document_on_stderr_with_the_text_modes_exit_codes()
        {
            Assert.Equal(0, Run("a", InitLine("a")).Code);
            Assert.Equal(0, Run("b", InitLine("b")).Code);
            Assert.Equal(0, Run("a", "claim", "s").Code);

            var claimed = Failed(1, "b", "claim", "s", "--json");
            Assert.Equal(("StepAlreadyClaimed", "Step s already claimed by a", "s"),
                (claimed.GetProperty("id").GetString(), claimed.GetProperty("message").GetString(), claimed.GetProperty("target").GetString()));
            var missing = Failed(1, "a", "memory", "get", "no.such.key", "--json");
            Assert.Equal(("MemoryKeyNotFound", "no.such.key"), (missing.GetProperty("id").GetString(), missing.GetProperty("target").GetString()));
            var usage = Failed(2, "a", "claim", "--json");
            Assert.Equal(("UsageError", "the following arguments are required: step_id", JsonValueKind.Null),
                (usage.GetProperty("id").GetString(), usage.GetProperty("message").GetString(), usage.GetProperty("target").ValueKind));
            Assert.Equal("UsageError", Failed(2, "a", "--json", "frobnicate").GetProperty("id").GetString());
            Assert.Equal("UsageError", Failed(2, "a", "--json").GetProperty("id").GetString());
            // --entry belongs to memory get --json only.
            Assert.Equal("UsageError", Failed(2, "a", "memory", "set", "k", "1", "--entry", "--json").GetProperty("id").GetString());
            Assert.StartsWith("Error: argument --entry: only with memory get --json\n", Run("a", "memory", "get", "k", "--entry").Err);
            Assert.Equal("InvalidArgument", Failed(1, "a", "memory", "set", "k", "not json", "--json").GetProperty("id").GetString());
            // No progress lines in JSON mode: the timeout is the only line on stderr.
            var timeout = Failed(1, "a", "wait-for", "never", "--timeout", "0.5", "--json");
            Assert.Equal(("WaitTimeout", "Timeout after 0.5s. Not all steps complete: never"), (timeout.GetProperty("id").GetString(), timeout.GetProperty("message").GetString()));

            // inbox --wait that times out is a result, not an error: an empty inbox document and exit code 1.
            var waited = Run("b", "inbox", "--wait", "--timeout", "0.2", "--json");
            Assert.Equal((1, "{\"messages\":[],\"deleted\":0}\n", ""), waited);
        }

        [Fact]
        public void The_flag_may_stand_anywhere_before_a_double_dash_and_memory_get_keeps_its_bare_value()
        {
            Assert.Equal(0, Run("a", InitLine("a")).Code);
            Assert.Equal(0, Run("a", "memory", "set", "--json", "k", "{\"n\": 1}").Code);
            // The lines memory get --json printed before --json was global, byte for byte.
            Assert.Equal((0, "{\"n\":1}\n", ""), Run("a", "memory", "get", "k", "--json"));
            Assert.Equal((0, "{\"n\":1}\n", ""), Run("a", "--json", "memory", "get", "k"));
            Assert.Equal(0, Run("a", "memory", "set", "s", "text").Code);
            Assert.Equal((0, "\"text\"\n", ""), Run("a", "memory", "get", "s", "--json"));
            // After --, --json is an argument: here, the message sent.
            var sent = Run("a", "--json", "send", "a", "--", "--json");
            Assert.Equal(0, sent.Code);
            using (var doc = JsonDocument.Parse(sent.Out)) Assert.Equal("--json", doc.RootElement.GetProperty("text").GetString());
            Assert.Equal((0, "Sent to a: --json\n", ""), Run("a", "send", "a", "--", "--json"));
        }
    }

    public sealed class FolderJsonOutputTests : JsonOutputTests<FolderBackend>
    {
        public FolderJsonOutputTests(FolderBackend b) : base(b) { }
        protected override string InitArguments(string agent) => $"--backend folder --path {Path.Combine(Root, "bucket")}";
    }

    public sealed class S3JsonOutputTests : JsonOutputTests<S3Backend>
    {
        public S3JsonOutputTests(S3Backend b) : base(b) { }
        protected override string InitArguments(string agent) =>
            $"--endpoint {Backend.Server.Endpoint} --bucket {Backend.Server.Bucket} --access-key {Backend.Server.AccessKey} --secret-key {Backend.Server.SecretKey}";
    }
}
