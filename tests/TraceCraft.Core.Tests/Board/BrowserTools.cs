using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace TraceCraft.Tests.Board
{
    /// <summary>
    /// The real programs the report and board tests drive: Debian's chromium and tmux, installed by
    /// tests/browser/ensure-tools.sh when missing (as tests/s3/start-rgw.sh installs Ceph).
    /// </summary>
    public static class BrowserTools
    {
        private static readonly object Gate = new object();

        /// <summary>The repository root (where TraceCraft.slnx is): artifacts go to its out/ folder.</summary>
        public static string RepositoryRoot
        {
            get
            {
                var dir = new DirectoryInfo(AppContext.BaseDirectory);
                while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TraceCraft.slnx"))) dir = dir.Parent;
                return dir?.FullName ?? throw new InvalidOperationException("The repository root (TraceCraft.slnx) was not found above " + AppContext.BaseDirectory);
            }
        }

        /// <summary>Installs the tool when it is not on PATH; fails the test with the script's output when it cannot.</summary>
        public static string Require(string tool)
        {
            lock (Gate)
            {
                if (Which(tool) is string found) return found;
                var (code, output) = RunProcess("bash", new[] { Path.Combine(RepositoryRoot, "tests", "browser", "ensure-tools.sh"), tool }, TimeSpan.FromMinutes(10));
                return Which(tool) ?? throw new InvalidOperationException($"{tool} is missing and ensure-tools.sh could not install it (exit {code}):\n{output}");
            }
        }

        public static string? Which(string tool) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

        /// <summary>Runs a program to its end (or kills it at the timeout); returns its exit code and stdout+stderr.</summary>
        public static (int Code, string Output) RunProcess(string program, string[] args, TimeSpan timeout, string? stdoutFile = null)
        {
            var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new TimeoutException($"{program} did not finish within {timeout.TotalSeconds} s: {string.Join(" ", args)}");
            }
            process.WaitForExit();
            if (stdoutFile is not null) File.WriteAllText(stdoutFile, stdout.Result);
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
