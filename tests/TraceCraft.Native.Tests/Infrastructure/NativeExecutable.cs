using System;
using System.IO;
using System.Runtime.InteropServices;

namespace TraceCraft.Native.Tests.Infrastructure
{
    /// <summary>
    /// Finds the published native <c>tracecraft</c>: <c>TRACECRAFT_NATIVE_PATH</c>, else
    /// <c>out/native/&lt;rid&gt;/tracecraft</c> under the repository root. Never builds it: a missing executable fails every test
    /// with a message that says how to publish it.
    /// </summary>
    internal static class NativeExecutable
    {
        public const string PathVariable = "TRACECRAFT_NATIVE_PATH";

        private static readonly Lazy<string> Located = new Lazy<string>(Locate);
        private static readonly Lazy<string> Root = new Lazy<string>(FindRepositoryRoot);

        /// <summary>Full path of the executable; throws (failing the test) when it is missing.</summary>
        public static string FilePath => Located.Value;

        /// <summary>The repository this test assembly was built from (the folder with global.json and Directory.Build.props).</summary>
        public static string RepositoryRoot => Root.Value;

        private static string Locate()
        {
            string? configured = Environment.GetEnvironmentVariable(PathVariable);
            if (!string.IsNullOrEmpty(configured))
            {
                string full = Path.GetFullPath(configured);
                if (!File.Exists(full))
                    throw new FileNotFoundException($"{PathVariable} is '{configured}', but there is no file at {full}.", full);
                return full;
            }
            string name = OperatingSystem.IsWindows() ? "tracecraft.exe" : "tracecraft";
            string path = Path.Combine(RepositoryRoot, "out", "native", RuntimeInformation.RuntimeIdentifier, name);
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"The native tracecraft is not at {path}. Publish it first (dotnet pwsh tools/Build-Native.ps1) or set {PathVariable}.", path);
            return path;
        }

        private static string FindRepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "global.json")) && File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
                    return dir.FullName;
            }
            throw new DirectoryNotFoundException($"No repository root (global.json + Directory.Build.props) above {AppContext.BaseDirectory}.");
        }
    }
}
