using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;

namespace TraceCraft.Native.Tests.Infrastructure
{
    /// <summary>
    /// A test's own scratch folder: one working folder per agent (like one worktree each), its own
    /// <c>TRACECRAFT_HOME</c> and <c>HOME</c>, and its own random project name. The child sees the test process's
    /// environment without any <c>TRACECRAFT_*</c> or <c>AWS_*</c> variable, plus the ones set here.
    /// </summary>
    public sealed class TestWorkspace : IDisposable
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

        public TestWorkspace()
        {
            string id = Guid.NewGuid().ToString("N");
            Root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "tracecraft-native-tests", id[..12])).FullName;
            Home = Directory.CreateDirectory(Path.Combine(Root, "tracecraft-home")).FullName;
            UserHome = Directory.CreateDirectory(Path.Combine(Root, "user-home")).FullName;
            Project = "native-" + id[12..24];
        }

        public string Root { get; }
        /// <summary>TRACECRAFT_HOME of every child.</summary>
        public string Home { get; }
        /// <summary>HOME of every child, so no real ~/.tracecraft or ~/.aws is ever read.</summary>
        public string UserHome { get; }
        public string Project { get; }
        /// <summary>Where the folder backend keeps the shared store.</summary>
        public string StorePath => Path.Combine(Root, "store");

        /// <summary>The working folder of an agent (created on first use).</summary>
        public string AgentDirectory(string agent) => Directory.CreateDirectory(Path.Combine(Root, "agents", agent)).FullName;

        /// <summary>Runs <c>tracecraft args</c> as <paramref name="agent"/> (TRACECRAFT_AGENT) in its working folder.</summary>
        public Task<CliResult> RunAsync(string agent, params string[] args) => StartAs(agent, args).WaitAndDisposeAsync(DefaultTimeout);

        public CliProcess StartAs(string agent, params string[] args) => StartIn(AgentDirectory(agent), agent, args);

        /// <summary>Starts the executable in any folder; <paramref name="agent"/> null leaves TRACECRAFT_AGENT unset.</summary>
        public CliProcess StartIn(string directory, string? agent, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? extraEnvironment = null) =>
            CliProcess.Start(directory, ChildEnvironment(agent, extraEnvironment), args);

        /// <summary>
        /// The environment of a child of this workspace (the executable, or a client that starts it): the test process's
        /// without TRACECRAFT_*/AWS_*, with this workspace's HOME and TRACECRAFT_HOME, and TRACECRAFT_AGENT unless null.
        /// </summary>
        public Dictionary<string, string> ChildEnvironment(string? agent, IReadOnlyDictionary<string, string>? extraEnvironment = null)
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                string name = (string)entry.Key;
                if (name.StartsWith("TRACECRAFT_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase)) continue;
                if (name is "LC_ALL" or "LANG") continue;
                env[name] = (string?)entry.Value ?? "";
            }
            env["LANG"] = "C.UTF-8";
            env["HOME"] = UserHome;
            env["USERPROFILE"] = UserHome;
            env["TRACECRAFT_HOME"] = Home;
            if (agent is not null) env["TRACECRAFT_AGENT"] = agent;
            if (extraEnvironment is not null)
                foreach (var pair in extraEnvironment) env[pair.Key] = pair.Value;
            return env;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover temp folder must not fail a test.
            }
        }
    }

    internal static class CliProcessExtensions
    {
        public static async Task<CliResult> WaitAndDisposeAsync(this CliProcess process, TimeSpan timeout)
        {
            using (process) return await process.WaitAsync(timeout).ConfigureAwait(false);
        }
    }
}
