using System;
using System.IO;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>The repository root: the first folder above the current folder, then above the binary, holding TraceCraft.psd1.</summary>
    public static class RepositoryRoot
    {
        public static string Find()
        {
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                var dir = new DirectoryInfo(start);
                while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TraceCraft.psd1"))) dir = dir.Parent;
                if (dir is not null) return dir.FullName;
            }
            throw new InvalidOperationException("Cannot find the repository root (a folder holding TraceCraft.psd1): run the benchmark from inside the repository.");
        }
    }
}
