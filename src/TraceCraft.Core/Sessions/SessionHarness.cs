using System;
using TraceCraft.Errors;

namespace TraceCraft.Sessions
{
    /// <summary>The coding agents whose transcripts are mirrored; each name is also the folder under <c>sessions/</c>.</summary>
    public static class SessionHarness
    {
        public const string ClaudeCode = "claude-code";
        public const string Codex = "codex";
        public const string OpenClaw = "openclaw";
        public const string Hermes = "hermes";

        /// <summary>In the order the CLI lists them (and a lookup by id tries them).</summary>
        public static readonly string[] All = { ClaudeCode, Codex, OpenClaw, Hermes };

        /// <summary>A harness name as given, checked; anything else is an InvalidArgument naming the choices.</summary>
        public static string Validate(string? name)
        {
            if (name is not null && Array.IndexOf(All, name) >= 0) return name;
            throw new TcException(TcErrorCode.InvalidArgument,
                $"Unknown harness '{name}': choose one of {string.Join(", ", All)}.", name);
        }
    }

    /// <summary>Where the harnesses keep their transcripts on this machine; every path a test may redirect.</summary>
    public sealed class SessionSourceOptions
    {
        /// <summary>The user's home folder (~): .claude, .codex, .openclaw and .hermes live under it.</summary>
        public string HomeDirectory { get; init; } = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        /// <summary>The folder whose Claude Code sessions are meant when no --cwd is given.</summary>
        public string WorkingDirectory { get; init; } = System.IO.Directory.GetCurrentDirectory();
        /// <summary>Environment lookups (OPENCLAW_STATE_DIR, OPENCLAW_HOME).</summary>
        public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

        /// <summary>Options from an environment: HOME (USERPROFILE on Windows) names the home folder when set.</summary>
        public static SessionSourceOptions From(Func<string, string?> environment, string workingDirectory)
        {
            string? home = NonEmpty(environment("HOME")) ?? NonEmpty(environment("USERPROFILE"));
            return new SessionSourceOptions
            {
                HomeDirectory = home ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile),
                WorkingDirectory = workingDirectory,
                Environment = environment,
            };
        }

        internal string? Env(string name) => NonEmpty(Environment(name));

        private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    }
}
