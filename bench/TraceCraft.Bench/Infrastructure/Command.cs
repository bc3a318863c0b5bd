using System;
using System.ComponentModel;
using System.Diagnostics;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>Runs a small external command and returns what it printed (null when it cannot run).</summary>
    public static class Command
    {
        public static string? TryRun(string file, params string[] arguments)
        {
            try
            {
                var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in arguments) start.ArgumentList.Add(a);
                using var process = Process.Start(start);
                if (process is null) return null;
                string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
                process.WaitForExit(10000);
                return output;
            }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException)
            {
                return null;
            }
        }
    }
}
