using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TraceCraft.Errors;

namespace TraceCraft.Config
{
    /// <summary>
    /// Finds, reads and writes the configuration as the original does: <c>./.tracecraft.json</c>, then
    /// <c>~/.tracecraft/config.json</c>; <c>TRACECRAFT_AGENT</c> overrides the agent. Ours in addition:
    /// <c>TRACECRAFT_CONFIG</c> names a file to use first, <c>TRACECRAFT_HOME</c> replaces <c>~/.tracecraft</c>.
    /// </summary>
    public sealed class ConfigLoader
    {
        public const string LocalFileName = ".tracecraft.json";
        private readonly Func<string, string?> _environment;

        public ConfigLoader(string workingDirectory, Func<string, string?>? environment = null)
        {
            WorkingDirectory = workingDirectory;
            _environment = environment ?? Environment.GetEnvironmentVariable;
        }

        public string WorkingDirectory { get; }

        public string? Env(string name)
        {
            string? value = _environment(name);
            return string.IsNullOrEmpty(value) ? null : value;
        }

        /// <summary>~/.tracecraft, or TRACECRAFT_HOME.</summary>
        public string HomeDirectory => Env("TRACECRAFT_HOME") ?? DefaultHome;

        /// <summary>~/.tracecraft, or TRACECRAFT_HOME of this process.</summary>
        public static string ProcessHomeDirectory => new ConfigLoader(Directory.GetCurrentDirectory()).HomeDirectory;

        private static string DefaultHome => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".tracecraft");

        public IEnumerable<string> Candidates()
        {
            if (Env("TRACECRAFT_CONFIG") is string explicitFile) yield return Path.GetFullPath(Path.Combine(WorkingDirectory, explicitFile));
            yield return Path.Combine(WorkingDirectory, LocalFileName);
            yield return Path.Combine(HomeDirectory, "config.json");
        }

        public TcConfig Load()
        {
            var file = Candidates().FirstOrDefault(File.Exists)
                ?? throw new TcException(TcErrorCode.ConfigNotFound,
                    $"No TraceCraft configuration found (looked for {string.Join(", ", Candidates())}): run 'tracecraft init' or Initialize-TcProject first.");
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TcException(TcErrorCode.ConfigInvalid, $"Cannot read the config file '{file}': {e.Message}", file, e);
            }
            var config = TcConfig.Parse(file, bytes);
            if (config.Backend == Backends.Folder && config.Path is string relative && !Path.IsPathRooted(relative))
                config = config.With(path: Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, relative)));
            return Env("TRACECRAFT_AGENT") is string agent ? config.With(agentId: agent) : config;
        }

        /// <summary>
        /// Writes <c>.tracecraft.json</c> in the working directory, private to its owner from the first byte (mode
        /// 600 on Unix, an owner-only ACL on Windows; see <see cref="Protocol.LocalFiles"/>), and adds it to .gitignore.
        /// </summary>
        public string Save(TcConfig config)
        {
            string file = Path.Combine(WorkingDirectory, LocalFileName);
            try
            {
                Protocol.LocalFiles.WritePrivate(file, config.ToJson());
                AddToGitIgnore();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TcException(TcErrorCode.ConfigInvalid, $"Cannot write the config file '{file}': {e.Message}", file, e);
            }
            return file;
        }

        private void AddToGitIgnore()
        {
            string ignore = Path.Combine(WorkingDirectory, ".gitignore");
            string[] lines = File.Exists(ignore) ? File.ReadAllLines(ignore) : Array.Empty<string>();
            if (lines.Any(l => l.Trim() == LocalFileName || l.Trim() == "/" + LocalFileName)) return;
            string existing = File.Exists(ignore) ? File.ReadAllText(ignore) : "";
            string separator = existing.Length > 0 && !existing.EndsWith("\n", StringComparison.Ordinal) ? "\n" : "";
            File.AppendAllText(ignore, separator + LocalFileName + "\n");
        }
    }
}
