using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit.Sdk;

namespace TraceCraft.Native.Tests.Infrastructure
{
    /// <summary>
    /// The real MCP clients from npm that the MCP tests drive <c>tracecraft mcp</c> with: the MCP Inspector's CLI mode and
    /// the official TypeScript SDK. tests/mcp/install-clients.sh installs them (and Node.js when missing) into
    /// out/mcp-clients on first use; a failed install fails the test, never skips it.
    /// </summary>
    internal static class McpClients
    {
        private static readonly Lazy<string> Installed = new Lazy<string>(Install, LazyThreadSafetyMode.ExecutionAndPublication);

        /// <summary>The folder the clients are installed in (with node_modules/).</summary>
        public static string Directory => Installed.Value;

        /// <summary>The inspector's command line entry point (mcp-inspector).</summary>
        public static string Inspector => Path.Combine(Directory, "node_modules", ".bin", "mcp-inspector");

        /// <summary>tests/mcp: the Node scripts the tests run with the SDK client.</summary>
        public static string Scripts => Path.Combine(NativeExecutable.RepositoryRoot, "tests", "mcp");

        private static string Install()
        {
            string script = Path.Combine(NativeExecutable.RepositoryRoot, "tests", "mcp", "install-clients.sh");
            var result = ExternalProcess.RunAsync("bash", new[] { script }, NativeExecutable.RepositoryRoot, environment: null, TimeSpan.FromMinutes(10))
                .GetAwaiter().GetResult();
            if (result.ExitCode != 0)
                throw new XunitException($"tests/mcp/install-clients.sh failed (exit {result.ExitCode}):\n{result.StandardError}");
            string directory = result.StandardOutput.Trim().Split('\n').Last().Trim();
            if (!File.Exists(Path.Combine(directory, "node_modules", ".bin", "mcp-inspector")))
                throw new XunitException($"install-clients.sh reported {directory}, which has no mcp-inspector.");
            return directory;
        }
    }

    /// <summary>What a finished process did.</summary>
    internal sealed record ProcessResult(string Command, int ExitCode, string StandardOutput, string StandardError)
    {
        public XunitException Fail(string what) =>
            new XunitException($"{what}\n$ {Command}\nexit code {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
    }

    /// <summary>Runs a program other than tracecraft (node, bash) to its end, killing it after a deadline.</summary>
    internal static class ExternalProcess
    {
        /// <param name="environment">The child's whole environment; null inherits the test process's.</param>
        public static async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory,
            IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
        {
            var info = ChildProcess.StartInfo(fileName, workingDirectory, arguments, environment);
            string command = fileName + " " + string.Join(" ", arguments.Select(a => a.Contains(' ') ? "'" + a + "'" : a));
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new XunitException($"{command} did not finish within {timeout.TotalSeconds:0} s (killed).");
            }
            return new ProcessResult(command, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    /// <summary>One tools/call as the inspector printed it: the result's texts, isError and structuredContent.</summary>
    internal sealed class InspectorCall
    {
        private InspectorCall(ProcessResult process, JsonElement result)
        {
            Process = process;
            Result = result;
        }

        public ProcessResult Process { get; }
        public JsonElement Result { get; }

        public bool IsError => Result.TryGetProperty("isError", out var e) && e.ValueKind == JsonValueKind.True;

        /// <summary>Every text content block, in order.</summary>
        public IReadOnlyList<string> Texts =>
            Result.GetProperty("content").EnumerateArray().Where(c => c.GetProperty("type").GetString() == "text").Select(c => c.GetProperty("text").GetString()!).ToList();

        /// <summary>The lines of the first text block (the verb's stdout).</summary>
        public string[] Lines => Texts.Count == 0 ? Array.Empty<string>() : Texts[0].Split('\n');

        public JsonElement? Structured => Result.TryGetProperty("structuredContent", out var s) ? s : null;

        /// <summary>
        /// Parses the inspector's output: the result document first on stdout (exit 0, or exit 5 when the tool said
        /// isError, followed by the inspector's own error line).
        /// </summary>
        public static InspectorCall Parse(ProcessResult process)
        {
            if (process.ExitCode is not (0 or 5)) throw process.Fail("the inspector failed");
            try
            {
                var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(process.StandardOutput), new JsonReaderOptions { AllowMultipleValues = true });
                using var document = JsonDocument.ParseValue(ref reader);
                return new InspectorCall(process, document.RootElement.Clone());
            }
            catch (JsonException e)
            {
                throw process.Fail("the inspector printed no JSON result: " + e.Message);
            }
        }

        public XunitException Fail(string what) => Process.Fail(what);
    }
}
