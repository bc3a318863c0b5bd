using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using TraceCraft.Native.Tests.Infrastructure;
using Xunit;

namespace TraceCraft.Native.Tests
{
    /// <summary>
    /// No input ends the native executable with an unhandled exception: every one below exits 1 or 2 with an
    /// <c>Error:</c> line (or the usage text), never the runtime's "Unhandled exception" and a stack trace (exit 134).
    /// </summary>
    public sealed class HostileInputTests : IDisposable
    {
        private readonly TestWorkspace _workspace = new TestWorkspace();

        public void Dispose() => _workspace.Dispose();

        /// <summary>Each row: a command line that once crashed, or could: out-of-range and malformed numbers, empty strings, unknown or incomplete flags.</summary>
        public static IEnumerable<object[]> HostileCommandLines() => new[]
        {
            // Crashes seen (exit 134): an endpoint without scheme, TimeSpan overflows, CancelAfter beyond its limit.
            new object[] { new[] { "init", "--project", "p", "--agent", "a", "--endpoint", "127.0.0.1:7480" } },
            new object[] { new[] { "wait-for", "x", "--timeout", "5000000" } },
            new object[] { new[] { "wait-for", "x", "--timeout", "1e300" } },
            new object[] { new[] { "agents", "--stale-after", "1e300" } },
            new object[] { new[] { "inbox", "--wait", "--timeout", "1e300" } },
            // NaN, infinities, negatives, huge integers, garbage.
            new object[] { new[] { "wait-for", "x", "--timeout", "NaN" } },
            new object[] { new[] { "wait-for", "x", "--timeout", "-Infinity" } },
            new object[] { new[] { "wait-for", "x", "--timeout", "-1" } },
            new object[] { new[] { "wait-for", "x", "--timeout=99999999999999999999999" } },
            new object[] { new[] { "inbox", "--wait", "--timeout", "-1" } },
            new object[] { new[] { "inbox", "--wait", "--timeout", "0x10" } },
            new object[] { new[] { "agents", "--stale-after", "-1" } },
            new object[] { new[] { "agents", "--stale-after", "NaN" } },
            new object[] { new[] { "agents", "--stale-after", "0" } },
            new object[] { new[] { "claim", "x", "--lease", "1e300" } },
            new object[] { new[] { "claim", "x", "--lease", "99999999999999999999" } },
            new object[] { new[] { "claim", "x", "--lease", "-1" } },
            new object[] { new[] { "claim", "x", "--lease", "0" } },
            new object[] { new[] { "renew", "x", "--lease", "Infinity" } },
            new object[] { new[] { "memory", "set", "k", "v", "--if-version", "99999999999999999999" } },
            // Empty strings.
            new object[] { new[] { "claim", "" } },
            new object[] { new[] { "send", "", "text" } },
            new object[] { new[] { "memory", "set", "", "x" } },
            new object[] { new[] { "memory", "get", "" } },
            new object[] { new[] { "artifact", "download", "" } },
            new object[] { new[] { "artifact", "upload", "" } },
            new object[] { new[] { "wait-for", "" } },
            new object[] { new[] { "wait-for", "x", "--timeout", "" } },
            new object[] { new[] { "step", "new", "", "--depends-on", ",,," } },
            new object[] { new[] { "init", "--project", "", "--agent", "a", "--backend", "folder" } },
            new object[] { new[] { "init", "--project", "p", "--agent", "", "--backend", "folder" } },
            new object[] { new[] { "init", "--project", "p", "--agent", "a", "--backend", "" } },
            new object[] { new[] { "init", "--project", "p", "--agent", "a", "--endpoint", "ftp://h/" } },
            new object[] { new[] { "" } },
            // Unknown flags and verbs, flags missing their values.
            new object[] { new[] { "--bogus" } },
            new object[] { new[] { "claim", "x", "--bogus" } },
            new object[] { new[] { "claim", "x", "--lease" } },
            new object[] { new[] { "inbox", "--wait", "--timeout" } },
            new object[] { new[] { "init", "--project" } },
            new object[] { new[] { "complete", "x", "--blocked=yes" } },
            new object[] { new[] { "memory" } },
            new object[] { new[] { "artifact" } },
            new object[] { new[] { "step" } },
            new object[] { new[] { "frobnicate" } },
        };

        [Theory]
        [MemberData(nameof(HostileCommandLines))]
        public async Task HostileInput_ExitsOneOrTwo_WithAnErrorLine_NeverAStackTrace(string[] args)
        {
            (await _workspace.RunAsync("designer", "init", "--project", _workspace.Project, "--agent", "designer", "--backend", "folder", "--path", _workspace.StorePath))
                .AssertExitCode(0);
            var result = await _workspace.RunAsync("designer", args);
            AssertCleanFailure(result);
        }

        [Fact]
        public async Task HostileConfig_IsAnErrorLine_NeverAStackTrace()
        {
            string folder = _workspace.AgentDirectory("designer");
            foreach (string config in new[]
            {
                "{\"backend\": \"s3\", \"endpoint\": \"127.0.0.1:7480\", \"bucket\": \"b\", \"project\": \"p\", \"agent_id\": \"a\"}",
                "{\"backend\": \"s3\", \"endpoint\": \"http://[::1\", \"bucket\": \"b\", \"project\": \"p\", \"agent_id\": \"a\"}",
                "{\"backend\": \"folder\", \"path\": \"\\u0000\", \"project\": \"p\", \"agent_id\": \"a\"}",
                "{\"backend\": \"s3\", \"bucket\": \"b\", \"project\": \"p\", \"agent_id\": \"a\", \"access_key\": \"k\", \"secret_key\": \"s\", \"timeout_seconds\": 1e300}",
                "{\"backend\": \"s3\", \"bucket\": \"b\", \"project\": \"\", \"agent_id\": \"\"}",
                "[]",
                "not json",
            })
            {
                File.WriteAllText(Path.Combine(folder, ".tracecraft.json"), config);
                var result = await _workspace.RunAsync("designer", "memory", "get", "k");
                AssertCleanFailure(result);
                Assert.Equal(1, result.ExitCode);
            }
        }

        private static void AssertCleanFailure(CliResult result)
        {
            if (result.ExitCode is not (1 or 2)) throw result.Fail("expected exit code 1 or 2");
            bool errorLine = result.StandardError.StartsWith("Error: ", StringComparison.Ordinal);
            bool usage = result.StandardError.Length == 0 && result.StandardOutput.StartsWith("usage: ", StringComparison.Ordinal);
            if (!errorLine && !usage) throw result.Fail("expected stderr to start with 'Error: ' (or the usage text on stdout)");
            foreach (string trace in new[] { "   at ", "Unhandled exception", "Exception:" })
                if (result.StandardError.Contains(trace, StringComparison.Ordinal) || result.StandardOutput.Contains(trace, StringComparison.Ordinal))
                    throw result.Fail($"the output shows a stack trace or an exception dump ('{trace}')");
        }
    }
}
