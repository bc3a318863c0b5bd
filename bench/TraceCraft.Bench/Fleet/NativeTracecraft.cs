using System;
using System.IO;
using System.Runtime.InteropServices;
using TraceCraft.Bench.Infrastructure;

namespace TraceCraft.Bench.Fleet
{
    /// <summary>
    /// The native <c>tracecraft</c> the fleet's workers run: <c>TRACECRAFT_NATIVE_PATH</c>, else
    /// <c>out/native/&lt;rid&gt;/tracecraft</c> (where tools/Build-Native.ps1 and .ci/run publish it), else published there
    /// now with the same <c>dotnet publish</c> (a few minutes on 2 cores).
    /// </summary>
    public static class NativeTracecraft
    {
        public static string Locate(string repositoryRoot, Action<string> log)
        {
            string? configured = Environment.GetEnvironmentVariable("TRACECRAFT_NATIVE_PATH");
            if (!string.IsNullOrEmpty(configured))
                return File.Exists(configured) ? Path.GetFullPath(configured) : throw new FileNotFoundException($"TRACECRAFT_NATIVE_PATH is '{configured}', but there is no file there.");
            string rid = RuntimeInformation.RuntimeIdentifier;
            string outDir = Path.Combine(repositoryRoot, "out", "native", rid);
            string exe = Path.Combine(outDir, OperatingSystem.IsWindows() ? "tracecraft.exe" : "tracecraft");
            if (File.Exists(exe)) return exe;
            log($"Publishing the native tracecraft into {outDir} (dotnet publish src/TraceCraft.Cli)");
            string project = Path.Combine(repositoryRoot, "src", "TraceCraft.Cli", "TraceCraft.Cli.csproj");
            Command.TryRun("dotnet", "publish", project, "-r", rid, "-c", "Release", "-o", outDir, "--nologo");
            return File.Exists(exe) ? exe : throw new FileNotFoundException($"The native tracecraft could not be published to {exe}: run dotnet pwsh tools/Build-Native.ps1 and look at its output.");
        }
    }
}
