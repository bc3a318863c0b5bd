using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace TraceCraft.Native.Tests.Infrastructure
{
    /// <summary>What one run of the executable did: exit code and the exact text of both streams.</summary>
    public sealed class CliResult
    {
        public CliResult(IReadOnlyList<string> arguments, int exitCode, string standardOutput, string standardError, TimeSpan elapsed)
        {
            Arguments = arguments;
            ExitCode = exitCode;
            StandardOutput = standardOutput;
            StandardError = standardError;
            Elapsed = elapsed;
        }

        public IReadOnlyList<string> Arguments { get; }
        public int ExitCode { get; }
        public string StandardOutput { get; }
        public string StandardError { get; }
        public TimeSpan Elapsed { get; }

        public string[] OutLines => Lines(StandardOutput);
        public string[] ErrorLines => Lines(StandardError);

        /// <summary>Exit code 0, exactly these lines on stdout, nothing on stderr.</summary>
        public CliResult AssertSucceeded(params string[] expectedOut)
        {
            AssertExitCode(0);
            AssertOut(expectedOut);
            if (StandardError.Length != 0) throw Fail("expected nothing on stderr");
            return this;
        }

        /// <summary>Exit code 1, nothing on stdout, exactly <c>Error: message</c> on stderr.</summary>
        public CliResult AssertFailed(string expectedError)
        {
            AssertExitCode(1);
            AssertOut();
            if (StandardError != "Error: " + expectedError + "\n") throw Fail($"expected stderr to be exactly 'Error: {expectedError}'");
            return this;
        }

        public CliResult AssertExitCode(int expected)
        {
            if (ExitCode != expected) throw Fail($"expected exit code {expected}");
            return this;
        }

        public CliResult AssertOut(params string[] expectedLines)
        {
            if (!OutLines.SequenceEqual(expectedLines))
                throw Fail("expected stdout to be exactly:\n" + string.Concat(expectedLines.Select(l => "  | " + l + "\n")));
            return this;
        }

        /// <summary>Each stdout line matches the pattern at the same index (anchored).</summary>
        public CliResult AssertOutMatches(params string[] patterns)
        {
            var lines = OutLines;
            if (lines.Length != patterns.Length || lines.Zip(patterns).Any(p => !Regex.IsMatch(p.First, "^(?:" + p.Second + ")$")))
                throw Fail("expected stdout lines to match:\n" + string.Concat(patterns.Select(l => "  | " + l + "\n")));
            return this;
        }

        public XunitException Fail(string what) => new XunitException($"{what}\n{this}");

        public override string ToString() =>
            $"$ tracecraft {string.Join(" ", Arguments.Select(Quote))}\n" +
            $"exit code {ExitCode} after {Elapsed.TotalMilliseconds:0} ms\n" +
            $"stdout:\n{Indent(StandardOutput)}stderr:\n{Indent(StandardError)}";

        private static string[] Lines(string text)
        {
            if (text.Length == 0) return Array.Empty<string>();
            var lines = text.Replace("\r\n", "\n").Split('\n');
            return text.EndsWith("\n", StringComparison.Ordinal) ? lines[..^1] : lines;
        }

        private static string Indent(string text) =>
            text.Length == 0 ? "  (empty)\n" : string.Concat(Lines(text).Select(l => "  | " + l + "\n")) + (text.EndsWith("\n", StringComparison.Ordinal) ? "" : "  (no final newline)\n");

        private static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:".Contains(c)) ? arg : "'" + arg + "'";
    }
}
