using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TraceCraft.Errors;

namespace TraceCraft.Git
{
    /// <summary>The files git reports as changed in a working tree: changes against HEAD plus untracked files.</summary>
    public static class GitChangedFiles
    {
        /// <summary>The changed files; an error (InvalidArgument) outside a git working tree, before the first commit or without git.</summary>
        public static string[] Read(string workingDirectory)
        {
            var files = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var args in new[] { "diff --name-only HEAD", "ls-files --others --exclude-standard" })
                foreach (var line in RunGit(workingDirectory, args)) files.Add(line);
            return files.ToArray();
        }

        /// <summary>
        /// The changed files, or none when git cannot tell (outside a working tree, no commit yet, no git): what the
        /// original's complete --changed-files-from-git records. The step must still complete, or every barrier
        /// waiting on it would hang.
        /// </summary>
        public static string[] ReadOrNone(string workingDirectory)
        {
            try
            {
                return Read(workingDirectory);
            }
            catch (TcException e) when (e.Code == TcErrorCode.InvalidArgument)
            {
                return Array.Empty<string>();
            }
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
                // stderr is drained on the side: a full stderr pipe would otherwise block git while stdout is read.
                var error = process.StandardError.ReadToEndAsync();
                string output = process.StandardOutput.ReadToEnd();
                error.GetAwaiter().GetResult();
                process.WaitForExit();
                if (process.ExitCode != 0)
                    throw new TcException(TcErrorCode.InvalidArgument, $"git {arguments} failed in '{workingDirectory}' (exit {process.ExitCode}): is this a git working tree with a commit?", workingDirectory);
                return output.Split(new[] { '\n', '\r' }, StringSplitOptions.RemoveEmptyEntries);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new TcException(TcErrorCode.InvalidArgument, "git was not found on PATH: --changed-files-from-git needs it.", "git", e);
            }
        }
    }
}
