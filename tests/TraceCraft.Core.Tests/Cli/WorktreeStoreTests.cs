using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using TraceCraft.CommandLine;
using TraceCraft.Config;
using TraceCraft.Protocol;
using TraceCraft.Testing;
using Xunit;
using TraceCraft.Git;

namespace TraceCraft.Tests.Cli
{
    /// <summary>
    /// The folder store's default place in a git repository, with real git: agents that run init with no --path in
    /// the main checkout and in worktrees made by <c>git worktree add</c> land in one store (the repository's shared git
    /// folder); outside git the store stays in the working folder. The folder store is the only backend with a default
    /// place, so these run on it alone.
    /// </summary>
    public sealed class WorktreeStoreTests : IDisposable
    {
        private readonly string _temp = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tcwt-" + Guid.NewGuid().ToString("N").Substring(0, 10))).FullName;
        private readonly string _project = TestS3Server.UniqueName("worktree");

        public void Dispose()
        {
            try { Directory.Delete(_temp, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        /// <summary>A repository with one commit in _temp/main; returns its folder.</summary>
        private string NewRepository()
        {
            string main = Directory.CreateDirectory(Path.Combine(_temp, "main")).FullName;
            Git(main, "init", "-q");
            File.WriteAllText(Path.Combine(main, "README"), "hello\n");
            Git(main, "add", "README");
            Git(main, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "first");
            return main;
        }

        private string AddWorktree(string main, string name)
        {
            string folder = Path.Combine(_temp, name);
            Git(main, "worktree", "add", "-q", folder);
            return folder;
        }

        /// <summary>Runs one tracecraft command line in a folder, with a TRACECRAFT_HOME of the agent's own.</summary>
        private (int Code, string Out, string Err) Run(string folder, string agent, params string[] args)
        {
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            var env = new Dictionary<string, string> { ["TRACECRAFT_HOME"] = Path.Combine(_temp, "home-" + agent) };
            int code = TracecraftCli.Run(args, new CliContext
            {
                Out = stdout,
                Error = stderr,
                WorkingDirectory = folder,
                Environment = name => env.TryGetValue(name, out var v) ? v : null,
            });
            return (code, stdout.ToString(), stderr.ToString());
        }

        private (int Code, string Out, string Err) Init(string folder, string agent) =>
            Run(folder, agent, "init", "--project", _project, "--agent", agent, "--backend", "folder");

        [Fact]
        public void Agents_in_the_main_checkout_and_in_worktrees_share_one_store_without_path()
        {
            string main = NewRepository();
            // The brief's order: init in the main checkout first, then worktrees are added (their .tracecraft.json is
            // git-ignored, so they have none) and each agent runs its own init.
            var lead = Init(main, "lead");
            Assert.Equal(0, lead.Code);
            string wt1 = AddWorktree(main, "wt1"), wt2 = AddWorktree(main, "wt2");
            Assert.False(File.Exists(Path.Combine(wt1, ConfigLoader.LocalFileName)));
            Assert.Equal(0, Init(wt1, "coder1").Code);
            Assert.Equal(0, Init(wt2, "coder2").Code);

            string store = Path.Combine(main, ".git", ProjectSetup.GitFolderStore);
            Assert.Equal($"Initialized project {_project} as agent lead (folder {store})\n", lead.Out.Split('\n')[0] + "\n");
            foreach (var folder in new[] { main, wt1, wt2 })
            {
                Assert.False(Directory.Exists(Path.Combine(folder, ProjectSetup.DefaultFolderStore)), folder);
                Assert.Equal(store, new ConfigLoader(folder).Load().Path);
            }

            // Every agent sees the others registered.
            string agents = Run(wt2, "coder2", "agents").Out;
            foreach (var agent in new[] { "lead", "coder1", "coder2" }) Assert.Contains(agent, agents);

            // A claim by one is a claim for the others.
            Assert.Equal((0, "Claimed step build as coder1\n", ""), Run(wt1, "coder1", "claim", "build"));
            var second = Run(wt2, "coder2", "claim", "build");
            Assert.Equal(1, second.Code);
            Assert.Contains("coder1", second.Err);
            Assert.NotEqual(0, Run(main, "lead", "claim", "build").Code);
            Assert.Equal((0, "build: in_progress (agent: coder1)\n", ""), Run(main, "lead", "step-status", "build"));

            // A message sent from one worktree arrives in another, and in the main checkout.
            Assert.Equal((0, "Sent to coder2: tests are green\n", ""), Run(wt1, "coder1", "send", "coder2", "tests are green"));
            Assert.Contains("coder1: tests are green", Run(wt2, "coder2", "inbox").Out);
            Assert.Equal(0, Run(wt2, "coder2", "send", "lead", "ready for review").Code);
            Assert.Contains("coder2: ready for review", Run(main, "lead", "inbox").Out);

            // Completion in a worktree releases a barrier in the main checkout.
            Assert.Equal(0, Run(wt1, "coder1", "complete", "build").Code);
            Assert.Equal((0, "All steps complete: build\n", ""), Run(main, "lead", "wait-for", "build", "--timeout", "10"));

            // Removing a worktree leaves the store (and the other agents' view) as it was.
            Git(main, "worktree", "remove", "--force", wt2);
            Assert.False(Directory.Exists(wt2));
            Assert.Contains("coder2", Run(wt1, "coder1", "agents").Out);
        }

        [Fact]
        public void Init_in_a_subfolder_of_a_worktree_finds_the_same_store()
        {
            string main = NewRepository();
            string wt = AddWorktree(main, "wt");
            string deep = Directory.CreateDirectory(Path.Combine(wt, "src", "lib")).FullName;
            Assert.Equal(0, Init(deep, "deep").Code);
            Assert.Equal(0, Init(main, "top").Code);
            Assert.Equal((0, "Claimed step s as deep\n", ""), Run(deep, "deep", "claim", "s"));
            Assert.Equal((0, "s: in_progress (agent: deep)\n", ""), Run(main, "top", "step-status", "s"));
            Assert.Equal(Path.Combine(main, ".git", ProjectSetup.GitFolderStore), new ConfigLoader(deep).Load().Path);
        }

        [Fact]
        public void Outside_git_the_store_stays_in_the_working_folder()
        {
            string folder = Directory.CreateDirectory(Path.Combine(_temp, "plain")).FullName;
            // The premise: git itself says this folder is in no repository.
            Assert.Null(GitCommonDirectory(folder));
            Assert.Null(GitRepository.FindCommonDirectory(folder));
            var init = Init(folder, "solo");
            Assert.Equal((0, ""), (init.Code, init.Err));
            Assert.Equal(Path.Combine(folder, ProjectSetup.DefaultFolderStore), new ConfigLoader(folder).Load().Path);
            Assert.True(Directory.Exists(Path.Combine(folder, ProjectSetup.DefaultFolderStore)));
        }

        [Fact]
        public void An_explicit_path_wins_in_a_worktree()
        {
            string main = NewRepository();
            string wt = AddWorktree(main, "wt");
            Assert.Equal(0, Run(wt, "a", "init", "--project", _project, "--agent", "a", "--backend", "folder", "--path", "bucket").Code);
            Assert.Equal(Path.Combine(wt, "bucket"), new ConfigLoader(wt).Load().Path);
            Assert.False(Directory.Exists(Path.Combine(main, ".git", ProjectSetup.GitFolderStore)));
        }

        /// <summary>What we read from git's files is what git says, in every kind of place a working folder can be.</summary>
        [Fact]
        public void The_common_git_folder_found_without_git_is_the_one_git_names()
        {
            string main = NewRepository();
            string wt = AddWorktree(main, "wt");
            string sub = Directory.CreateDirectory(Path.Combine(wt, "a", "b")).FullName;
            // A worktree whose .git file and gitdir are relative (what git 2.48's worktree.useRelativePaths writes).
            string relative = AddWorktree(main, "relative");
            File.WriteAllText(Path.Combine(relative, ".git"), "gitdir: ../main/.git/worktrees/relative\n");
            // A bare repository's worktree: there is no main checkout at all.
            string bare = Path.Combine(_temp, "bare.git");
            Git(_temp, "clone", "-q", "--bare", main, bare);
            string bareWt = Path.Combine(_temp, "bare-wt");
            Git(bare, "worktree", "add", "-q", bareWt);

            foreach (var folder in new[] { main, Path.Combine(main, ".git"), wt, sub, relative, bareWt })
            {
                string? expected = GitCommonDirectory(folder);
                Assert.NotNull(expected);
                Assert.Equal(expected, GitRepository.FindCommonDirectory(folder));
            }
            Assert.Equal(Path.Combine(main, ".git"), GitRepository.FindCommonDirectory(relative));
            Assert.Equal(bare, GitRepository.FindCommonDirectory(bareWt));
        }

        [Fact]
        public void A_dot_git_file_that_points_nowhere_falls_back_to_the_working_folder()
        {
            string folder = Directory.CreateDirectory(Path.Combine(_temp, "orphan")).FullName;
            File.WriteAllText(Path.Combine(folder, ".git"), "gitdir: /nonexistent/.git/worktrees/gone\n");
            Assert.Null(GitRepository.FindCommonDirectory(folder));
            Assert.Equal(Path.Combine(folder, ProjectSetup.DefaultFolderStore), ProjectSetup.DefaultFolderStorePath(folder));
            File.WriteAllText(Path.Combine(folder, ".git"), "not a gitfile");
            Assert.Null(GitRepository.FindCommonDirectory(folder));
        }

        [Fact]
        public void A_store_left_by_an_earlier_init_in_the_checkout_is_named_in_a_warning()
        {
            string main = NewRepository();
            string earlier = Directory.CreateDirectory(Path.Combine(main, ProjectSetup.DefaultFolderStore)).FullName;
            var init = Init(main, "lead");
            Assert.Equal(0, init.Code);
            Assert.StartsWith("Warning: The folder store from an earlier init, '" + earlier + "', is not used", init.Err);
            Assert.Contains("--path " + ProjectSetup.DefaultFolderStore, init.Err);
            // Keeping it is one flag away, and then there is nothing to warn about.
            var keep = Run(main, "lead", "init", "--project", _project, "--agent", "lead", "--backend", "folder", "--path", ProjectSetup.DefaultFolderStore);
            Assert.Equal((0, ""), (keep.Code, keep.Err));
            Assert.Equal(earlier, new ConfigLoader(main).Load().Path);
        }

        /// <summary>git rev-parse --git-common-dir as a full path, or null outside a repository.</summary>
        private static string? GitCommonDirectory(string folder)
        {
            var (code, output) = RunGit(folder, "rev-parse", "--git-common-dir");
            if (code != 0) return null;
            return Path.GetFullPath(Path.Combine(folder, output.Trim()));
        }

        private static void Git(string folder, params string[] args)
        {
            var (code, output) = RunGit(folder, args);
            Assert.True(code == 0, $"git {string.Join(" ", args)} failed ({code}): {output}");
        }

        private static (int Code, string Output) RunGit(string folder, params string[] args)
        {
            var start = new ProcessStartInfo("git")
            {
                WorkingDirectory = folder,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            using var git = Process.Start(start)!;
            var error = git.StandardError.ReadToEndAsync();
            string output = git.StandardOutput.ReadToEnd();
            string errors = error.GetAwaiter().GetResult();
            git.WaitForExit();
            return (git.ExitCode, git.ExitCode == 0 ? output : errors);
        }
    }
}
