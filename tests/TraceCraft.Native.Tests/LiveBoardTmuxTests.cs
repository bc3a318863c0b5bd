using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using TraceCraft.Native.Tests.Infrastructure;
using TraceCraft.Testing;
using Xunit;
using Xunit.Abstractions;

namespace TraceCraft.Native.Tests
{
    /// <summary>
    /// The live board in a real terminal: `tracecraft watch` runs in a detached tmux session (its own tmux server), a
    /// second process claims, sends and completes, and capture-pane must show each change. The wait for each change is a
    /// functional wait up to a deadline (the observed delay is printed, not asserted); q ends the board.
    /// tmux is installed by tests/browser/ensure-tools.sh when missing.
    /// </summary>
    public abstract class LiveBoardTmuxTests : IDisposable
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
        private readonly ITestOutputHelper _output;
        private readonly string _socket = "tcboard-" + Guid.NewGuid().ToString("N")[..10];

        protected LiveBoardTmuxTests(ITestOutputHelper output)
        {
            _output = output;
            Workspace = new TestWorkspace();
        }

        protected TestWorkspace Workspace { get; }
        protected abstract StoreBackend Backend { get; }

        public void Dispose()
        {
            try { Tmux("kill-server"); } catch (InvalidOperationException) { }
            Workspace.Dispose();
        }

        [Fact]
        public async Task The_board_in_tmux_shows_a_claim_a_message_and_a_completion_of_another_process_and_quits_on_q()
        {
            RequireTmux();
            foreach (var agent in new[] { "viewer", "worker" })
                (await Workspace.RunAsync(agent, new[] { "init", "--project", Workspace.Project, "--agent", agent }.Concat(Backend.InitArguments(Workspace)).ToArray())).AssertExitCode(0);
            (await Workspace.RunAsync("worker", "step", "new", "build")).AssertExitCode(0);
            (await Workspace.RunAsync("worker", "step", "new", "deploy", "--depends-on", "build")).AssertExitCode(0);

            var env = new Dictionary<string, string>
            {
                ["HOME"] = Workspace.UserHome, ["TRACECRAFT_HOME"] = Workspace.Home, ["TRACECRAFT_AGENT"] = "viewer", ["LANG"] = "C.UTF-8", ["TERM"] = "xterm-256color",
            };
            string command = "cd " + Quote(Workspace.AgentDirectory("viewer")) + " && exec env " + string.Join(" ", env.Select(p => p.Key + "=" + Quote(p.Value))) + " "
                + Quote(NativeExecutable.FilePath) + " watch";
            Tmux("new-session", "-d", "-s", "board", "-x", "150", "-y", "45", command);

            await SeeAsync("the board with both steps", @"ready\s*│\s*build", @"waiting\s*│\s*deploy\s*│\s*waits for build");
            (await Workspace.RunAsync("worker", "claim", "build", "--lease", "600")).AssertExitCode(0);
            await SeeAsync("the claim", @"in progress\s*│\s*build\s*│\s*worker · token 1 · lease \d+:\d\d");
            (await Workspace.RunAsync("worker", "send", "_broadcast", "hello from the worker")).AssertExitCode(0);
            await SeeAsync("the broadcast", @"worker\s*│\s*everyone\s*│\s*hello from the worker");
            (await Workspace.RunAsync("worker", "complete", "build", "--note", "built")).AssertExitCode(0);
            await SeeAsync("the completion", @"complete\s*│\s*build\s*│\s*worker at \d\d:\d\d:\d\d", @"ready\s*│\s*deploy", @"1 completed in the last minute");

            Tmux("send-keys", "-t", "board", "q");
            var watch = Stopwatch.StartNew();
            while (Tmux("list-sessions", "-F", "#{session_name}", allowFailure: true).Contains("board") && watch.Elapsed < Deadline)
                await Task.Delay(100);
            Assert.DoesNotContain("board", Tmux("list-sessions", "-F", "#{session_name}", allowFailure: true));
        }

        /// <summary>Polls capture-pane until every pattern matches the screen, up to the deadline; keeps the last screen under out/.</summary>
        private async Task SeeAsync(string what, params string[] patterns)
        {
            var watch = Stopwatch.StartNew();
            string screen = "";
            while (watch.Elapsed < Deadline)
            {
                screen = Tmux("capture-pane", "-p", "-t", "board");
                if (patterns.All(p => Regex.IsMatch(screen, p))) break;
                await Task.Delay(100);
            }
            string folder = Directory.CreateDirectory(Path.Combine(NativeExecutable.RepositoryRoot, "out", "board")).FullName;
            File.WriteAllText(Path.Combine(folder, $"board-{GetType().Name}-{what.Replace(' ', '-')}.txt"), screen);
            foreach (var p in patterns)
                Assert.True(Regex.IsMatch(screen, p), $"The board did not show {what} ({p}) within {Deadline.TotalSeconds} s. Screen:\n{screen}");
            _output.WriteLine($"{what}: on screen after {watch.Elapsed.TotalMilliseconds:0} ms");
        }

        private string Tmux(params string[] args) => Tmux(args, allowFailure: false);

        private string Tmux(string a, string b, string c, bool allowFailure) => Tmux(new[] { a, b, c }, allowFailure);

        private string Tmux(string[] args, bool allowFailure)
        {
            var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-L");
            info.ArgumentList.Add(_socket);
            // No user config: the test's terminal is the same everywhere.
            info.ArgumentList.Add("-f");
            info.ArgumentList.Add("/dev/null");
            foreach (var a in args) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 && !allowFailure)
                throw new InvalidOperationException($"tmux {string.Join(" ", args)} failed ({process.ExitCode}): {error}");
            return output;
        }

        private static void RequireTmux()
        {
            if ((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "tmux")))) return;
            var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(NativeExecutable.RepositoryRoot, "tests", "browser", "ensure-tools.sh"));
            info.ArgumentList.Add("tmux");
            using var process = Process.Start(info)!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "tmux is missing and could not be installed: " + error);
        }

        private static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
    }

    public sealed class FolderLiveBoardTmuxTests : LiveBoardTmuxTests
    {
        public FolderLiveBoardTmuxTests(ITestOutputHelper output) : base(output) { }
        protected override StoreBackend Backend { get; } = new FolderBackend();
    }

    public sealed class S3LiveBoardTmuxTests : LiveBoardTmuxTests
    {
        public S3LiveBoardTmuxTests(ITestOutputHelper output) : base(output) { }
        protected override StoreBackend Backend { get; } = new S3Backend(TestS3Server.Current);
    }
}
