using System;
using System.IO;

namespace TraceCraft.Git
{
    /// <summary>
    /// Finds the git repository a folder belongs to by reading git's own files, as git's discovery does, with no git
    /// process: a working tree's <c>.git</c> is either the repository folder itself (the main checkout) or a file
    /// <c>gitdir: &lt;path&gt;</c> (a linked worktree made by <c>git worktree add</c>, or a submodule); a linked
    /// worktree's folder holds a file <c>commondir</c> naming the repository folder every worktree shares. This is what
    /// <c>git rev-parse --git-common-dir</c> prints, without needing git installed and in microseconds rather than the
    /// milliseconds of a process start.
    /// </summary>
    public static class GitRepository
    {
        /// <summary>
        /// The common git folder (the main checkout's <c>.git</c>) of the repository <paramref name="folder"/> is in,
        /// as a full path; null outside git, or when the <c>.git</c> found is unreadable or points nowhere (git itself
        /// would fail there), so that the caller falls back to what it does outside git.
        /// </summary>
        public static string? FindCommonDirectory(string folder)
        {
            try
            {
                for (var dir = new DirectoryInfo(Path.GetFullPath(folder)); dir is not null; dir = dir.Parent)
                {
                    string dotGit = Path.Combine(dir.FullName, ".git");
                    if (Directory.Exists(dotGit))
                    {
                        // git skips a .git folder that is no repository and keeps looking upwards; so do we.
                        if (IsGitDirectory(dotGit)) return CommonDirectoryOf(dotGit);
                        continue;
                    }
                    if (File.Exists(dotGit))
                        return LinkedGitDirectory(dotGit) is string gitDir ? CommonDirectoryOf(gitDir) : null;
                }
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
            {
                return null;
            }
        }

        /// <summary>The folder a <c>.git</c> file names (<c>gitdir: path</c>, relative to the file's folder or absolute), if it is a git folder.</summary>
        private static string? LinkedGitDirectory(string dotGitFile)
        {
            string text = File.ReadAllText(dotGitFile).Trim();
            const string prefix = "gitdir:";
            if (!text.StartsWith(prefix, StringComparison.Ordinal)) return null;
            string target = text.Substring(prefix.Length).Trim();
            if (target.Length == 0) return null;
            string gitDir = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(dotGitFile)!, target));
            return IsGitDirectory(gitDir) ? gitDir : null;
        }

        /// <summary>A linked worktree's folder names the shared one in <c>commondir</c> (usually <c>../..</c>); any other git folder is its own.</summary>
        private static string CommonDirectoryOf(string gitDir)
        {
            string commonFile = Path.Combine(gitDir, "commondir");
            if (!File.Exists(commonFile)) return Path.GetFullPath(gitDir);
            string common = File.ReadAllText(commonFile).Trim();
            return common.Length == 0 ? Path.GetFullPath(gitDir) : Path.GetFullPath(Path.Combine(gitDir, common));
        }

        /// <summary>Every git folder, the shared one and each worktree's, has a HEAD file.</summary>
        private static bool IsGitDirectory(string path) => File.Exists(Path.Combine(path, "HEAD"));
    }
}
