using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using TraceCraft.Errors;
using TraceCraft.PowerShell.Errors;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Puts the native tracecraft executable that ships in the module (bin/&lt;runtime&gt;/tracecraft[.exe]) for this
    /// operating system and processor into a folder on PATH: by default ~/.local/bin on Linux and macOS, and on
    /// Windows %LOCALAPPDATA%\Programs\TraceCraft, which it adds to the user's PATH. Agents and scripts then call
    /// `tracecraft` at native speed, without starting PowerShell.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Install, "TcCommand", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FileInfo))]
    public sealed class InstallTcCommandCommand : TcCmdlet
    {
        /// <summary>The folder to put the executable in (created if missing).</summary>
        [Parameter(Position = 0)]
        public string? Destination { get; set; }

        /// <summary>The runtime whose executable to install (linux-x64, win-x64, osx-arm64 ...). Default: this machine's.</summary>
        [Parameter]
        public string? Runtime { get; set; }

        protected override void ProcessItem()
        {
            string runtime = string.IsNullOrEmpty(Runtime) ? NativeRuntime.Current() : Runtime!;
            string binFolder = Path.Combine(ModuleFolder(), "bin");
            string exeName = runtime.StartsWith("win-", StringComparison.Ordinal) ? "tracecraft.exe" : "tracecraft";
            string source = Path.Combine(binFolder, runtime, exeName);
            if (runtime.IndexOfAny(new[] { '/', '\\' }) >= 0 || runtime.Contains("..") || !File.Exists(source))
            {
                string[] packaged = Directory.Exists(binFolder) ? Directory.GetDirectories(binFolder).Select(Path.GetFileName).OrderBy(x => x, StringComparer.Ordinal).ToArray()! : Array.Empty<string>();
                ThrowTerminatingError(ErrorRecordFactory.Create(new TcException(TcErrorCode.NativeCommandNotPackaged,
                    $"This TraceCraft module holds no native tracecraft for {runtime} (it has: {(packaged.Length == 0 ? "none" : string.Join(", ", packaged))}). " +
                    $"Publish one on a {runtime} machine with tools/Build-Native.ps1 -Runtime {runtime}, or use the module's tracecraft command.", runtime)));
            }

            bool defaultDestination = string.IsNullOrEmpty(Destination);
            string folder = defaultDestination ? DefaultDestination() : GetUnresolvedProviderPathFromPSPath(Destination);
            string target = Path.Combine(folder, exeName);
            if (!ShouldProcess(target, $"Install the native tracecraft ({runtime})")) return;

            try
            {
                Directory.CreateDirectory(folder);
                // The executable and the native libraries it loads from beside itself (SQLite, for Hermes sessions).
                foreach (var file in Directory.GetFiles(Path.GetDirectoryName(source)!))
                    InstallFile(file, Path.Combine(folder, Path.GetFileName(file)), executable: file == source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(e, "NativeCommandInstallFailed", ErrorCategory.WriteError, target));
            }

            if (!OnPath(folder))
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && defaultDestination) AddToUserPath(folder);
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) WriteWarning($"{folder} is not on PATH: add it in Settings > Environment variables, or install without -Destination.");
                else WriteWarning($"{folder} is not on PATH. Add it, e.g. in ~/.profile: export PATH=\"{folder}:$PATH\"");
            }
            WriteObject(new FileInfo(target));
        }

        /// <summary>
        /// Copies beside the target, then renames over it: a running tracecraft, or a half-written copy, never breaks the one
        /// installed.
        /// </summary>
        private static void InstallFile(string source, string target, bool executable)
        {
            string temp = target + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            File.Copy(source, temp, overwrite: true);
            try
            {
                if (executable && !RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) MakeExecutable(temp);
                ReplaceWith(temp, target);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }

        /// <summary>The folder the module was imported from (where bin/ is).</summary>
        private string ModuleFolder() =>
            MyInvocation.MyCommand.Module?.ModuleBase is { Length: > 0 } moduleBase
                ? moduleBase
                : Path.GetDirectoryName(typeof(InstallTcCommandCommand).Assembly.Location)!;

        private static string DefaultDestination() =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "Programs", "TraceCraft")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "bin");

        private static void ReplaceWith(string temp, string target)
        {
            if (!File.Exists(target))
            {
                File.Move(temp, target);
                return;
            }
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                // rename(2): atomic, and a process running the old file keeps running it.
                File.Replace(temp, target, null);
                return;
            }
            // Windows cannot overwrite a running executable, but can rename it: move the old one aside first.
            string old = target + ".old";
            if (File.Exists(old)) File.Delete(old);
            File.Move(target, old);
            File.Move(temp, target);
            try { File.Delete(old); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* still running: removed next time */ }
        }

        private static void MakeExecutable(string path)
        {
            // rwxr-xr-x, as an installed program is (netstandard2.0 has no File.SetUnixFileMode).
            if (chmod(path, Convert.ToInt32("755", 8)) != 0)
                throw new IOException($"chmod 755 {path} failed (errno {Marshal.GetLastWin32Error()}).");
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, int mode);

        private static bool OnPath(string folder)
        {
            var comparison = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            string Trim(string p) => p.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Any(p => p.Length > 0 && string.Equals(Trim(p), Trim(folder), comparison));
        }

        /// <summary>Windows: the folder goes on the user's PATH (for new processes) and on this process's (for this session).</summary>
        private void AddToUserPath(string folder)
        {
            if (!ShouldProcess("the user's PATH", $"Add {folder}")) return;
            string user = Environment.GetEnvironmentVariable("Path", EnvironmentVariableTarget.User) ?? "";
            if (!user.Split(';').Any(p => string.Equals(p.TrimEnd('\\'), folder.TrimEnd('\\'), StringComparison.OrdinalIgnoreCase)))
                Environment.SetEnvironmentVariable("Path", user.Length == 0 ? folder : user.TrimEnd(';') + ";" + folder, EnvironmentVariableTarget.User);
            Environment.SetEnvironmentVariable("Path", (Environment.GetEnvironmentVariable("Path") ?? "").TrimEnd(';') + ";" + folder);
            WriteVerbose($"Added {folder} to the user's PATH; open a new terminal to use tracecraft.exe there.");
        }
    }

    /// <summary>The .NET runtime identifier of the machine (linux-x64, win-arm64, osx-arm64, linux-musl-x64 ...).</summary>
    internal static class NativeRuntime
    {
        public static string Current()
        {
            string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : IsMusl() ? "linux-musl" : "linux";
            // The operating system's processor, not this process's: an x64 PowerShell emulated on arm64 still wants arm64.
            string arch = RuntimeInformation.OSArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.X86 => "x86",
                Architecture.Arm64 => "arm64",
                Architecture.Arm => "arm",
                var other => other.ToString().ToLowerInvariant(),
            };
            return os + "-" + arch;
        }

        /// <summary>Alpine and other musl systems cannot run an executable linked against glibc.</summary>
        private static bool IsMusl()
        {
            try
            {
                return Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*").Length > 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
