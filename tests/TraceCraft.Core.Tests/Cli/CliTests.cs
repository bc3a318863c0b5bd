using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using TraceCraft.Cli;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Cli
{
    /// <summary>The tracecraft command line, run in-process as the module and the native program run it.</summary>
    public abstract class CliTests<TBackend> : IClassFixture<TBackend> where TBackend : Backend
    {
        private readonly string _project = TestS3Server.UniqueName("cli");

        protected CliTests(TBackend backend)
        {
            Backend = backend;
            Root = Directory.CreateDirectory(Path.Combine(backend.TempFolder, _project)).FullName;
        }

        protected TBackend Backend { get; }
        protected string Root { get; }

        protected abstract string InitArguments(string agent);

        /// <summary>Runs one command line as an agent whose folder is Root/agent; returns exit code, stdout, stderr.</summary>
        protected (int Code, string Out, string Err) Run(string agent, params string[] args)
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

        private (int Code, string Out, string Err) Init(string agent) =>
            Run(agent, ("init --project " + _project + " --agent " + agent + " " + InitArguments(agent)).Split(' ', StringSplitOptions.RemoveEmptyEntries));

        /// <summary>The seed's two-agent story, line for line.</summary>
        [Fact]
        public void The_two_agent_story_prints_the_seeds_lines()
        {
            Assert.Equal(0, Init("designer").Code);
            Assert.Equal(0, Init("developer").Code);
            Assert.Equal((0, "Claimed step design as designer\n", ""), Run("designer", "claim", "design"));
            Assert.Equal((0, "Set design.status = complete\n", ""), Run("designer", "memory", "set", "design.status", "complete"));
            Assert.Equal((0, "Sent to developer: Design is ready\n", ""), Run("designer", "send", "developer", "Design is ready"));
            var inbox = Run("developer", "inbox");
            Assert.Matches(@"^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00\] \(direct\) designer: Design is ready\n$", inbox.Out);
            Assert.Equal((0, "complete\n", ""), Run("developer", "memory", "get", "design.status"));
            Assert.Equal((0, "Claimed step implementation as developer\n", ""), Run("developer", "claim", "implementation"));
            Assert.Equal((0, "Completed step design → handed off to developer\n", ""), Run("designer", "complete", "design", "--note", "done, see mockup.html", "--to", "developer"));
            Assert.Equal((0, "All steps complete: design\n", ""), Run("developer", "wait-for", "design", "--timeout", "10"));
            Assert.Equal((0, "design: complete (agent: designer)\n", ""), Run("developer", "step-status", "design"));
            Assert.Equal((0, "nothing: pending\n", ""), Run("developer", "step-status", "nothing"));

            File.WriteAllText(Path.Combine(Root, "designer", "mockup.html"), "<html/>");
            var up = Run("designer", "artifact", "upload", "mockup.html", "--step", "design");
            Assert.Equal((0, $"Uploaded mockup.html -> {_project}/artifacts/design/mockup.html\n", ""), up);
            Assert.Equal((0, $"{_project}/artifacts/design/mockup.html\n", ""), Run("developer", "artifact", "list", "--step", "design"));
            var down = Run("developer", "artifact", "download", "mockup.html", "--step", "design", "-o", "got.html");
            Assert.Equal((0, $"Downloaded {_project}/artifacts/design/mockup.html -> got.html\n", ""), down);
            Assert.Equal("<html/>", File.ReadAllText(Path.Combine(Root, "developer", "got.html")));
            var again = Run("developer", "artifact", "download", "mockup.html", "--step", "design", "-o", "got.html");
            Assert.Equal(1, again.Code);
            Assert.StartsWith("Error: ", again.Err);

            var agents = Run("developer", "agents");
            Assert.Matches(@"(?m)^designer\s+active\s+-\s+\d+s ago$", agents.Out); // design is complete: no step held
            Assert.Matches(@"(?m)^developer\s+active\s+implementation\s+\d+s ago$", agents.Out);
        }

        [Fact]
        public void Failures_print_Error_on_stderr_and_exit_1_usage_errors_exit_2()
        {
            Init("a");
            Init("b");
            Run("a", "claim", "s");
            Assert.Equal((1, "", "Error: Step s already claimed by a\n"), Run("b", "claim", "s"));
            Assert.Equal((1, "", "\n"), Run("a", "memory", "get", "missing.key"));
            var usage = Run("a", "claim");
            Assert.Equal(2, usage.Code);
            Assert.StartsWith("Error: the following arguments are required: step_id", usage.Err);
            Assert.Equal(2, Run("a", "frobnicate").Code);
            Assert.Equal(2, Run("a", "claim", "s", "--bogus").Code);
            var bad = Run("a", "claim", "../etc");
            Assert.Equal(1, bad.Code);
            Assert.Contains("not allowed", bad.Err);
            var timeout = Run("a", "wait-for", "never", "--timeout", "0.5");
            Assert.Equal((1, "Timeout after 0.5s. Not all steps complete: never\n"), (timeout.Code, timeout.Out));
            Assert.StartsWith("Waiting for: never", timeout.Err);
            Assert.Equal((0, "No messages.\n", ""), Run("a", "inbox"));
            Assert.Equal((0, "No artifacts found.\n", ""), Run("a", "artifact", "list"));
        }

        [Fact]
        public void Complete_refuses_anothers_step_and_force_overrides()
        {
            Init("a");
            Init("b");
            Run("a", "claim", "s");
            var refused = Run("b", "complete", "s");
            Assert.Equal(1, refused.Code);
            Assert.Contains("claimed by a", refused.Err);
            Assert.Equal((0, "Blocked step s\n", ""), Run("b", "complete", "s", "--force", "--blocked"));
            Assert.Equal((0, "s: blocked (agent: b)\n", ""), Run("a", "step-status", "s"));
            Assert.Equal(1, Run("a", "wait-for", "s", "--timeout", "5").Code);
            // The blocked step is sealed: completing it again takes --force (or a reopen), also for its first claimer.
            var sealedStep = Run("a", "complete", "s", "--needs-review");
            Assert.Equal(1, sealedStep.Code);
            Assert.Contains("Step s is blocked (agent: b)", sealedStep.Err);
            Assert.Equal((0, "Needs review on step s\n", ""), Run("a", "complete", "s", "--needs-review", "--force"));
        }

        [Fact]
        public void Inbox_delete_and_memory_list_behave_as_the_original()
        {
            Init("a");
            Init("b");
            Run("a", "send", "b", "one");
            Run("a", "send", "_broadcast", "all");
            var shown = Run("b", "inbox", "--delete");
            Assert.Matches(@"\(direct\) a: one\n.*\(broadcast\) a: all\nDeleted 2 message\(s\)\.\n$", shown.Out.Replace("\r", ""));
            Assert.Equal((0, "No messages.\n", ""), Run("b", "inbox"));
            Run("a", "memory", "set", "design.status", "x");
            Run("a", "memory", "set", "deploy.env", "y");
            Assert.Equal("deploy.env\ndesign.status\n", Run("b", "memory", "list", "de").Out);
        }

        [Fact]
        public void Our_added_verbs_renew_handoff_step_new_ready_heartbeat_and_memory_delete()
        {
            Init("a");
            Assert.Equal((0, "Defined step lint\n", ""), Run("a", "step", "new", "lint"));
            Assert.Equal((0, "Defined step build (depends on: lint)\n", ""), Run("a", "step", "new", "build", "--depends-on", "lint", "--description", "compile"));
            Assert.Equal((0, "lint\n", ""), Run("a", "ready"));
            var cycle = Run("a", "step", "new", "lint2", "--depends-on", "lint2");
            Assert.Equal(1, cycle.Code);
            Assert.Equal((0, "Claimed step lint as a\n", ""), Run("a", "claim", "lint", "--lease", "60"));
            var renew = Run("a", "renew", "lint", "--lease", "600");
            Assert.Matches(@"^Renewed step lint until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00\n$", renew.Out);
            Assert.Equal((0, "No steps ready.\n", ""), Run("a", "ready"));
            Run("a", "complete", "lint", "--note", "green", "--to", "b", "--next-action", "build it");
            Assert.Equal((0, "build\n", ""), Run("a", "ready"));
            var handoff = Run("a", "handoff", "lint");
            Assert.Matches(@"^lint: complete by a at [^\n]+\nnext agent: b\nnext action: build it\nnote: green\n$", handoff.Out);
            Assert.Equal((0, "Heartbeat sent for a\n", ""), Run("a", "heartbeat"));
            Run("a", "memory", "set", "k", "{\"n\": 1}", "--json");
            Assert.Equal((0, "{\"n\":1}\n", ""), Run("a", "memory", "get", "k", "--json"));
            Assert.Equal((0, "Deleted k\n", ""), Run("a", "memory", "delete", "k"));
            Assert.Equal(1, Run("a", "memory", "delete", "k").Code);
            var version = Run("a", "memory", "set", "c", "1", "--if-absent");
            Assert.Equal((0, "Set c = 1\n", ""), version);
            Assert.Equal(1, Run("a", "memory", "set", "c", "2", "--if-absent").Code);
        }

        [Fact]
        public void Init_never_prints_the_secret_and_help_works()
        {
            var init = Init("a");
            Assert.Equal(0, init.Code);
            if (Backend is S3Backend s3) Assert.DoesNotContain(s3.Server.SecretKey, init.Out + init.Err);
            var help = Run("a", "--help");
            Assert.Contains("wait-for", help.Out);
            Assert.Contains("--lease", Run("a", "claim", "--help").Out);
        }
    }

    public sealed class FolderCliTests : CliTests<FolderBackend>
    {
        public FolderCliTests(FolderBackend b) : base(b) { }
        protected override string InitArguments(string agent) => $"--backend folder --path {Path.Combine(Root, "bucket")}";
    }

    public sealed class S3CliTests : CliTests<S3Backend>
    {
        public S3CliTests(S3Backend b) : base(b) { }
        protected override string InitArguments(string agent) =>
            $"--endpoint {Backend.Server.Endpoint} --bucket {Backend.Server.Bucket} --access-key {Backend.Server.AccessKey} --secret-key {Backend.Server.SecretKey}";
    }
}
