using System;
using System.IO;
using System.Threading.Tasks;
using TraceCraft.Native.Tests.Infrastructure;
using Xunit;

namespace TraceCraft.Native.Tests
{
    /// <summary>Lines the original prints word for word (wire-format.md), and failures it reports, on the folder store.</summary>
    public sealed class OriginalLinesTests : IDisposable
    {
        private readonly TestWorkspace _workspace = new TestWorkspace();

        public void Dispose() => _workspace.Dispose();

        private Task<CliResult> RunAsync(params string[] args) => _workspace.RunAsync("designer", args);

        private async Task InitAsync(string agent = "designer") =>
            (await _workspace.RunAsync(agent, "init", "--project", _workspace.Project, "--agent", agent, "--backend", "folder", "--path", _workspace.StorePath))
                .AssertExitCode(0);

        private string AgentsFolder => Path.Combine(_workspace.StorePath, "objects", _workspace.Project, "agents");

        [Fact]
        public async Task Agents_PrintsTheOriginalsTable()
        {
            await InitAsync("designer");
            await InitAsync("a-developer-with-a-long-id-over-25");
            (await _workspace.RunAsync("a-developer-with-a-long-id-over-25", "claim", "implementation")).AssertExitCode(0);
            (await RunAsync("agents")).AssertSucceeded(
                "ID                        Status     Step            Heartbeat Age",
                new string('-', 70),
                "a-developer-with-a-long-id-over-25 active     implementation  0m ago",
                "designer                  active     -               0m ago");
        }

        [Fact]
        public async Task Agents_NoneRegistered_SaysSo()
        {
            await InitAsync();
            File.Delete(Path.Combine(AgentsFolder, "designer.json"));
            (await RunAsync("agents")).AssertSucceeded("No agents found.");
        }

        [Fact]
        public async Task Artifacts_ShowKeysRelativeToTheProject()
        {
            await InitAsync();
            string folder = _workspace.AgentDirectory("designer");
            File.WriteAllText(Path.Combine(folder, "mockup.html"), "<html/>");
            File.WriteAllText(Path.Combine(folder, "notes.txt"), "notes");
            (await RunAsync("artifact", "upload", "mockup.html", "--step", "design")).AssertSucceeded("Uploaded mockup.html -> artifacts/design/mockup.html");
            (await RunAsync("artifact", "upload", "notes.txt")).AssertSucceeded("Uploaded notes.txt -> artifacts/shared/notes.txt");
            (await RunAsync("artifact", "list", "--step", "design")).AssertSucceeded("artifacts/design/mockup.html");
            (await RunAsync("artifact", "list")).AssertSucceeded("artifacts/design/mockup.html", "artifacts/shared/notes.txt");
            string target = Path.Combine(folder, "copy.html");
            (await RunAsync("artifact", "download", "mockup.html", "--step", "design", "-o", target))
                .AssertSucceeded($"Downloaded artifacts/design/mockup.html -> {target}");
            (await RunAsync("artifact", "download", "nothing.html", "--step", "design")).AssertFailed("Artifact not found: artifacts/design/nothing.html");
        }

        [Fact]
        public async Task WaitFor_Timeout_IsAnErrorOnStderr_NamingEveryStepAskedFor()
        {
            await InitAsync();
            (await RunAsync("claim", "a")).AssertExitCode(0);
            (await RunAsync("complete", "a")).AssertExitCode(0);
            var result = await RunAsync("wait-for", "a", "b", "--timeout", "0");
            result.AssertExitCode(1).AssertOut();
            Assert.Equal("Error: Timeout after 0s. Not all steps complete: a, b", result.ErrorLines[^1]);
        }

        [Fact]
        public async Task ValidationErrors_AreTheOriginalsLines_ExitOne()
        {
            await InitAsync();
            (await RunAsync("complete", "design", "--blocked", "--needs-review")).AssertFailed("Use at most one of --blocked / --needs-review");
            (await RunAsync("send", "", "text")).AssertFailed("Recipient cannot be empty");
            (await RunAsync("memory", "set", "", "x")).AssertFailed("Key cannot be empty");
            (await RunAsync("step-status", "design")).AssertSucceeded("design: pending");
        }

        [Fact]
        public async Task Complete_ChangedFilesFromGit_OutsideARepository_RecordsNoneAndCompletes()
        {
            await InitAsync();
            // The workspace is under the temp folder, never inside a git working tree.
            (await RunAsync("claim", "design")).AssertExitCode(0);
            (await RunAsync("complete", "design", "--changed-files-from-git")).AssertSucceeded("Completed step design");
            (await RunAsync("wait-for", "design", "--timeout", "0")).AssertSucceeded("All steps complete: design");
        }

        [Fact]
        public async Task Heartbeat_StoreRefusesTheWrite_FailsWithAnErrorLine()
        {
            await InitAsync();
            (await RunAsync("heartbeat")).AssertSucceeded("Heartbeat sent for designer");
            // The agents folder becomes a regular file: writing agents/designer.json fails (even as root).
            Directory.Delete(AgentsFolder, recursive: true);
            File.WriteAllText(AgentsFolder, "");
            var result = await RunAsync("heartbeat");
            result.AssertExitCode(1).AssertOut();
            Assert.StartsWith("Error: ", Assert.Single(result.ErrorLines));
        }
    }
}
