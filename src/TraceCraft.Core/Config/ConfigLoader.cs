using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
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
        /// Writes <c>.tracecraft.json</c> in the working directory, readable only by its owner on Unix (mode 600
        /// from the first byte: written to a private temporary file, then renamed), and adds it to .gitignore.
        /// </summary>
        public string Save(TcConfig config)
        {
            string file = Path.Combine(WorkingDirectory, LocalFileName);
            string temp = file + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            try
            {
                using (File.Create(temp)) { }
                RestrictToOwner(temp);
                File.WriteAllBytes(temp, config.ToJson());
                if (File.Exists(file)) File.Replace(temp, file, null);
                else File.Move(temp, file);
                RestrictToOwner(file);
                AddToGitIgnore();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TcException(TcErrorCode.ConfigInvalid, $"Cannot write the config file '{file}': {e.Message}", file, e);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
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

        internal static void RestrictToOwner(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
#if NET
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
#else
            if (chmod(path, 0x180) != 0)
                throw new IOException($"chmod 600 failed on '{path}' (errno {Marshal.GetLastWin32Error()}).");
#endif
        }

#if !NET
        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, int mode);
#endif
    }
}
