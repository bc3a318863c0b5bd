using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using System.Xml.Linq;
using TraceCraft.Native.Tests.Infrastructure;
using Xunit;

namespace TraceCraft.Native.Tests
{
    /// <summary>Help, version, usage errors (exit 2), other errors (exit 1) and Ctrl+C: no server needed.</summary>
    public sealed class CliContractTests : IDisposable
    {
        private readonly TestWorkspace _workspace = new TestWorkspace();

        public void Dispose() => _workspace.Dispose();

        private Task<CliResult> RunAsync(params string[] args) => _workspace.RunAsync("designer", args);

        private async Task InitFolderAsync() =>
            (await RunAsync("init", "--project", _workspace.Project, "--agent", "designer", "--backend", "folder", "--path", _workspace.StorePath))
                .AssertExitCode(0);

        [Fact]
        public async Task Help_ListsEveryVerb_AndExitsZero()
        {
            var help = await RunAsync("--help");
            help.AssertExitCode(0);
            Assert.Equal("", help.StandardError);
            Assert.Equal("usage: tracecraft <command> [options]", help.OutLines[0]);
            foreach (string verb in new[] { "init", "agents", "memory", "send", "inbox", "claim", "complete", "step-status", "wait-for", "artifact" })
                Assert.Contains(help.OutLines, line => line.StartsWith("  " + verb + " ", StringComparison.Ordinal));
            (await RunAsync("-h")).AssertOut(help.OutLines);
        }

        [Theory]
        [InlineData("claim", "usage: tracecraft claim STEP_ID [--lease SECONDS] [--ignore-dependencies]")]
        [InlineData("memory", "usage: tracecraft memory set KEY VALUE [--json] [--if-absent | --if-version V]")]
        [InlineData("wait-for", "usage: tracecraft wait-for STEP_ID [STEP_ID ...] [--timeout SECONDS]")]
        public async Task VerbHelp_ShowsItsUsage(string verb, string firstLine)
        {
            var help = await RunAsync(verb, "--help");
            help.AssertExitCode(0);
            Assert.Equal(firstLine, help.OutLines[0]);
            Assert.Equal("", help.StandardError);
        }

        [Fact]
        public async Task Version_IsTheModuleVersion()
        {
            var props = XDocument.Load(Path.Combine(NativeExecutable.RepositoryRoot, "Directory.Build.props"));
            string version = props.Descendants("ModuleVersion").First().Value;
            (await RunAsync("--version")).AssertSucceeded($"tracecraft {version}");
        }

        [Theory]
        [InlineData("Error: the following arguments are required: step_id", "claim")]
        [InlineData("Error: unrecognized arguments: --bogus", "inbox", "--bogus")]
        [InlineData("Error: argument --timeout: expected one argument", "wait-for", "design", "--timeout")]
        [InlineData("Error: argument --timeout: invalid number of seconds: 'soon'", "wait-for", "design", "--timeout", "soon")]
        [InlineData("Error: memory: invalid choice: 'put' (choose from set, get, list, delete)", "memory", "put", "k", "v")]
        [InlineData("Error: unrecognized arguments: extra", "step-status", "design", "extra")]
        [InlineData("Error: argument --timeout: 5000000 is out of range: give 0 to 2000000 seconds", "wait-for", "design", "--timeout", "5000000")]
        [InlineData("Error: argument --endpoint: '127.0.0.1:7480' has no scheme: write it as a URL, e.g. http://127.0.0.1:7480", "init", "--project", "p", "--agent", "a", "--endpoint", "127.0.0.1:7480")]
        public async Task UsageErrors_ExitTwo_WithAHint(string expectedError, params string[] args)
        {
            var result = await RunAsync(args);
            result.AssertExitCode(2).AssertOut();
            Assert.Equal(new[] { expectedError, "Run 'tracecraft --help' for usage." }, result.ErrorLines);
        }

        [Fact]
        public async Task UnknownVerb_ExitsTwo()
        {
            var result = await RunAsync("frobnicate");
            result.AssertExitCode(2).AssertOut();
            Assert.StartsWith("Error: argument command: invalid choice: 'frobnicate' (choose from init, ", result.ErrorLines[0]);
        }

        [Fact]
        public async Task NoArguments_PrintsUsage_AndExitsTwo()
        {
            var result = await RunAsync();
            result.AssertExitCode(2);
            Assert.Equal("usage: tracecraft <command> [options]", result.OutLines[0]);
        }

        [Fact]
        public async Task NoConfiguration_IsAnErrorLine_ExitOne()
        {
            var result = await RunAsync("inbox");
            result.AssertExitCode(1).AssertOut();
            var line = Assert.Single(result.ErrorLines);
            Assert.StartsWith("Error: No TraceCraft configuration found (looked for ", line);
            Assert.Contains(Path.Combine(_workspace.Home, "config.json"), line);
        }

        [Fact]
        public async Task InvalidIds_AreRefused_ExitOne()
        {
            await InitFolderAsync();
            foreach (string bad in new[] { "../escape", "a/b", "" })
            {
                var result = await RunAsync("claim", bad);
                result.AssertExitCode(1).AssertOut();
                Assert.StartsWith("Error: ", Assert.Single(result.ErrorLines));
            }
            Assert.False(Directory.Exists(Path.Combine(_workspace.StorePath, "objects", "escape")));
        }

        [Fact]
        public async Task Init_WritesAPrivateConfig_AndIgnoresIt()
        {
            await InitFolderAsync();
            string dir = _workspace.AgentDirectory("designer");
            Assert.Contains(".tracecraft.json", File.ReadAllLines(Path.Combine(dir, ".gitignore")));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, ".tracecraft.json")));
        }

        [UnixFact]
        public async Task CtrlC_CancelsAWait_ExitOne()
        {
            await InitFolderAsync();
            using var wait = _workspace.StartAs("designer", "wait-for", "never", "--timeout", "120");
            await wait.WaitForErrorTextAsync("Waiting for: never", TimeSpan.FromSeconds(30));
            wait.Interrupt();
            var result = await wait.WaitAsync(TimeSpan.FromSeconds(15));
            result.AssertExitCode(1).AssertOut();
            Assert.Equal("Error: cancelled.", result.ErrorLines[^1]);
        }
    }

    /// <summary>A fact that needs POSIX signals: reported as skipped (with the reason) on Windows, never silently passed.</summary>
    public sealed class UnixFactAttribute : FactAttribute
    {
        public UnixFactAttribute()
        {
            if (OperatingSystem.IsWindows()) Skip = "Needs POSIX signals (SIGINT).";
        }
    }
}
