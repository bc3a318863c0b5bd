using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using TraceCraft.Native.Tests.Infrastructure;
using Xunit;

namespace TraceCraft.Native.Tests
{
    /// <summary>
    /// --json through the published native executable (AOT: serialization without reflection must work there too): a
    /// few verbs print one parsable document with the fields of docs/json-output.md, an error is one JSON line on stderr.
    /// The full field-by-field check of every verb is in TraceCraft.Core.Tests (JsonOutputTests).
    /// </summary>
    public sealed class JsonOutputTests : IDisposable
    {
        private readonly TestWorkspace _workspace = new TestWorkspace();

        public void Dispose() => _workspace.Dispose();

        private Task<CliResult> RunAsync(string agent, params string[] args) => _workspace.RunAsync(agent, args);

        /// <summary>stdout is one line of JSON, stderr empty; returns the document.</summary>
        private static JsonElement Document(CliResult result, int exitCode = 0)
        {
            result.AssertExitCode(exitCode);
            if (result.StandardError.Length != 0) throw result.Fail("expected nothing on stderr");
            if (result.OutLines.Length != 1) throw result.Fail("expected exactly one line on stdout");
            using var parsed = JsonDocument.Parse(result.StandardOutput);
            return parsed.RootElement.Clone();
        }

        private static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

        [Fact]
        public async Task Verbs_print_one_document_and_an_error_is_one_JSON_line_on_stderr()
        {
            var init = Document(await RunAsync("designer", "init", "--project", _workspace.Project, "--agent", "designer", "--backend", "folder", "--path", _workspace.StorePath, "--json"));
            Assert.Equal(new[] { "project", "agent", "backend", "location", "configPath" }, Names(init));
            (await RunAsync("developer", "init", "--project", _workspace.Project, "--agent", "developer", "--backend", "folder", "--path", _workspace.StorePath)).AssertExitCode(0);

            var claim = Document(await RunAsync("designer", "--json", "claim", "design", "--lease", "600")).GetProperty("claimed");
            Assert.Equal(new[] { "stepId", "agent", "claimedAt", "token", "leaseSeconds", "expiresAt", "takenOverFrom", "state", "finishedBy", "finishedAt", "handoff", "version", "failures" }, Names(claim));
            Assert.Equal(("design", "designer", 1L), (claim.GetProperty("stepId").GetString(), claim.GetProperty("agent").GetString(), claim.GetProperty("token").GetInt64()));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", claim.GetProperty("expiresAt").GetString());

            var sent = Document(await RunAsync("designer", "send", "developer", "Grüße, don't <wait>", "--json"));
            Assert.Equal(("Grüße, don't <wait>", "direct"), (sent.GetProperty("text").GetString(), sent.GetProperty("kind").GetString()));
            var inbox = Document(await RunAsync("developer", "inbox", "--json"));
            Assert.Equal("Grüße, don't <wait>", inbox.GetProperty("messages")[0].GetProperty("text").GetString());

            var completed = Document(await RunAsync("designer", "complete", "design", "--note", "done", "--to", "developer", "--token", "1", "--json"));
            Assert.Equal(("complete", "developer"), (completed.GetProperty("status").GetString(), completed.GetProperty("handoff").GetProperty("nextAgent").GetString()));

            var nothing = await RunAsync("developer", "claim", "--next", "--json");
            Assert.Equal(JsonValueKind.Null, Document(nothing, exitCode: 3).GetProperty("claimed").ValueKind);

            var failed = await RunAsync("developer", "claim", "design", "--json");
            failed.AssertExitCode(1).AssertOut();
            if (failed.ErrorLines.Length != 1) throw failed.Fail("expected exactly one line on stderr");
            using (var error = JsonDocument.Parse(failed.StandardError))
            {
                var detail = error.RootElement.GetProperty("error");
                Assert.Equal(new[] { "id", "message", "target" }, Names(detail));
                Assert.Equal(("StepFinished", "design"), (detail.GetProperty("id").GetString(), detail.GetProperty("target").GetString()));
            }

            var usage = await RunAsync("developer", "frobnicate", "--json");
            usage.AssertExitCode(2).AssertOut();
            using (var error = JsonDocument.Parse(usage.StandardError))
                Assert.Equal("UsageError", error.RootElement.GetProperty("error").GetProperty("id").GetString());

            // memory get --json keeps the bare value it printed before --json was global.
            (await RunAsync("designer", "memory", "set", "cfg", "{\"n\": 1}", "--json")).AssertExitCode(0);
            (await RunAsync("developer", "memory", "get", "cfg", "--json")).AssertSucceeded("{\"n\":1}");
        }
    }
}
