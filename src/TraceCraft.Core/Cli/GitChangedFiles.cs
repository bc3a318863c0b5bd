using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TraceCraft.Errors;

namespace TraceCraft.Cli
{
    /// <summary>The files git reports as changed in a working tree (for --changed-files-from-git).</summary>
    public static class GitChangedFiles
    {
        public static string[] Read(string workingDirectory)
        {
            var files = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var args in new[] { "diff --name-only HEAD", "ls-files --others --exclude-standard" })
                foreach (var line in RunGit(workingDirectory, args)) files.Add(line);
            return files.ToArray();
        }

        private static IEnumerable<string> RunGit(string workingDirectory, string arguments)
        {
            var start = new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            try
            {
                using var process = Process.Start(start)!;
                string output = process.StandardOutput.ReadToEnd();
                process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                    throw new TcException(TcErrorCode.InvalidArgument, $"git {arguments} failed in '{workingDirectory}' (exit {process.ExitCode}): is this a git working tree?", workingDirectory);
                return output.Split(new[] { '\n', '\r' }, StringSplitOptions.RemoveEmptyEntries);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new TcException(TcErrorCode.InvalidArgument, "git was not found on PATH: --changed-files-from-git needs it.", "git", e);
            }
        }
    }
}
