using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Linq;
using System.Text.RegularExpressions;
using TraceCraft.CommandLine;
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
        protected (int Code, string Out, string Err) Run(string agent, params string[] args) => RunWith(null, agent, args);

        /// <summary>Run, with more environment variables.</summary>
        protected (int Code, string Out, string Err) RunWith(IReadOnlyDictionary<string, string>? environment, string agent, params string[] args)
        {
            string folder = Directory.CreateDirectory(Path.Combine(Root, agent)).FullName;
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            var env = new Dictionary<string, string> { ["TRACECRAFT_HOME"] = Path.Combine(Root, "home-" + agent) };
            foreach (var pair in environment ?? new Dictionary<string, string>()) env[pair.Key] = pair.Value;
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
            Assert.Equal((0, "Uploaded mockup.html -> artifacts/design/mockup.html\n", ""), up);
            Assert.Equal((0, "artifacts/design/mockup.html\n", ""), Run("developer", "artifact", "list", "--step", "design"));
            var down = Run("developer", "artifact", "download", "mockup.html", "--step", "design", "-o", "got.html");
            Assert.Equal((0, "Downloaded artifacts/design/mockup.html -> got.html\n", ""), down);
            Assert.Equal("<html/>", File.ReadAllText(Path.Combine(Root, "developer", "got.html")));
            var again = Run("developer", "artifact", "download", "mockup.html", "--step", "design", "-o", "got.html");
            Assert.Equal(1, again.Code);
            Assert.StartsWith("Error: ", again.Err);

            var agents = Run("developer", "agents");
            // The original's table (Python's f"{id:<25} {status:<10} {step:<15} {age}"); design is complete: no step held.
            Assert.Equal((0,
                "ID                        Status     Step            Heartbeat Age\n" +
                new string('-', 70) + "\n" +
                "designer                  active     -               0m ago\n" +
                "developer                 active     implementation  0m ago\n", ""), agents);
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
            Assert.Equal((1, ""), (timeout.Code, timeout.Out));
            Assert.StartsWith("Waiting for: never", timeout.Err);
            Assert.EndsWith("\nError: Timeout after 0.5s. Not all steps complete: never\n", timeout.Err);
            Assert.Equal((0, "No messages.\n", ""), Run("a", "inbox"));
            Assert.Equal((0, "No artifacts found.\n", ""), Run("a", "artifact", "list"));
        }

        [Fact]
        public void A_token_fences_a_holder_whose_claim_a_same_named_process_took_over()
        {
            Init("deploy");
            var first = Run("deploy", "claim", "release", "--lease", "1");
            Assert.Equal((0, "Claimed step release as deploy\n"), (first.Code, first.Out));
            Assert.StartsWith("Fencing token: 1 ", first.Err);
            Thread.Sleep(3000);
            var second = Run("deploy", "claim", "release", "--lease", "600");
            Assert.Equal("Claimed step release as deploy (took over from deploy, token 2)\n", second.Out);
            Assert.StartsWith("Fencing token: 2 ", second.Err);

            var stale = Run("deploy", "complete", "release", "--token", "1", "--note", "stale");
            Assert.Equal(1, stale.Code);
            Assert.Contains("(token 1) was taken over", stale.Err);
            var staleByEnvironment = RunWith(new Dictionary<string, string> { ["TRACECRAFT_TOKEN"] = "1" }, "deploy", "renew", "release");
            Assert.Equal(1, staleByEnvironment.Code);
            Assert.Contains("was taken over", staleByEnvironment.Err);
            Assert.Equal(2, Run("deploy", "complete", "release", "--token", "x").Code);
            Assert.Equal((0, "release: in_progress (agent: deploy)\n", ""), Run("deploy", "step-status", "release"));

            Assert.Equal((0, "Completed step release\n", ""), Run("deploy", "complete", "release", "--token", "2", "--note", "fresh"));
            Assert.Contains("fresh", Run("deploy", "handoff", "release").Out);
            // Claims without a lease print exactly the original's line and nothing else.
            Assert.Equal((0, "Claimed step other as deploy\n", ""), Run("deploy", "claim", "other"));
        }

        [Fact]
        public void A_worker_loop_drains_a_queue_with_claim_next_release_reopen_and_exit_code_3()
        {
            Init("w");
            Assert.Equal(0, Run("w", "step", "new", "a", "--lease", "60", "--max-attempts", "2", "--priority", "5").Code);
            Assert.Equal(0, Run("w", "step", "new", "b", "--depends-on", "a").Code);
            var notReady = Run("w", "claim", "b");
            Assert.Equal(1, notReady.Code);
            Assert.StartsWith("Error: Step b is not ready: it depends on a (pending).", notReady.Err);

            var first = Run("w", "claim", "--next");
            Assert.Equal((0, "Claimed step a as w\n"), (first.Code, first.Out));
            Assert.StartsWith("Fencing token: 1 ", first.Err);
            Assert.Equal((3, "", "No ready step.\n"), Run("w", "claim", "--next"));
            Assert.Equal((0, "Released step a\n", ""), Run("w", "release", "a", "--failed", "--token", "1"));
            Assert.Equal("Claimed step a as w\n", Run("w", "claim", "--next", "--filter", "A*").Out);
            Assert.Equal((0, "Released step a: failed after 2 attempt(s)\n", ""), Run("w", "release", "a", "--failed"));
            Assert.Equal((0, "a: failed (agent: w)\n", ""), Run("w", "step-status", "a"));
            var waited = Run("w", "wait-for", "a", "--timeout", "30");
            Assert.Equal(1, waited.Code);
            Assert.StartsWith("Error: Step a failed after 2 attempt(s)", waited.Err);
            Assert.Equal((3, "", "No ready step.\n"), Run("w", "claim", "--next"));

            Assert.Equal((0, "Reopened step a\n", ""), Run("w", "reopen", "a"));
            Assert.Equal("Claimed step a as w\n", Run("w", "claim", "--next").Out);
            Assert.Equal(0, Run("w", "complete", "a", "--note", "second try").Code);
            Assert.Equal(0, Run("w", "reopen", "a").Code);
            Assert.Equal("Claimed step a as w\n", Run("w", "claim", "--next").Out);
            Assert.Equal(0, Run("w", "complete", "a", "--note", "third try").Code);
            var history = Run("w", "handoff", "a", "--history").Out;
            Assert.True(history.IndexOf("note: second try") < history.IndexOf("note: third try") && history.Contains("note: second try"), history);
            Assert.Equal((0, "Claimed step b as w\n", ""), Run("w", "claim", "--next"));
            Assert.Equal((2, ""), (Run("w", "claim", "b", "--filter", "x").Code, ""));
        }

        [Fact]
        public void Memory_set_refuses_if_absent_with_if_version_as_the_cmdlet_does()
        {
            Init("a");
            var both = Run("a", "memory", "set", "k", "v", "--if-absent", "--if-version", "abc");
            Assert.Equal(1, both.Code);
            Assert.StartsWith("Error: Use -IfAbsent (--if-absent) or -IfVersion (--if-version), not both", both.Err);
            Assert.Equal(1, Run("a", "memory", "get", "k").Code); // nothing was written
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
            Assert.Equal((0, "Claimed step lint as a\n", "Fencing token: 1 (pass --token 1 or TRACECRAFT_TOKEN=1 to complete, renew or release only this claim)\n"), Run("a", "claim", "lint", "--lease", "60"));
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
        public void Agents_prints_the_originals_table_stale_unknown_and_empty()
        {
            Assert.Equal(0, Init("a").Code);
            // An agent id longer than the column pads nothing and is not cut; an old heartbeat is stale; none is unknown.
            string longId = "an-agent-with-a-long-name-of-30";
            WriteAgent(longId, "{\"id\": \"" + longId + "\", \"status\": \"active\", \"step\": \"review\", \"heartbeat\": \"2020-01-01T00:00:00+00:00\"}");
            WriteAgent("ghost", "{\"id\": \"ghost\", \"status\": \"idle\", \"step\": null}");
            var result = Run("a", "agents");
            Assert.Equal(0, result.Code);
            var lines = result.Out.Split('\n');
            Assert.Equal("ID                        Status     Step            Heartbeat Age", lines[0]);
            Assert.Equal(new string('-', 70), lines[1]);
            Assert.Equal("a                         active     -               0m ago", lines[2]);
            Assert.Matches("^" + longId + @" stale      review          \d+m ago$", lines[3]);
            Assert.Equal("ghost                     idle       -               unknown", lines[4]);
        }

        [Fact]
        public void Agents_with_none_registered_says_so()
        {
            Assert.Equal(0, Init("a").Code);
            Store().DeleteAsync($"{_project}/agents/a.json").GetAwaiter().GetResult();
            // agents refreshes the caller's heartbeat only after it listed
            Assert.Equal((0, "No agents found.\n", ""), Run("a", "agents"));
        }

        private void WriteAgent(string id, string json) =>
            Store().PutAsync($"{_project}/agents/{id}.json", System.Text.Encoding.UTF8.GetBytes(json), TraceCraft.Storage.WriteCondition.None).GetAwaiter().GetResult();

        [Fact]
        public void The_originals_validation_lines_exit_1()
        {
            Assert.Equal(0, Init("a").Code);
            Assert.Equal((1, "", "Error: Use at most one of --blocked / --needs-review\n"), Run("a", "complete", "s", "--blocked", "--needs-review"));
            Assert.Equal((1, "", "Error: Recipient cannot be empty\n"), Run("a", "send", "", "text"));
            Assert.Equal((1, "", "Error: Key cannot be empty\n"), Run("a", "memory", "set", "", "x"));
            Assert.Equal((0, "s: pending\n", ""), Run("a", "step-status", "s"));
        }

        [Fact]
        public void Artifact_keys_are_relative_to_the_project()
        {
            Assert.Equal(0, Init("a").Code);
            File.WriteAllText(Path.Combine(Root, "a", "notes.txt"), "n");
            Assert.Equal((0, "Uploaded notes.txt -> artifacts/shared/notes.txt\n", ""), Run("a", "artifact", "upload", "notes.txt"));
            Assert.Equal((0, "artifacts/shared/notes.txt\n", ""), Run("a", "artifact", "list"));
            Assert.Equal((1, "", "Error: Artifact not found: artifacts/design/mockup.html\n"), Run("a", "artifact", "download", "mockup.html", "--step", "design"));
        }

        [Fact]
        public void Wait_for_timeout_names_every_step_asked_for_on_stderr()
        {
            Assert.Equal(0, Init("a").Code);
            Run("a", "claim", "done");
            Run("a", "complete", "done");
            var timeout = Run("a", "wait-for", "done", "open", "--timeout", "0");
            Assert.Equal((1, ""), (timeout.Code, timeout.Out));
            Assert.Equal("Error: Timeout after 0s. Not all steps complete: done, open", timeout.Err.TrimEnd('\n').Split('\n').Last());
        }

        [Fact]
        public void Complete_changed_files_from_git_outside_a_repository_records_none_and_completes()
        {
            Assert.Equal(0, Init("a").Code);
            // Root is under the temp folder, never inside a git working tree.
            Run("a", "claim", "s");
            Assert.Equal((0, "Completed step s\n", ""), Run("a", "complete", "s", "--changed-files-from-git"));
            Assert.Equal((0, "s: complete (agent: a)\n", ""), Run("a", "step-status", "s"));
            Assert.DoesNotContain("changed files", Run("a", "handoff", "s").Out);
        }

        [Fact]
        public void Complete_changed_files_from_git_in_a_repository_without_commits_records_none_and_completes()
        {
            Assert.Equal(0, Init("a").Code);
            string folder = Path.Combine(Root, "a");
            Git(folder, "init", "-q");
            File.WriteAllText(Path.Combine(folder, "new.txt"), "x");
            Run("a", "claim", "s");
            Assert.Equal((0, "Completed step s\n", ""), Run("a", "complete", "s", "--changed-files-from-git"));
            Git(folder, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "first");
            Run("a", "claim", "t");
            // .tracecraft.json is in .gitignore (init put it there): the untracked files are .gitignore and new.txt.
            Assert.Equal((0, "Completed step t (2 changed file(s))\n", ""), Run("a", "complete", "t", "--changed-files-from-git"));
            Assert.Contains("changed files: .gitignore, new.txt", Run("a", "handoff", "t").Out);
        }

        private static void Git(string folder, params string[] args)
        {
            var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = folder, UseShellExecute = false };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            using var git = System.Diagnostics.Process.Start(start)!;
            git.WaitForExit();
            Assert.Equal(0, git.ExitCode);
        }

        [Fact]
        public void Number_options_out_of_range_are_usage_errors_naming_the_range()
        {
            Assert.Equal(0, Init("a").Code);
            foreach (var (args, line) in new[]
            {
                (new[] { "wait-for", "x", "--timeout", "5000000" }, "Error: argument --timeout: 5000000 is out of range: give 0 to 2000000 seconds"),
                (new[] { "wait-for", "x", "--timeout", "1e300" }, "Error: argument --timeout: 1e300 is out of range: give 0 to 2000000 seconds"),
                (new[] { "inbox", "--wait", "--timeout", "-1" }, "Error: argument --timeout: -1 is out of range: give 0 to 2000000 seconds"),
                (new[] { "agents", "--stale-after", "1e300" }, "Error: argument --stale-after: 1e300 is out of range: give 1 to 31622400 seconds"),
                (new[] { "claim", "x", "--lease", "99999999999999999999" }, "Error: argument --lease: 99999999999999999999 is out of range: give 1 to 31622400 seconds"),
                (new[] { "renew", "x", "--lease", "NaN" }, "Error: argument --lease: invalid number of seconds: 'NaN'"),
                (new[] { "init", "--project", "p", "--agent", "a", "--endpoint", "127.0.0.1:7480" }, "Error: argument --endpoint: '127.0.0.1:7480' has no scheme: write it as a URL, e.g. http://127.0.0.1:7480"),
                (new[] { "init", "--project", "p", "--agent", "a", "--endpoint", "localhost:7480" }, "Error: argument --endpoint: 'localhost:7480' has no scheme: write it as a URL, e.g. http://localhost:7480"),
                (new[] { "init", "--project", "p", "--agent", "a", "--endpoint", "ftp://h/" }, "Error: argument --endpoint: 'ftp://h/' is not a valid http:// or https:// URL"),
            })
            {
                var result = Run("a", args);
                Assert.Equal((2, "", line + "\nRun 'tracecraft --help' for usage.\n"), result);
            }
        }

        /// <summary>A client of the store the agents' configs name.</summary>
        protected abstract TraceCraft.Storage.IObjectStore Store();

        /// <summary>Makes the store refuse this agent's heartbeat from now on (each backend has its own way).</summary>
        protected abstract void RefuseHeartbeats(string agent);

        [Fact]
        public void Heartbeat_fails_when_the_store_refuses_the_write()
        {
            Assert.Equal(0, Init("a").Code);
            Assert.Equal((0, "Heartbeat sent for a\n", ""), Run("a", "heartbeat"));
            RefuseHeartbeats("a");
            var result = Run("a", "heartbeat");
            Assert.Equal((1, ""), (result.Code, result.Out));
            Assert.StartsWith("Error: ", result.Err);
            Assert.Single(result.Err.TrimEnd('\n').Split('\n'));
        }

        [Fact]
        public void A_hand_written_endpoint_without_scheme_is_a_clear_config_error()
        {
            Assert.Equal(0, Init("a").Code);
            string config = Path.Combine(Root, "a", ".tracecraft.json");
            File.WriteAllText(config, $"{{\"backend\": \"s3\", \"endpoint\": \"127.0.0.1:7480\", \"bucket\": \"b\", \"project\": \"{_project}\", \"agent_id\": \"a\"}}");
            var result = Run("a", "inbox");
            Assert.Equal((1, "", $"Error: The config '{config}' is not usable: 'endpoint' '127.0.0.1:7480' has no scheme: write it as a URL, e.g. http://127.0.0.1:7480. Run init again or fix the file.\n"), result);
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

        protected override TraceCraft.Storage.IObjectStore Store() => new TraceCraft.Storage.FolderObjectStore(Path.Combine(Root, "bucket"));

        /// <summary>The agents folder becomes a regular file: writing agents/a.json fails (even as root, unlike a read-only folder).</summary>
        protected override void RefuseHeartbeats(string agent)
        {
            string agents = Path.Combine(Root, "bucket", "objects", Path.GetFileName(Root), "agents");
            Directory.Delete(agents, recursive: true);
            File.WriteAllText(agents, "");
        }
    }

    public sealed class S3CliTests : CliTests<S3Backend>
    {
        public S3CliTests(S3Backend b) : base(b) { }
        protected override string InitArguments(string agent) =>
            $"--endpoint {Backend.Server.Endpoint} --bucket {Backend.Server.Bucket} --access-key {Backend.Server.AccessKey} --secret-key {Backend.Server.SecretKey}";

        protected override TraceCraft.Storage.IObjectStore Store() => Backend.NewStore();

        /// <summary>The agent's config names a bucket that does not exist.</summary>
        protected override void RefuseHeartbeats(string agent)
        {
            string file = Path.Combine(Root, agent, ".tracecraft.json");
            File.WriteAllText(file, File.ReadAllText(file).Replace($"\"{Backend.Server.Bucket}\"", $"\"{TestS3Server.UniqueName("nobucket")}\""));
        }
    }
}
